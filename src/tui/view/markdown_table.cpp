#include "tui/view/markdown_table.hpp"

#include <algorithm>

namespace yollayah::tui::view::md {

void append_span(std::string& text, std::vector<Span>& spans, std::string_view t,
                 const screen::Style& style) {
  if (t.empty()) return;
  const auto begin = static_cast<std::uint32_t>(text.size());
  text.append(t);
  const auto end = static_cast<std::uint32_t>(text.size());
  if (!spans.empty() && spans.back().end == begin && spans.back().style == style) {
    spans.back().end = end;
  } else {
    spans.push_back(Span{begin, end, style});
  }
}

void add_spans(TextLayout& out, std::string_view text, std::span<const Span> spans,
               std::size_t begin, std::size_t end) {
  // Spans are sorted: skip those that end before `begin` with a binary search, since a long
  // paragraph or table has many.
  auto it = std::upper_bound(spans.begin(), spans.end(), begin,
                             [](std::size_t pos, const Span& s) { return pos < s.end; });
  for (; it != spans.end() && it->begin < end; ++it) {
    const std::size_t b = std::max<std::size_t>(it->begin, begin);
    const std::size_t e = std::min<std::size_t>(it->end, end);
    if (b < e) out.add_run(text.substr(b, e - b), it->style);
  }
}

void TableBuilder::clear() {
  cells_.clear();
  rows_.clear();
}

void TableBuilder::begin_row(bool header) {
  rows_.push_back(Row{static_cast<std::uint32_t>(cells_.size()), 0, header});
}

void TableBuilder::begin_cell(Align align, std::size_t text_pos) {
  if (rows_.empty()) begin_row(false);
  Cell c;
  c.begin = c.end = static_cast<std::uint32_t>(text_pos);
  c.align = align;
  cells_.push_back(c);
  ++rows_.back().cell_count;
}

void TableBuilder::end_cell(std::size_t text_pos) {
  if (!cells_.empty()) cells_.back().end = static_cast<std::uint32_t>(text_pos);
}

// Column widths: each column's widest cell if the table fits; otherwise the widest columns are
// narrowed to a common cap (the largest that fits), so that short columns stay whole.
void TableBuilder::fit_columns(std::string_view text, int width) {
  std::size_t columns = 0;
  for (const Row& r : rows_) columns = std::max<std::size_t>(columns, r.cell_count);
  widths_.assign(columns, 1);
  for (const Row& r : rows_) {
    for (std::uint32_t i = 0; i < r.cell_count; ++i) {
      const Cell& c = cells_[r.first_cell + i];
      screen::wrap(text.substr(c.begin, c.end - c.begin), 1 << 20, scratch_);
      for (const screen::LineRange& l : scratch_) widths_[i] = std::max(widths_[i], l.width);
    }
  }
  const int n = static_cast<int>(columns);
  const int content = std::max(width - (3 * n + 1), n);  // "│ a │ b │": 3 per column and 1
  long long sum = 0;
  int widest = 1;
  for (int w : widths_) {
    sum += w;
    widest = std::max(widest, w);
  }
  if (sum <= content) return;
  auto capped_sum = [&](int cap) {
    long long s = 0;
    for (int w : widths_) s += std::min(w, cap);
    return s;
  };
  int lo = 1, hi = widest;  // the largest cap whose sum fits
  while (lo < hi) {
    const int mid = lo + (hi - lo + 1) / 2;
    if (capped_sum(mid) <= content) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  long long left = content - capped_sum(lo);
  for (int& w : widths_) {
    const int natural = w;
    w = std::min(w, lo);
    if (left > 0 && natural > w) {
      ++w;
      --left;
    }
  }
}

void TableBuilder::rule(TextLayout& out, const screen::Style& style, std::string_view left,
                        std::string_view mid, std::string_view right) {
  out.add_run(left, style, 1);
  for (std::size_t c = 0; c < widths_.size(); ++c) {
    for (int i = 0; i < widths_[c] + 2; ++i) out.add_run("─", style, 1);
    out.add_run(c + 1 < widths_.size() ? mid : right, style, 1);
  }
}

// Too narrow for columns: each cell wrapped on lines of its own, rows between rules.
template <class NewLine>
void TableBuilder::stacked(std::string_view text, std::span<const Span> spans, int width,
                           TextLayout& out, const screen::Style& border, NewLine&& new_line) {
  const int rule_width = std::max(width, 1);
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    if (r > 0) {
      new_line();
      for (int i = 0; i < rule_width; ++i) out.add_run("─", border, 1);
    }
    for (std::uint32_t i = 0; i < rows_[r].cell_count; ++i) {
      const Cell& c = cells_[rows_[r].first_cell + i];
      screen::wrap(text.substr(c.begin, c.end - c.begin), rule_width, scratch_);
      for (const screen::LineRange& l : scratch_) {
        new_line();
        add_spans(out, text, spans, c.begin + l.begin, c.begin + l.end);
      }
    }
  }
}

void TableBuilder::layout(std::string_view text, std::span<const Span> spans, int width,
                          TextLayout& out, const screen::Style& border, LineStart line_start,
                          void* context) {
  if (rows_.empty()) return;
  fit_columns(text, width);
  if (widths_.empty()) return;
  auto new_line = [&] {
    out.begin_line();
    line_start(context);
  };
  if (width < 4 * static_cast<int>(widths_.size()) + 1) {  // no room for a column each
    stacked(text, spans, width, out, border, new_line);
    return;
  }
  new_line();
  rule(out, border, "┌", "┬", "┐");
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    const Row& row = rows_[r];
    // Wrap every cell of the row to its column, then draw the row's lines side by side.
    lines_.clear();
    std::uint32_t height = 1;
    for (std::uint32_t i = 0; i < row.cell_count; ++i) {
      Cell& c = cells_[row.first_cell + i];
      screen::wrap(text.substr(c.begin, c.end - c.begin), widths_[i], scratch_);
      c.first_line = static_cast<std::uint32_t>(lines_.size());
      c.line_count = static_cast<std::uint32_t>(scratch_.size());
      for (screen::LineRange l : scratch_) {
        l.begin += c.begin;
        l.end += c.begin;
        lines_.push_back(l);
      }
      height = std::max(height, c.line_count);
    }
    for (std::uint32_t k = 0; k < height; ++k) {
      new_line();
      out.add_run("│", border, 1);
      for (std::size_t col = 0; col < widths_.size(); ++col) {
        out.add_spaces(1);
        const int w = widths_[col];
        if (col < row.cell_count && k < cells_[row.first_cell + col].line_count) {
          const Cell& c = cells_[row.first_cell + col];
          const screen::LineRange& l = lines_[c.first_line + k];
          const int pad = std::max(0, w - l.width);
          const int before = c.align == Align::Right    ? pad
                             : c.align == Align::Center ? pad / 2
                                                        : 0;
          out.add_spaces(before);
          add_spans(out, text, spans, l.begin, l.end);
          out.add_spaces(pad - before);
        } else {
          out.add_spaces(w);
        }
        out.add_spaces(1);
        out.add_run("│", border, 1);
      }
    }
    const bool last_header = row.header && (r + 1 == rows_.size() || !rows_[r + 1].header);
    if (last_header && r + 1 < rows_.size()) {
      new_line();
      rule(out, border, "├", "┼", "┤");
    }
  }
  new_line();
  rule(out, border, "└", "┴", "┘");
}

}  // namespace yollayah::tui::view::md
