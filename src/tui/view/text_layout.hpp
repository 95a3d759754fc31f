// Styled, wrapped lines over one text arena: what a message's layout is, built once per
// (text, width) and drawn many times. Plain text is laid out here; Markdown in markdown.hpp.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tui/screen/buffer.hpp"
#include "tui/screen/cell.hpp"

namespace yollayah::tui::view {

// A byte range of a TextLayout's arena, drawn in one style.
struct StyledRun {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  screen::Style style;
  bool ascii = false;  // printable ASCII only: one byte is one cell, drawn without segmenting
};

// One display line: `indent` blank columns, then its runs. A line with fill_from >= 0 paints
// `fill` from that column to the right edge first (the background of a code block).
struct StyledLine {
  std::uint32_t first_run = 0;
  std::uint32_t run_count = 0;
  int indent = 0;
  int width = 0;  // columns used, indent included
  int fill_from = -1;
  screen::Style fill;
};

// Wrapped lines over one text arena. Building appends; clear() keeps the capacity, so laying
// out the same message again (streaming) does not allocate once warm.
class TextLayout {
 public:
  // A point in the building, to come back to: what was built after it can be dropped.
  struct Mark {
    std::size_t text = 0, runs = 0, lines = 0;
    StyledRun last_run;    // both may still grow after the mark (a run merged into,
    StyledLine last_line;  // a cursor added to the last line)
  };

  void clear();
  Mark mark() const;
  // Drops everything built after `m`, which must have been taken from this layout since its
  // last clear() and not dropped already.
  void truncate(const Mark& m);

  std::size_t line_count() const { return lines_.size(); }
  const StyledLine& line(std::size_t i) const { return lines_[i]; }
  std::span<const StyledRun> runs(const StyledLine& line) const {
    return std::span<const StyledRun>(runs_).subspan(line.first_run, line.run_count);
  }
  std::string_view text(const StyledRun& run) const {
    return std::string_view(text_).substr(run.begin, run.end - run.begin);
  }
  // The line's text without styles (tests, copy to clipboard).
  std::string plain_line(std::size_t i) const;

  // Draws line `i` with its left edge at (x, y), clipped to `max_width` columns.
  void draw_line(std::size_t i, screen::Buffer& buffer, int x, int y, int max_width) const;

  // Building.
  void begin_line(int indent = 0);
  // Appends `text` to the current line (one begins if there is none). `width` is its display
  // width, or -1 to measure it. Merges with the previous run when the style is the same.
  void add_run(std::string_view text, const screen::Style& style, int width = -1);
  void add_spaces(int n, const screen::Style& style = {});
  void set_fill(int from_column, const screen::Style& fill);
  int current_width() const { return lines_.empty() ? 0 : lines_.back().width; }

 private:
  std::string text_;
  std::vector<StyledRun> runs_;
  std::vector<StyledLine> lines_;
};

// Appends `text` wrapped to `width` columns in one style: no Markdown. Blank lines are kept.
void layout_plain(std::string_view text, int width, const screen::Style& style, TextLayout& out);

}  // namespace yollayah::tui::view
