// Syntax highlighting of fenced code blocks: the tokens Source-highlight finds, how the Markdown
// layout colours them, the size bound, the cache and NO_COLOR.
#include "tui/view/highlight.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tui/screen/buffer.hpp"
#include "tui/view/markdown.hpp"

namespace {

using namespace yollayah::tui;
using view::CodeHighlighter;
using view::TokenClass;

// Every test in this executable sees the process's highlighter ready, so that layouts do not
// change colour half-way through a test when its loading thread finishes.
class HighlighterReady : public ::testing::Environment {
 public:
  void SetUp() override {
    if (CodeHighlighter* h = view::default_highlighter()) h->wait_ready();
  }
};
[[maybe_unused]] const auto* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new HighlighterReady);

CodeHighlighter& ready_highlighter() {
  static CodeHighlighter h;
  h.wait_ready();
  return h;
}

// The class of the token covering byte `at`, or -1.
int class_at(std::span<const view::CodeToken> tokens, std::size_t at) {
  for (const view::CodeToken& t : tokens) {
    if (t.begin <= at && at < t.end) return static_cast<int>(t.cls);
  }
  return -1;
}

TEST(Highlight, APythonSnippetGetsKeywordStringAndCommentTokens) {
  if (!CodeHighlighter::compiled_in()) GTEST_SKIP() << "built without source-highlight";
  const std::string code = "def f(x):\n    return 'hi'  # note\n";
  const auto tokens = ready_highlighter().highlight("python", code);
  ASSERT_FALSE(tokens.empty());
  EXPECT_EQ(class_at(tokens, 0), static_cast<int>(TokenClass::Keyword));             // def
  EXPECT_EQ(class_at(tokens, code.find("return")), static_cast<int>(TokenClass::Keyword));
  EXPECT_EQ(class_at(tokens, code.find("'hi'") + 1), static_cast<int>(TokenClass::String));
  EXPECT_EQ(class_at(tokens, code.find("# note") + 2), static_cast<int>(TokenClass::Comment));
  EXPECT_EQ(class_at(tokens, code.find("x")), -1);
  for (std::size_t i = 1; i < tokens.size(); ++i) EXPECT_LE(tokens[i - 1].end, tokens[i].begin);
}

TEST(Highlight, CommonLanguagesAndTheirAliasesAreKnown) {
  if (!CodeHighlighter::compiled_in()) GTEST_SKIP() << "built without source-highlight";
  CodeHighlighter& h = ready_highlighter();
  struct Case {
    const char* lang;
    const char* code;
    std::size_t at;  // a byte inside a keyword, string or comment
  };
  const Case cases[] = {
      {"rust", "fn main() { let x = 1; }", 0},     {"rs", "pub fn f() {}", 0},
      {"c++", "int main() { return 0; }", 13},     {"C", "/* c */ int x;", 2},
      {"js", "const x = 'a';", 0},                 {"TypeScript", "function f() {}", 0},
      {"go", "package main", 0},                   {"bash", "echo \"hi\" # c", 12},
      {"json", "{\"k\": true}", 7},                {"sql", "SELECT * FROM t;", 0},
      {"yaml", "# comment\nkey: 1", 2},            {"toml", "# comment\n[a]", 2},
      {"python {.numberLines}", "import os", 0},
  };
  for (const Case& c : cases) {
    const auto tokens = h.highlight(c.lang, c.code);
    EXPECT_NE(class_at(tokens, c.at), -1) << c.lang << ": " << c.code;
  }
  EXPECT_TRUE(h.highlight("klingon", "qapla'").empty());
  EXPECT_TRUE(h.highlight("", "int x;").empty());
}

TEST(Highlight, TheSameBlockIsHighlightedOnceAndThenServedFromTheCache) {
  if (!CodeHighlighter::compiled_in()) GTEST_SKIP() << "built without source-highlight";
  CodeHighlighter h;
  h.wait_ready();
  const std::string code = "int main() { return 0; }\n";
  const auto first = h.highlight("cpp", code);
  const std::size_t n = first.size();
  ASSERT_GT(n, 0u);
  EXPECT_EQ(h.highlights_performed(), 1u);
  EXPECT_EQ(h.highlight("cpp", code).size(), n);
  EXPECT_EQ(h.highlights_performed(), 1u);
  h.highlight("c", code);  // another language is another entry
  EXPECT_EQ(h.highlights_performed(), 2u);
}

