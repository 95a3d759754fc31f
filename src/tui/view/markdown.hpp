// Lays out text as styled, wrapped lines: Markdown (assistant answers, via md4c's SAX parser) and
// plain text (user messages). A layout is built once per (text, width) and drawn many times.
#pragma once

#include <cstdint>
#include <memory>
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
  void clear();

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

struct MarkdownTheme {
  screen::Style text;
  screen::Style emphasis{{}, {}, screen::kItalic};
  screen::Style strong{{}, {}, screen::kBold};
  screen::Style inline_code{screen::Color::rgb(0xE5, 0xC0, 0x7B),
                            screen::Color::rgb(0x2C, 0x2A, 0x33), 0};
  screen::Style code_block{screen::Color::rgb(0xD7, 0xDA, 0xE0),
                           screen::Color::rgb(0x23, 0x25, 0x2E), 0};
  screen::Style code_label{screen::Color::rgb(0x8A, 0x8F, 0x9C),
                           screen::Color::rgb(0x23, 0x25, 0x2E), screen::kItalic};
  screen::Style link{screen::Color::rgb(0x61, 0xAF, 0xEF), {}, screen::kUnderline};
  screen::Style heading1{
      screen::Color::rgb(0xF0, 0x8C, 0xB8), {}, screen::kBold | screen::kUnderline};
  screen::Style heading2{screen::Color::rgb(0xF0, 0x8C, 0xB8), {}, screen::kBold};
  screen::Style heading3{screen::Color::rgb(0xC6, 0x9E, 0xE8), {}, screen::kBold};
  screen::Style list_marker{screen::Color::rgb(0xC6, 0x78, 0xDD), {}, 0};
  screen::Style quote_bar{screen::Color::rgb(0x6B, 0x70, 0x7C), {}, 0};
  screen::Style quote_text{{}, {}, screen::kDim};
  screen::Style strikethrough{{}, {}, screen::kDim};
  screen::Style rule{screen::Color::rgb(0x5C, 0x60, 0x6A), {}, 0};
  screen::Style table_border{screen::Color::rgb(0x5C, 0x60, 0x6A), {}, 0};
};

// Lays out Markdown. Keeps its scratch buffers between calls, so reuse one instance for
// repeated layouts. Partial input (an unclosed ``` fence or ** mid-stream) renders as far as
// it goes: an open fence is a code block up to the end, an open ** stays literal.
class MarkdownLayout {
 public:
  explicit MarkdownLayout(MarkdownTheme theme = {});
  ~MarkdownLayout();
  MarkdownLayout(MarkdownLayout&&) noexcept;  // a moved-from layout may only be destroyed
  MarkdownLayout& operator=(MarkdownLayout&&) noexcept;

  // Appends the lines of `markdown` wrapped to `width` columns (at least 1) to `out`.
  void layout(std::string_view markdown, int width, TextLayout& out);

  const MarkdownTheme& theme() const;

 private:
  struct Renderer;
  std::unique_ptr<Renderer> renderer_;
};

// One-off helper around MarkdownLayout.
void layout_markdown(std::string_view markdown, int width, TextLayout& out,
                     const MarkdownTheme& theme = {});

// Appends `text` wrapped to `width` columns in one style: no Markdown. Blank lines are kept.
void layout_plain(std::string_view text, int width, const screen::Style& style, TextLayout& out);

}  // namespace yollayah::tui::view
