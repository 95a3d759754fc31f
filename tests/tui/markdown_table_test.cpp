// Markdown tables and task lists, checked on the text and cells a layout draws.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tui/screen/buffer.hpp"
#include "tui/screen/width.hpp"
#include "tui/view/markdown.hpp"

namespace {

using namespace yollayah::tui;
using view::TextLayout;

TextLayout md(std::string_view text, int width) {
  TextLayout layout;
  view::MarkdownLayout m;
  m.set_highlighter(nullptr);
  m.layout(text, width, layout);
  return layout;
}

std::vector<std::string> lines(const TextLayout& layout) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < layout.line_count(); ++i) out.push_back(layout.plain_line(i));
  return out;
}

TEST(MarkdownTable, ColumnsAreAlignedInABox) {
  const TextLayout layout = md("| name | n |\n|---|---|\n| apple | 1 |\n| kiwi | 22 |", 40);
  EXPECT_EQ(lines(layout), (std::vector<std::string>{
                               "┌───────┬────┐",
                               "│ name  │ n  │",
                               "├───────┼────┤",
                               "│ apple │ 1  │",
                               "│ kiwi  │ 22 │",
                               "└───────┴────┘",
                           }));
}

TEST(MarkdownTable, AlignmentComesFromTheDelimiterRow) {
  const TextLayout layout =
      md("| left | center | right |\n|:---|:---:|---:|\n| a | b | c |\n| abcd | xy | 12345 |", 60);
  const std::vector<std::string> l = lines(layout);
  ASSERT_EQ(l.size(), 6u);
  EXPECT_EQ(l[3], "│ a    │   b    │     c │");
  EXPECT_EQ(l[4], "│ abcd │   xy   │ 12345 │");
}

TEST(MarkdownTable, HeaderIsBoldAndBordersUseTheBorderStyle) {
  const TextLayout layout = md("| head |\n|---|\n| body |", 20);
  screen::Buffer b(20, 6);
  for (std::size_t i = 0; i < layout.line_count(); ++i)
    layout.draw_line(i, b, 0, static_cast<int>(i), 20);
  EXPECT_TRUE(b.at(2, 1).style.attrs & screen::kBold);   // "h"
  EXPECT_FALSE(b.at(2, 3).style.attrs & screen::kBold);  // "b"
  EXPECT_EQ(b.at(0, 1).style, view::MarkdownTheme{}.table_border);
}

TEST(MarkdownTable, InlineMarkdownInCellsKeepsItsStyle) {
  const TextLayout layout = md("| a | b |\n|---|---|\n| **bold** | `code` |", 40);
  screen::Buffer b(40, 6);
  for (std::size_t i = 0; i < layout.line_count(); ++i)
    layout.draw_line(i, b, 0, static_cast<int>(i), 40);
  EXPECT_EQ(layout.plain_line(3), "│ bold │ code │");
  EXPECT_TRUE(b.at(2, 3).style.attrs & screen::kBold);
  EXPECT_EQ(b.at(9, 3).style.bg, view::MarkdownTheme{}.inline_code.bg);
}

TEST(MarkdownTable, AWideTableWrapsItsWidestCellsAndCutsNothing) {
  const std::string text =
      "| id | description |\n|---|---|\n"
      "| 1 | a long description that cannot fit on one line of a narrow screen |";
  const TextLayout layout = md(text, 24);
  std::string joined;
  for (std::size_t i = 0; i < layout.line_count(); ++i) {
    const std::string l = layout.plain_line(i);
    EXPECT_LE(screen::display_width(l), 24) << l;
    EXPECT_LE(layout.line(i).width, 24) << l;
    joined += l + "\n";
  }
  // The short column keeps its width; every word of the long cell is there, in order.
  EXPECT_NE(joined.find("│ id │"), std::string::npos) << joined;
  std::size_t at = 0;
  for (const char* w : {"a", "long", "description", "that", "cannot", "fit", "narrow", "screen"}) {
    at = joined.find(w, at);
    ASSERT_NE(at, std::string::npos) << w << "\n" << joined;
  }
  EXPECT_GT(layout.line_count(), 6u);  // the row took several lines
}

