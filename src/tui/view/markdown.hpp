// Lays out Markdown (assistant answers, via md4c's SAX parser) as styled, wrapped lines.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "tui/screen/cell.hpp"
#include "tui/view/highlight.hpp"
#include "tui/view/text_layout.hpp"
#include "tui/view/theme.hpp"

namespace yollayah::tui::view {

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
  screen::Style task_todo{theme::kAccent, {}, 0};
  screen::Style task_done{theme::kSuccess, {}, 0};
  // Highlighted code: drawn over code_block, by TokenClass.
  std::array<screen::Style, kTokenClasses> code_tokens = [] {
    std::array<screen::Style, kTokenClasses> t{};
    for (int i = 0; i < kTokenClasses; ++i) t[static_cast<std::size_t>(i)] = theme::code_token(i);
    return t;
  }();
};

// Lays out Markdown. Keeps its scratch buffers between calls, so reuse one instance for
// repeated layouts. Partial input (an unclosed ``` fence or ** mid-stream) renders as far as
// it goes: an open fence is a code block up to the end, an open ** stays literal, a table
// shows the rows it has. Tables are laid out with box-drawing borders, their columns shrunk and
// cells wrapped to fit the width; fenced code is coloured by a CodeHighlighter.
class MarkdownLayout {
 public:
  explicit MarkdownLayout(MarkdownTheme theme = {});
  ~MarkdownLayout();
  MarkdownLayout(MarkdownLayout&&) noexcept;  // a moved-from layout may only be destroyed
  MarkdownLayout& operator=(MarkdownLayout&&) noexcept;

  // Appends the lines of `markdown` wrapped to `width` columns (at least 1) to `out`. With
  // `continues`, the lines already in `out` are the earlier blocks of the same document (laid
  // out by earlier calls): the first block gets the gap that would separate it from them.
  // With `reopened_code`, `markdown` starts with the opening line of a fenced block whose first
  // lines an earlier call laid out (MarkdownBoundaries::reopen): its label is not drawn again.
  void layout(std::string_view markdown, int width, TextLayout& out, bool continues = false,
              bool reopened_code = false);

  const MarkdownTheme& theme() const;
  // Colours fenced code with `h` (not owned; nullptr: plain code). default_highlighter() unless
  // set.
  void set_highlighter(CodeHighlighter* h);

 private:
  struct Renderer;
  std::unique_ptr<Renderer> renderer_;
};

// One-off helper around MarkdownLayout.
void layout_markdown(std::string_view markdown, int width, TextLayout& out,
                     const MarkdownTheme& theme = {});

}  // namespace yollayah::tui::view
