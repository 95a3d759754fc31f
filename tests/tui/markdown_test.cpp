// Markdown and plain-text layout, checked on the cells a layout draws.
#include "tui/view/markdown.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tui/screen/buffer.hpp"
#include "tui/screen/width.hpp"
#include "tui/view/markdown_boundaries.hpp"

namespace {

using namespace yollayah::tui;
using view::TextLayout;

// Draws every line of `layout` into a buffer `width` wide, one line per row.
screen::Buffer draw(const TextLayout& layout, int width) {
  screen::Buffer buffer(width, static_cast<int>(layout.line_count()) + 1);
  for (std::size_t i = 0; i < layout.line_count(); ++i) {
    layout.draw_line(i, buffer, 0, static_cast<int>(i), width);
  }
  return buffer;
}

// The row's text, trailing spaces removed.
std::string row(const screen::Buffer& b, int y) {
  std::string s;
  for (int x = 0; x < b.width(); ++x) s.append(b.at(x, y).text());
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

std::vector<std::string> rows(const screen::Buffer& b, int n) {
  std::vector<std::string> out;
  for (int y = 0; y < n; ++y) out.push_back(row(b, y));
  return out;
}

TextLayout md(std::string_view text, int width) {
  TextLayout layout;
  view::layout_markdown(text, width, layout);
  return layout;
}

const view::MarkdownTheme kTheme;

TEST(Markdown, BoldItalicAndCodeLandOnTheRightCells) {
  const TextLayout layout = md("Say **bold** and *it* and `code`.", 40);
  ASSERT_EQ(layout.line_count(), 1u);
  const screen::Buffer b = draw(layout, 40);
  EXPECT_EQ(row(b, 0), "Say bold and it and code.");
  for (int x = 4; x < 8; ++x) EXPECT_TRUE(b.at(x, 0).style.attrs & screen::kBold) << x;
  EXPECT_FALSE(b.at(3, 0).style.attrs & screen::kBold);
  EXPECT_FALSE(b.at(8, 0).style.attrs & screen::kBold);
  EXPECT_TRUE(b.at(13, 0).style.attrs & screen::kItalic);
  EXPECT_TRUE(b.at(14, 0).style.attrs & screen::kItalic);
  EXPECT_FALSE(b.at(15, 0).style.attrs & screen::kItalic);
  for (int x = 20; x < 24; ++x) {
    EXPECT_EQ(b.at(x, 0).style.fg, kTheme.inline_code.fg) << x;
    EXPECT_EQ(b.at(x, 0).style.bg, kTheme.inline_code.bg) << x;
  }
  EXPECT_TRUE(b.at(24, 0).style.fg.is_default());
}

TEST(Markdown, BulletListHasMarkersAndHangingIndent) {
  const TextLayout layout = md("- alpha beta gamma delta\n- second", 12);
  const screen::Buffer b = draw(layout, 12);
  EXPECT_EQ(rows(b, 4),
            (std::vector<std::string>{"• alpha beta", "  gamma", "  delta", "• second"}));
  EXPECT_EQ(b.at(0, 0).style.fg, kTheme.list_marker.fg);
  EXPECT_TRUE(b.at(2, 0).style.fg.is_default());
}

TEST(Markdown, OrderedListsCountFromTheirStart) {
  const TextLayout layout = md("3. three\n4. four is longer\n5. five", 10);
  const screen::Buffer b = draw(layout, 10);
  EXPECT_EQ(rows(b, 5),
            (std::vector<std::string>{"3. three", "4. four is", "   longer", "5. five", ""}));
}

TEST(Markdown, NestedListsIndentAndChangeBullet) {
  const TextLayout layout = md("- a\n  - b\n- c", 20);
  const screen::Buffer b = draw(layout, 20);
  EXPECT_EQ(rows(b, 3), (std::vector<std::string>{"• a", "  ◦ b", "• c"}));
}

TEST(Markdown, ParagraphsAreSeparatedByOneBlankLine) {
  const TextLayout layout = md("first\nline\n\n\n\nsecond", 20);
  ASSERT_EQ(layout.line_count(), 3u);
  EXPECT_EQ(layout.plain_line(0), "first line");
  EXPECT_EQ(layout.plain_line(1), "");
  EXPECT_EQ(layout.plain_line(2), "second");
}

TEST(Markdown, HeadingsAreBoldAndColouredAndH1Underlined) {
  const TextLayout layout = md("# Title\n\n## Sub\ntext", 20);
  const screen::Buffer b = draw(layout, 20);
  EXPECT_EQ(rows(b, 5), (std::vector<std::string>{"Title", "", "Sub", "", "text"}));
  EXPECT_EQ(b.at(0, 0).style.attrs, screen::kBold | screen::kUnderline);
  EXPECT_EQ(b.at(0, 0).style.fg, kTheme.heading1.fg);
  EXPECT_EQ(b.at(0, 2).style.attrs, screen::kBold);
  EXPECT_EQ(b.at(0, 4).style.attrs, 0);
}

TEST(Markdown, CodeBlockIsKeptVerbatimAndCutNotWrapped) {
  const TextLayout layout = md("```python\nx = 1  # a long comment here\n    indented\n```", 20);
  const screen::Buffer b = draw(layout, 20);
  // A label line, then the code with a column of padding, cut at 18 columns mid-word.
  EXPECT_EQ(rows(b, 4), (std::vector<std::string>{" python", " x = 1  # a long co", " mment here",
                                                  "     indented"}));
  EXPECT_EQ(b.at(1, 0).style, kTheme.code_label);
  for (int x = 0; x < 20; ++x) EXPECT_EQ(b.at(x, 2).style.bg, kTheme.code_block.bg) << x;
  EXPECT_TRUE(b.at(0, 4).style.bg.is_default());
}

TEST(Markdown, IndentedCodeBlockHasNoLabel) {
  const TextLayout layout = md("para\n\n    code  here\n", 20);
  ASSERT_EQ(layout.line_count(), 3u);
  EXPECT_EQ(layout.plain_line(2), " code  here");
  EXPECT_GE(layout.line(2).fill_from, 0);
}

TEST(Markdown, UnclosedFenceMidStreamIsACodeBlockToTheEnd) {
  const TextLayout layout = md("Here:\n\n```cpp\nint main() {\n  return **0;", 30);
  const screen::Buffer b = draw(layout, 30);
  EXPECT_EQ(rows(b, 5),
            (std::vector<std::string>{"Here:", "", " cpp", " int main() {", "   return **0;"}));
  EXPECT_EQ(b.at(3, 4).style.bg, kTheme.code_block.bg);
  EXPECT_FALSE(b.at(10, 4).style.attrs & screen::kBold);
}

TEST(Markdown, UnclosedStrongStaysLiteral) {
  const TextLayout layout = md("so **bold but unclosed", 40);
  const screen::Buffer b = draw(layout, 40);
  EXPECT_EQ(row(b, 0), "so **bold but unclosed");
  EXPECT_FALSE(b.at(5, 0).style.attrs & screen::kBold);
}

TEST(Markdown, EveryPrefixOfAStreamLaysOutWithinTheWidth) {
  const std::string doc =
      "# Plan\n\nSome **bold *nested* text** and `code` with a [link](http://e.x).\n\n"
      "> quoted line that is long enough to wrap\n\n1. one\n2. two\n   - sub 日本語 😀\n\n"
      "```js\nconsole.log('a\\tb');\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n---\nend";
  TextLayout layout;
  view::MarkdownLayout markdown;
  for (int width : {1, 2, 7, 30}) {
    for (std::size_t n = 0; n <= doc.size(); ++n) {
      layout.clear();
      markdown.layout(std::string_view(doc).substr(0, n), width, layout);
      if (width < 7) continue;  // nested prefixes alone are wider than that
      for (std::size_t i = 0; i < layout.line_count(); ++i) {
        ASSERT_LE(layout.line(i).width, width) << "prefix " << n << " line " << i;
      }
    }
  }
  EXPECT_GT(layout.line_count(), 20u);
}

TEST(Markdown, QuotesHaveABarAndDimText) {
  const TextLayout layout = md("> quoted text here", 12);
  const screen::Buffer b = draw(layout, 12);
  EXPECT_EQ(rows(b, 2), (std::vector<std::string>{"│ quoted", "│ text here"}));
  EXPECT_TRUE(b.at(2, 0).style.attrs & screen::kDim);
  EXPECT_EQ(b.at(0, 1).style.fg, kTheme.quote_bar.fg);
}

TEST(Markdown, GapBeforeAQuoteHasNoBarButGapsInsideDo) {
  const TextLayout layout = md("text\n\n> a\n>\n> b\n\nafter", 20);
  const screen::Buffer b = draw(layout, 20);
  EXPECT_EQ(rows(b, 7), (std::vector<std::string>{"text", "", "│ a", "│", "│ b", "", "after"}));
}

TEST(Markdown, LinksShowTheirTextUnderlined) {
  const TextLayout layout = md("see [the site](https://example.com) now", 40);
  const screen::Buffer b = draw(layout, 40);
  EXPECT_EQ(row(b, 0), "see the site now");
  EXPECT_TRUE(b.at(4, 0).style.attrs & screen::kUnderline);
  EXPECT_TRUE(b.at(11, 0).style.attrs & screen::kUnderline);
  EXPECT_FALSE(b.at(12, 0).style.attrs & screen::kUnderline);
}

TEST(Markdown, LinkFollowedByPunctuationEndsCleanly) {
  EXPECT_EQ(md("see [a link](http://e.x). Then http://bare.example/x.", 60).plain_line(0),
            "see a link. Then http://bare.example/x.");
}

TEST(Markdown, EntitiesAreDecoded) {
  EXPECT_EQ(md("a &amp; b &lt;c&gt; &#x263A; &#65;", 40).plain_line(0), "a & b <c> ☺ A");
}

TEST(Markdown, TablesShowOneRowPerLineInABox) {
  const TextLayout layout = md("| a | b |\n|---|---|\n| 1 | 2 |", 20);
  ASSERT_EQ(layout.line_count(), 5u);
  EXPECT_EQ(layout.plain_line(0), "┌───┬───┐");
  EXPECT_EQ(layout.plain_line(1), "│ a │ b │");
  EXPECT_EQ(layout.plain_line(2), "├───┼───┤");
  EXPECT_EQ(layout.plain_line(3), "│ 1 │ 2 │");
  EXPECT_EQ(layout.plain_line(4), "└───┴───┘");
}

TEST(Markdown, RuleSpansTheWidth) {
  const TextLayout layout = md("a\n\n---\n\nb", 6);
  ASSERT_EQ(layout.line_count(), 5u);
  EXPECT_EQ(layout.plain_line(2), "──────");
}

TEST(Markdown, CjkAndEmojiWrapByDisplayWidth) {
  const screen::Buffer b = draw(md("日本語のテキスト", 6), 6);
  EXPECT_EQ(rows(b, 3), (std::vector<std::string>{"日本語", "のテキ", "スト"}));
  EXPECT_EQ(b.at(0, 0).width(), 2);
  EXPECT_TRUE(b.at(1, 0).is_continuation());
  const TextLayout emoji = md("😀😀😀 ok", 5);
  ASSERT_EQ(emoji.line_count(), 2u);
  EXPECT_EQ(emoji.plain_line(0), "😀😀");
  EXPECT_EQ(emoji.line(0).width, 4);
}

TEST(Markdown, PlainTextIsNotMarkdown) {
  TextLayout layout;
  screen::Style style;
  style.attrs = screen::kDim;
  view::layout_plain("**not bold** and\n\n# not a heading", 12, style, layout);
  const screen::Buffer b = draw(layout, 12);
  EXPECT_EQ(rows(b, 5),
            (std::vector<std::string>{"**not bold**", "and", "", "# not a", "heading"}));
  EXPECT_EQ(b.at(2, 0).style.attrs, screen::kDim);
}

TEST(Markdown, EmptyInputHasNoLines) {
  EXPECT_EQ(md("", 10).line_count(), 0u);
  EXPECT_EQ(md("```", 10).line_count(), 1u);  // an opening fence alone: an empty code block
}

}  // namespace

// ---- Cut points of a streaming answer ---------------------------------------------------------

namespace {

// The cut points found while `text` streams in one byte at a time.
std::vector<std::size_t> cuts(std::string_view text) {
  view::MarkdownBoundaries b;
  std::vector<std::size_t> out;
  for (std::size_t n = 1; n <= text.size(); ++n) {
    b.scan(text.substr(0, n));
    if (b.last() != 0 && (out.empty() || out.back() != b.last())) out.push_back(b.last());
  }
  return out;
}

}  // namespace

TEST(MarkdownBoundaries, CutsBeforeABlockThatFollowsABlankLineOnceItsFirstLineIsComplete) {
  const std::string_view text = "# Title\n\nOne\ntwo\n\nThree\n\nfou";
  // Before "One" and "Three"; "fou" may still grow into anything.
  EXPECT_EQ(cuts(text), (std::vector<std::size_t>{text.find("One"), text.find("Three")}));
}

TEST(MarkdownBoundaries, CutsACodeBlockOnlyBetweenTwoOfItsLines) {
  const std::string_view text = "Text\n\n```py\na\n\nb\n```not a close\n```\n\nAfter\n";
  // Before the fence, then before each line of code but the first (the block needs one) and
  // never before the closing line.
  EXPECT_EQ(cuts(text), (std::vector<std::size_t>{6, 14, 15, 17, text.find("After")}));
  view::MarkdownBoundaries b;
  b.scan(text.substr(0, 17));
  EXPECT_EQ(b.last(), 15u);
  EXPECT_EQ(b.reopen(text), "```py");  // the language, to highlight the rest
  b.scan(text);
  EXPECT_EQ(b.reopen(text), "");
}

TEST(MarkdownBoundaries, NeverCutsInsideAFenceOfAQuoteOrAListItem) {
  const std::string_view text = "> ```\n> a\n> b\n> c\n\n- ```\n  a\n\n  b\n  c\n  ```\n";
  EXPECT_EQ(cuts(text), (std::vector<std::size_t>{}));
}

TEST(MarkdownBoundaries, TildesAndLongerFencesCloseOnlyWithTheirOwnKind) {
  const std::string_view text = "````\n```\n~~~~\n````\n\n~~~\n```\n~~~\n\nEnd\n";
  // Inside the first block, "```" and "~~~~" are code; so is "```" inside the second.
  EXPECT_EQ(cuts(text), (std::vector<std::size_t>{9, 20, 33}));
}

TEST(MarkdownBoundaries, NeverCutsWhereAListCouldContinue) {
  // The blank line makes the list loose; an indented line continues an item.
  const std::string_view text = "- a\n\n- b\n\n  more b\n\n1. one\n\n2) two\n\nEnd\n";
  EXPECT_EQ(cuts(text), (std::vector<std::size_t>{text.find("End")}));
}

TEST(MarkdownBoundaries, AFenceInAQuoteOrAnItemEndsWithIt) {
  const std::string_view quoted = "> ```\n> code\n\nAfter\n";
  EXPECT_EQ(cuts(quoted), (std::vector<std::size_t>{quoted.find("After")}));
  const std::string_view item = "- ```\n  code\n\n  more\n\nAfter\n";
  EXPECT_EQ(cuts(item), (std::vector<std::size_t>{item.find("After")}));
}

TEST(MarkdownBoundaries, AFenceInATableIsARow) {
  // md4c goes on with a table up to a blank line, so "```" there opens no code block.
  const std::string_view text = "| a |\n|---|\n```\nx\n\nAfter\n";
  EXPECT_EQ(cuts(text), (std::vector<std::size_t>{text.find("After")}));
}

TEST(MarkdownBoundaries, AnIndentedFenceIsCutOnlyOutsideAList) {
  const std::string_view top = "Text\n\n   ```\n   a\n   b\nc\n";
  EXPECT_EQ(cuts(top), (std::vector<std::size_t>{top.find("   b"), top.find("c\n")}));
  view::MarkdownBoundaries b;
  b.scan(top);
  EXPECT_EQ(b.reopen(top), "   ```");
  const std::string_view nested = "- item\n\n   ```\n   a\n   b\nc\n";
  EXPECT_EQ(cuts(nested), (std::vector<std::size_t>{}));
}

TEST(MarkdownLayout, ContinuingLayoutGetsTheGapBetweenBlocks) {
  const std::string_view text = "First *block*.\n\n- a\n- b\n\nLast block.";
  const std::size_t cut = text.find("- a");
  TextLayout whole = md(text, 30);
  TextLayout pieces;
  view::MarkdownLayout layout;
  layout.layout(text.substr(0, cut), 30, pieces);
  layout.layout(text.substr(cut), 30, pieces, true);
  EXPECT_EQ(draw(pieces, 30), draw(whole, 30));
  EXPECT_EQ(pieces.line_count(), whole.line_count());
}

TEST(TextLayout, TruncateDropsWhatWasBuiltAfterAMark) {
  TextLayout t;
  t.add_run("abc", {});
  const TextLayout::Mark m = t.mark();
  const std::string before = t.plain_line(0);
  t.add_run("def", {});  // merged into the run of the marked line
  t.begin_line();
  t.add_run("ghi", {});
  t.truncate(m);
  EXPECT_EQ(t.line_count(), 1u);
  EXPECT_EQ(t.plain_line(0), before);
  EXPECT_EQ(t.current_width(), 3);
  t.add_run("x", {});
  EXPECT_EQ(t.plain_line(0), "abcx");
}
