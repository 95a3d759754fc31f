// Markdown tables for MarkdownLayout: the cells md4c reports, collected, then laid out as aligned
// columns with box-drawing borders, shrunk and wrapped to fit the width.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tui/screen/cell.hpp"
#include "tui/screen/width.hpp"
#include "tui/view/text_layout.hpp"

namespace yollayah::tui::view::md {

// A styled byte range of a block's inline text.
struct Span {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  screen::Style style;
};

// Appends `t` to `text`, in `style`: merged into the last span when that one ends there in the
// same style.
void append_span(std::string& text, std::vector<Span>& spans, std::string_view t,
                 const screen::Style& style);

// Adds to `out`'s current line the parts of `spans` inside [begin, end) of `text`.
void add_spans(TextLayout& out, std::string_view text, std::span<const Span> spans,
               std::size_t begin, std::size_t end);

enum class Align : std::uint8_t { Default, Left, Center, Right };

class TableBuilder {
 public:
  // Called after each begin_line() of the table, to draw what goes before it (quote bars).
  using LineStart = void (*)(void* context);

  void clear();
  void begin_row(bool header);
  void begin_cell(Align align, std::size_t text_pos);
  void end_cell(std::size_t text_pos);
  bool empty() const { return rows_.empty(); }

  // Lays the table out in `width` columns. `text` and `spans` hold the cells' inline content
  // (the positions given to begin_cell/end_cell are offsets into `text`). A table wider than
  // `width` gets its widest columns narrowed first and their cells wrapped; text is never cut
  // (under 4 columns per column, the cells are stacked one under the other instead).
  void layout(std::string_view text, std::span<const Span> spans, int width, TextLayout& out,
              const screen::Style& border, LineStart line_start, void* context);

 private:
  struct Cell {
    std::uint32_t begin = 0, end = 0;
    Align align = Align::Default;
    std::uint32_t first_line = 0, line_count = 0;  // in lines_, while laying out
  };
  struct Row {
    std::uint32_t first_cell = 0, cell_count = 0;
    bool header = false;
  };

  void fit_columns(std::string_view text, int width);
  template <class NewLine>
  void stacked(std::string_view text, std::span<const Span> spans, int width, TextLayout& out,
               const screen::Style& border, NewLine&& new_line);
  void rule(TextLayout& out, const screen::Style& style, std::string_view left,
            std::string_view mid, std::string_view right);

  std::vector<Cell> cells_;
  std::vector<Row> rows_;
  std::vector<int> widths_;
  std::vector<screen::LineRange> lines_;
  std::vector<screen::LineRange> scratch_;
};

}  // namespace yollayah::tui::view::md
