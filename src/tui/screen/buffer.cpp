#include "tui/screen/buffer.hpp"

#include "tui/screen/width.hpp"

#include <algorithm>
#include <cstring>

namespace yollayah::tui::screen {

Buffer::Buffer(int width, int height) { resize(width, height); }

void Buffer::resize(int width, int height) {
  width = std::max(width, 0);
  height = std::max(height, 0);
  if (width == width_ && height == height_) return;
  std::vector<Cell> next(static_cast<std::size_t>(width) * static_cast<std::size_t>(height));
  const int w = std::min(width, width_);
  const int h = std::min(height, height_);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      next[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
           static_cast<std::size_t>(x)] = at(x, y);
    }
  }
  cells_.swap(next);
  width_ = width;
  height_ = height;
  // A wide cluster cut by the new right edge would have lost its continuation.
  if (width_ > 0) {
    for (int y = 0; y < h; ++y) {
      if (at(width_ - 1, y).width() == 2) blank(width_ - 1, y, at(width_ - 1, y).style);
    }
  }
}

void Buffer::clear() { std::fill(cells_.begin(), cells_.end(), Cell{}); }

void Buffer::blank(int x, int y, const Style& style) {
  Cell& c = at(x, y);
  c.set(" ", 1);
  c.style = style;
}

void Buffer::set(int x, int y, std::string_view cluster, int width, const Style& style) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_) return;
  if (width == 2 && x + 1 >= width_) {
    cluster = " ";
    width = 1;
  }
  // Cutting into a wide cluster: its other half becomes a space.
  if (at(x, y).is_continuation() && x > 0) blank(x - 1, y, at(x - 1, y).style);
  const int last = x + width - 1;
  if (last + 1 < width_ && at(last, y).width() == 2) blank(last + 1, y, at(last + 1, y).style);
  Cell& c = at(x, y);
  c.set(cluster, width);
  c.style = style;
  if (width == 2) {
    Cell& cont = at(x + 1, y);
    cont.set_continuation();
    cont.style = style;
  }
}

int Buffer::put_text(int x, int y, std::string_view utf8, const Style& style, int max_width) {
  if (y < 0 || y >= height_ || x >= width_ || max_width <= 0) return 0;
  const int limit = std::min(width_, x + max_width);  // one past the last usable column
  int col = x;
  for (std::size_t pos = 0; pos < utf8.size() && col < limit;) {
    const std::size_t end = next_grapheme(utf8, pos);
    std::string_view cluster = utf8.substr(pos, end - pos);
    pos = end;
    int w = cluster_width(cluster);
    if (w == 0) {
      if (is_control(cluster)) continue;
      // A mark with no base in this string joins the cluster to its left.
      int left = col - 1;
      if (left >= 0 && left < width_ && at(left, y).is_continuation()) --left;
      if (left >= 0 && left < width_) at(left, y).append(cluster);
      continue;
    }
    if (cluster == "\t") cluster = " ";
    if (cluster.size() == 1 && static_cast<unsigned char>(cluster[0]) >= 0x80) {
      cluster = "\xEF\xBF\xBD";  // an invalid byte is drawn as U+FFFD
    }
    if (col < 0) {  // clipped on the left
      col += w;
      continue;
    }
    if (w == 2 && col + 1 >= limit) {
      set(col, y, " ", 1, style);
      ++col;
      break;
    }
    set(col, y, cluster, w, style);
    col += w;
  }
  return col - x;
}

int Buffer::put_ascii(int x, int y, std::string_view ascii, const Style& style, int max_width) {
  if (y < 0 || y >= height_ || x >= width_ || max_width <= 0) return 0;
  const int limit = std::min(width_, x + max_width);
  const int skip = x < 0 ? -x : 0;  // clipped on the left
  if (static_cast<std::size_t>(skip) >= ascii.size()) return static_cast<int>(ascii.size());
  const int first = x + skip;
  const int n = std::min(static_cast<int>(ascii.size()) - skip, limit - first);
  if (n <= 0) return first - x;
  // Only the two ends can cut a wide cluster in half, as set() would find cell by cell.
  if (at(first, y).is_continuation() && first > 0) blank(first - 1, y, at(first - 1, y).style);
  const int last = first + n - 1;
  if (last + 1 < width_ && at(last, y).width() == 2) blank(last + 1, y, at(last + 1, y).style);
  Cell* row = &cells_[index(first, y)];
  for (int k = 0; k < n; ++k) {
    row[k].set(ascii.substr(static_cast<std::size_t>(skip + k), 1), 1);
    row[k].style = style;
  }
  return first + n - x;
}

void Buffer::fill(int x, int y, int w, int h, const Style& style) {
  const int x0 = std::max(x, 0), y0 = std::max(y, 0);
  const int x1 = std::min(x + w, width_), y1 = std::min(y + h, height_);
  if (x0 >= x1 || y0 >= y1) return;
  Cell blank_cell;
  blank_cell.style = style;
  const Cell* inside = nullptr;  // the first row's inside, once filled
  const std::size_t inside_bytes = sizeof(Cell) * static_cast<std::size_t>(std::max(x1 - x0 - 2, 0));
  for (int yy = y0; yy < y1; ++yy) {
    // Only the edges can cut a wide cluster in half; the inside is plain assignment, and after
    // the first row a copy of it (memcpy moves a row several times faster than cell by cell).
    set(x0, yy, " ", 1, style);
    if (x1 - 1 > x0) set(x1 - 1, yy, " ", 1, style);
    if (inside_bytes == 0) continue;
    Cell* row = &cells_[index(x0 + 1, yy)];
    if (inside) {
      std::memcpy(static_cast<void*>(row), inside, inside_bytes);
    } else {
      std::fill(row, row + (x1 - x0 - 2), blank_cell);
      inside = row;
    }
  }
}

}  // namespace yollayah::tui::screen