TEST(MarkdownTable, WideCharactersAndEmojiAreMeasuredInColumns) {
  const TextLayout layout = md("| 日本語 | x |\n|---|---|\n| 😀 | yy |", 40);
  const std::vector<std::string> l = lines(layout);
  ASSERT_EQ(l.size(), 5u);
  EXPECT_EQ(l[1], "│ 日本語 │ x  │");
  EXPECT_EQ(l[3], "│ 😀     │ yy │");
  for (std::size_t i = 0; i < layout.line_count(); ++i)
    EXPECT_EQ(layout.line(i).width, layout.line(0).width) << l[i];
}

TEST(MarkdownTable, AStreamingTableRendersEveryPrefixInsideItsWidth) {
  const std::string text =
      "Compare:\n\n| lang | typing | speed |\n|:---|:---:|---:|\n| Python | dynamic | slow |\n"
      "| Rust | static | fast |\n| Go | static | fast |\n\nDone.";
  for (std::size_t n = 1; n <= text.size(); ++n) {
    const TextLayout layout = md(std::string_view(text).substr(0, n), 30);
    bool box_open = false;
    for (std::size_t i = 0; i < layout.line_count(); ++i) {
      const std::string l = layout.plain_line(i);
      ASSERT_LE(layout.line(i).width, 30) << n << ": " << l;
      if (l.starts_with("┌")) box_open = true;
      if (l.starts_with("└")) box_open = false;
    }
    EXPECT_FALSE(box_open) << "the box is closed even with a partial last row, at " << n;
  }
  // Mid-row: the row so far shows, in its columns.
  const std::string partial = text.substr(0, text.find("| Rust | sta") + 12);
  const std::vector<std::string> l = lines(md(partial, 40));
  ASSERT_GE(l.size(), 4u);
  EXPECT_EQ(l[l.size() - 2], "│ Rust   │   sta   │       │");
}

TEST(MarkdownTable, TooNarrowForColumnsStacksTheCellsAndCutsNothing) {
  const std::vector<std::string> l = lines(md("| a | b | c |\n|---|---|---|\n| 1 | 22 | 333 |", 9));
  EXPECT_EQ(l, (std::vector<std::string>{"a", "b", "c", "─────────", "1", "22", "333"}));
}

TEST(MarkdownTable, IsIndentedWithinAQuote) {
  const std::vector<std::string> l = lines(md("> | a |\n> |---|\n> | b |", 20));
  ASSERT_EQ(l.size(), 5u);
  EXPECT_EQ(l[0], "│ ┌───┐");
  EXPECT_EQ(l[3], "│ │ b │");
}

TEST(MarkdownTaskList, ItemsShowBoxes) {
  const std::vector<std::string> l = lines(md("- [ ] write tests\n- [x] build\n- plain", 30));
  EXPECT_EQ(l, (std::vector<std::string>{"☐ write tests", "☑ build", "• plain"}));
}

TEST(MarkdownTaskList, DoneAndToDoBoxesHaveTheirOwnStyles) {
  const TextLayout layout = md("1. [x] done\n2. [ ] todo", 30);
  ASSERT_EQ(layout.line_count(), 2u);
  EXPECT_EQ(layout.plain_line(0), "1. ☑ done");
  screen::Buffer b(30, 2);
  layout.draw_line(0, b, 0, 0, 30);
  layout.draw_line(1, b, 0, 1, 30);
  const view::MarkdownTheme theme;
  EXPECT_EQ(b.at(3, 0).style.fg, theme.task_done.fg);
  EXPECT_EQ(b.at(3, 1).style.fg, theme.task_todo.fg);
  EXPECT_NE(theme.task_done.fg, theme.task_todo.fg);
}

TEST(MarkdownTaskList, WrappedTextLinesUpAfterTheBox) {
  const std::vector<std::string> l = lines(md("- [ ] one two three four", 12));
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0], "☐ one two");
  EXPECT_EQ(l[1], "  three four");
}

}  // namespace
