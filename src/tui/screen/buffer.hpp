// A rectangle of cells that views draw into each frame (immediate mode); the renderer diffs two.
#pragma once

#include "tui/screen/cell.hpp"

#include <span>
#include <string_view>
#include <vector>

namespace yollayah::tui::screen {

class Buffer {
 public:
  Buffer() = default;
  Buffer(int width, int height);

  int width() const { return width_; }
  int height() const { return height_; }

  Cell& at(int x, int y) { return cells_[index(x, y)]; }
  const Cell& at(int x, int y) const { return cells_[index(x, y)]; }
  // Row y's cells, contiguous.
  std::span<Cell> row(int y) { return {cells_.data() + index(0, y), static_cast<std::size_t>(width_)}; }
  std::span<const Cell> row(int y) const { return {cells_.data() + index(0, y), static_cast<std::size_t>(width_)}; }

  // Draws `utf8` from (x, y), at most `max_width` columns and never past the right edge. Returns
  // the columns used. A wide cluster that does not fit becomes a space; a zero-width mark at the
  // start joins the cluster to its left; control characters are skipped, tabs drawn as spaces.
  int put_text(int x, int y, std::string_view utf8, const Style& style, int max_width);
  int put_text(int x, int y, std::string_view utf8, const Style& style) {
    return put_text(x, y, utf8, style, width_ - x);
  }

  // put_text for text that is printable ASCII only (one byte, one cell): the same result,
  // without segmenting. Returns the columns used.
  int put_ascii(int x, int y, std::string_view ascii, const Style& style, int max_width);

  // Sets the cluster at (x, y), repairing any wide cluster it cuts in half.
  void set(int x, int y, std::string_view cluster, int width, const Style& style);

  // Fills the rectangle (clipped) with spaces in `style`.
  void fill(int x, int y, int w, int h, const Style& style);

  // Keeps the overlapping top-left content; new cells are blank. Reuses capacity.
  void resize(int width, int height);

  // Blank cells in the default style.
  void clear();

  bool operator==(const Buffer&) const = default;

 private:
  std::size_t index(int x, int y) const {
    return static_cast<std::size_t>(y) * static_cast<std::size_t>(width_) +
           static_cast<std::size_t>(x);
  }
  void blank(int x, int y, const Style& style);

  int width_ = 0;
  int height_ = 0;
  std::vector<Cell> cells_;
};

}  // namespace yollayah::tui::screen