TEST(Highlight, ABlockOverTheBoundIsLeftPlainWithoutHighlighting) {
  if (!CodeHighlighter::compiled_in()) GTEST_SKIP() << "built without source-highlight";
  CodeHighlighter h;
  h.wait_ready();
  std::string code;
  while (code.size() <= CodeHighlighter::kMaxBytes) code += "x = 1  # a comment\n";
  EXPECT_TRUE(h.highlight("python", code).empty());
  EXPECT_EQ(h.highlights_performed(), 0u);
  code.resize(CodeHighlighter::kMaxBytes);
  EXPECT_FALSE(h.highlight("python", code).empty());
  EXPECT_EQ(h.highlights_performed(), 1u);
}

TEST(Highlight, AMissingDataDirectoryLeavesCodePlain) {
  CodeHighlighter h("/nonexistent/source-highlight");
  h.wait_ready();
  EXPECT_TRUE(h.ready());
  EXPECT_TRUE(h.highlight("python", "def f(): pass").empty());
}

TEST(Highlight, NoColorTurnsTheDefaultHighlighterOff) {
  EXPECT_FALSE(view::highlighting_wanted("1"));
  EXPECT_FALSE(view::highlighting_wanted("yes"));
  EXPECT_EQ(view::highlighting_wanted(nullptr), CodeHighlighter::compiled_in());
  EXPECT_EQ(view::highlighting_wanted(""), CodeHighlighter::compiled_in());
}

// Draws the layout of `markdown` and returns the cells of its code line `line`.
screen::Buffer draw(view::MarkdownLayout& m, std::string_view markdown, int width) {
  view::TextLayout layout;
  m.layout(markdown, width, layout);
  screen::Buffer b(width, static_cast<int>(layout.line_count()) + 1);
  for (std::size_t i = 0; i < layout.line_count(); ++i)
    layout.draw_line(i, b, 0, static_cast<int>(i), width);
  return b;
}

TEST(Highlight, FencedCodeIsDrawnInTheThemeColoursOverTheBlockBackground) {
  if (!CodeHighlighter::compiled_in()) GTEST_SKIP() << "built without source-highlight";
  view::MarkdownLayout m;
  m.set_highlighter(&ready_highlighter());
  const view::MarkdownTheme& theme = m.theme();
  // Line 0 is the language label; code starts at column 1 (padding).
  const screen::Buffer b = draw(m, "```python\nwhile os:  # why\n```", 30);
  EXPECT_EQ(b.at(1, 1).text(), "w");
  EXPECT_EQ(b.at(1, 1).style.fg, theme.code_tokens[static_cast<int>(TokenClass::Keyword)].fg);
  EXPECT_EQ(b.at(1, 1).style.bg, theme.code_block.bg);
  EXPECT_EQ(b.at(7, 1).style, theme.code_block);  // "os"
  const screen::Style comment = b.at(14, 1).style;
  EXPECT_EQ(comment.fg, theme.code_tokens[static_cast<int>(TokenClass::Comment)].fg);
  EXPECT_TRUE(comment.attrs & screen::kItalic);
}

TEST(Highlight, TokenColoursFollowTheLightPalette) {
  view::theme::use_palette(view::theme::kLightPalette);
  const view::MarkdownTheme light;
  view::theme::use_palette(view::theme::kDarkPalette);
  const view::MarkdownTheme dark;
  for (int i = 0; i < view::kTokenClasses; ++i) {
    EXPECT_NE(light.code_tokens[static_cast<std::size_t>(i)].fg,
              dark.code_tokens[static_cast<std::size_t>(i)].fg)
        << i;
  }
}

TEST(Highlight, WithoutAHighlighterCodeHasNoTokenColours) {
  view::MarkdownLayout m;
  m.set_highlighter(nullptr);  // what NO_COLOR gives
  const screen::Buffer b = draw(m, "```python\nimport os  # why\n```", 30);
  for (int x = 1; x < 18; ++x) EXPECT_EQ(b.at(x, 1).style, m.theme().code_block) << x;
}

TEST(Highlight, TabsAndWideCharactersKeepTheirColours) {
  if (!CodeHighlighter::compiled_in()) GTEST_SKIP() << "built without source-highlight";
  view::MarkdownLayout m;
  m.set_highlighter(&ready_highlighter());
  const screen::Buffer b = draw(m, "```py\n\ts = '日本'\n```", 30);
  // The tab became 4 spaces after the padding column: "s" at 5, the string from 9.
  EXPECT_EQ(b.at(5, 1).text(), "s");
  EXPECT_EQ(b.at(10, 1).text(), "日");
  const auto string_fg = m.theme().code_tokens[static_cast<int>(TokenClass::String)].fg;
  EXPECT_EQ(b.at(9, 1).style.fg, string_fg);
  EXPECT_EQ(b.at(10, 1).style.fg, string_fg);
}

}  // namespace
