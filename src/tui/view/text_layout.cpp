#include "tui/view/text_layout.hpp"

#include <algorithm>

#include "tui/screen/width.hpp"

namespace yollayah::tui::view {

using screen::Style;

void TextLayout::clear() {
  text_.clear();
  runs_.clear();
  lines_.clear();
}

TextLayout::Mark TextLayout::mark() const {
  Mark m{text_.size(), runs_.size(), lines_.size(), {}, {}};
  if (!runs_.empty()) m.last_run = runs_.back();
  if (!lines_.empty()) m.last_line = lines_.back();
  return m;
}

void TextLayout::truncate(const Mark& m) {
  text_.resize(std::min(m.text, text_.size()));
  runs_.resize(std::min(m.runs, runs_.size()));
  lines_.resize(std::min(m.lines, lines_.size()));
  if (!runs_.empty() && runs_.size() == m.runs) runs_.back() = m.last_run;
  if (!lines_.empty() && lines_.size() == m.lines) lines_.back() = m.last_line;
}

std::string TextLayout::plain_line(std::size_t i) const {
  const StyledLine& l = lines_[i];
  std::string s(static_cast<std::size_t>(std::max(l.indent, 0)), ' ');
  for (const StyledRun& r : runs(l)) s.append(text(r));
  return s;
}

void TextLayout::draw_line(std::size_t i, screen::Buffer& buffer, int x, int y,
                           int max_width) const {
  const StyledLine& l = lines_[i];
  if (l.fill_from >= 0 && l.fill_from < max_width) {
    buffer.fill(x + l.fill_from, y, max_width - l.fill_from, 1, l.fill);
  }
  int col = l.indent;
  for (const StyledRun& r : runs(l)) {
    if (col >= max_width) break;
    if (r.ascii) {
      col += buffer.put_ascii(x + col, y, text(r), r.style, max_width - col);
      continue;
    }
    col += buffer.put_text(x + col, y, text(r), r.style, max_width - col);
  }
}

void TextLayout::begin_line(int indent) {
  StyledLine l;
  l.first_run = static_cast<std::uint32_t>(runs_.size());
  l.indent = indent;
  l.width = indent;
  lines_.push_back(l);
}

void TextLayout::add_run(std::string_view t, const Style& style, int width) {
  if (lines_.empty()) begin_line();
  if (t.empty()) return;
  if (width < 0) width = screen::display_width(t);
  StyledLine& l = lines_.back();
  const auto begin = static_cast<std::uint32_t>(text_.size());
  text_.append(t);
  const auto end = static_cast<std::uint32_t>(text_.size());
  const bool ascii = std::all_of(t.begin(), t.end(), [](char c) { return c >= 0x20 && c < 0x7F; });
  if (l.run_count > 0 && runs_.back().end == begin && runs_.back().style == style) {
    runs_.back().end = end;
    runs_.back().ascii = runs_.back().ascii && ascii;
  } else {
    runs_.push_back(StyledRun{begin, end, style, ascii});
    ++l.run_count;
  }
  l.width += width;
}

void TextLayout::add_spaces(int n, const Style& style) {
  static constexpr std::string_view kSpaces = "                                ";
  while (n > 0) {
    const int k = std::min(n, static_cast<int>(kSpaces.size()));
    add_run(kSpaces.substr(0, static_cast<std::size_t>(k)), style, k);
    n -= k;
  }
}

void TextLayout::set_fill(int from_column, const Style& fill) {
  if (lines_.empty()) begin_line();
  lines_.back().fill_from = from_column;
  lines_.back().fill = fill;
}

void layout_plain(std::string_view text, int width, const Style& style, TextLayout& out) {
  std::vector<screen::LineRange> ranges;
  screen::wrap(text, std::max(width, 1), ranges);
  for (const screen::LineRange& r : ranges) {
    out.begin_line();
    out.add_run(text.substr(r.begin, r.end - r.begin), style, r.width);
  }
}

}  // namespace yollayah::tui::view
