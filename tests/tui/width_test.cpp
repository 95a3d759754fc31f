// Width and wrapping: CJK, emoji (presentation, modifiers, ZWJ sequences, flags), combining marks.
#include "tui/screen/width.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace yollayah::tui::screen;

struct WidthCase {
  const char* text;
  int width;
};

TEST(Width, DisplayWidthTable) {
  const std::vector<WidthCase> cases = {
      {"", 0},
      {"hello", 5},
      {"中文", 4},                        // CJK ideographs are wide
      {"ｈｉ", 4},                        // fullwidth Latin
      {"日本語 text", 11},
      {"e\xcc\x81", 1},                   // e + COMBINING ACUTE: one column
      {"a\xcc\x81\xcc\xa7", 1},           // two combining marks on one base
      {"😀", 2},                          // emoji
      {"👍🏽", 2},                         // emoji + skin-tone modifier: one cluster
      {"👨‍👩‍👧‍👦", 2},                  // family ZWJ sequence: one cluster
      {"🇯🇵", 2},                         // flag: a regional-indicator pair
      {"\xe2\x9d\xa4\xef\xb8\x8f", 2},    // ❤️ with VS16: emoji presentation is wide
      {"\xe2\x9d\xa4", 1},                // ❤ without VS16 stays narrow
      {"a\tb", 3},                        // a tab counts as one space
      {"a\x07" "b", 2},                   // controls take no column
      {"한국어", 6},                      // Hangul syllables
  };
  for (const auto& c : cases) EXPECT_EQ(display_width(c.text), c.width) << c.text;
}

std::vector<std::string> clusters(std::string_view text) {
  std::vector<std::string> out;
  for_each_grapheme(text, [&](std::string_view c, int) { out.emplace_back(c); });
  return out;
}

TEST(Width, GraphemeIterationKeepsClustersWhole) {
  EXPECT_EQ(clusters("ae\xcc\x81"), (std::vector<std::string>{"a", "e\xcc\x81"}));
  EXPECT_EQ(clusters("👨‍👩‍👧‍👦x"), (std::vector<std::string>{"👨‍👩‍👧‍👦", "x"}));
  EXPECT_EQ(clusters("🇯🇵🇫🇷"), (std::vector<std::string>{"🇯🇵", "🇫🇷"}));
  EXPECT_EQ(clusters("\r\n"), (std::vector<std::string>{"\r\n"}));
  EXPECT_EQ(clusters("a\xff" "b"), (std::vector<std::string>{"a", "\xff", "b"}));
}

TEST(Width, AsciiFastPathKeepsTheClustersUtf8procMakes) {
  // An ASCII byte is its own cluster only when what follows is ASCII too (and it is not CR LF).
  EXPECT_EQ(clusters("ab\r\nc"), (std::vector<std::string>{"a", "b", "\r\n", "c"}));
  EXPECT_EQ(clusters("\r\r\n"), (std::vector<std::string>{"\r", "\r\n"}));
  EXPECT_EQ(clusters("e\xcc\x81x"), (std::vector<std::string>{"e\xcc\x81", "x"}));            // e + combining acute
  EXPECT_EQ(clusters("a\xe2\x80\x8d" "b"), (std::vector<std::string>{"a\xe2\x80\x8d", "b"}));  // a + ZWJ
  EXPECT_EQ(clusters("1\xef\xb8\x8f\xe2\x83\xa3"), (std::vector<std::string>{"1\xef\xb8\x8f\xe2\x83\xa3"}));  // keycap 1
  EXPECT_EQ(clusters("\t x~"), (std::vector<std::string>{"\t", " ", "x", "~"}));
  EXPECT_EQ(cluster_width("a"), 1);
  EXPECT_EQ(cluster_width(" "), 1);
  EXPECT_EQ(cluster_width("~"), 1);
  EXPECT_EQ(cluster_width("\t"), 1);
  EXPECT_EQ(cluster_width("\x7f"), 0);  // DEL is a control
  EXPECT_EQ(cluster_width("\x01"), 0);
}

std::vector<std::string> lines(std::string_view text, int width) {
  std::vector<std::string> out;
  for (const auto& r : wrap(text, width)) {
    const std::string line(text.substr(r.begin, r.end - r.begin));
    EXPECT_EQ(display_width(line), r.width) << "width of '" << line << "'";
    EXPECT_LE(r.width, width) << "'" << line << "' is wider than " << width;
    out.push_back(line);
  }
  return out;
}

using Lines = std::vector<std::string>;

TEST(Wrap, ShortTextIsOneLine) { EXPECT_EQ(lines("hello", 10), Lines{"hello"}); }

TEST(Wrap, EmptyTextIsOneEmptyLine) { EXPECT_EQ(lines("", 10), Lines{""}); }

TEST(Wrap, WrapsAtSpacesAndDropsTheSpaceAtTheBreak) {
  EXPECT_EQ(lines("the quick brown fox", 10), (Lines{"the quick", "brown fox"}));
  EXPECT_EQ(lines("aaa bbb ccc", 7), (Lines{"aaa bbb", "ccc"}));
  EXPECT_EQ(lines("aaa   bbb", 4), (Lines{"aaa", "bbb"}));
}

TEST(Wrap, TextExactlyAsWideAsTheLineFits) {
  EXPECT_EQ(lines("abcde", 5), Lines{"abcde"});
  EXPECT_EQ(lines("abcde fgh", 5), (Lines{"abcde", "fgh"}));
}

TEST(Wrap, HardBreaksWordsLongerThanTheWidth) {
  EXPECT_EQ(lines("abcdefghij", 4), (Lines{"abcd", "efgh", "ij"}));
  EXPECT_EQ(lines("hi abcdefghij", 4), (Lines{"hi", "abcd", "efgh", "ij"}));
}

TEST(Wrap, RespectsNewlines) {
  EXPECT_EQ(lines("a\nb", 10), (Lines{"a", "b"}));
  EXPECT_EQ(lines("a\n\nb\n", 10), (Lines{"a", "", "b", ""}));
  EXPECT_EQ(lines("a\r\nb", 10), (Lines{"a", "b"}));
}

TEST(Wrap, KeepsLeadingIndentation) {
  EXPECT_EQ(lines("  code", 10), Lines{"  code"});
}

TEST(Wrap, CjkBreaksBetweenCharactersWithoutSpaces) {
  EXPECT_EQ(lines("日本語のテキスト", 6), (Lines{"日本語", "のテキ", "スト"}));
  EXPECT_EQ(lines("日本語", 5), (Lines{"日本", "語"}));  // never half a wide character
}

TEST(Wrap, EmojiAndZwjSequencesAreNeverSplit) {
  EXPECT_EQ(lines("👨‍👩‍👧‍👦👨‍👩‍👧‍👦👨‍👩‍👧‍👦", 4), (Lines{"👨‍👩‍👧‍👦👨‍👩‍👧‍👦", "👨‍👩‍👧‍👦"}));
  EXPECT_EQ(lines("🇯🇵🇫🇷", 3), (Lines{"🇯🇵", "🇫🇷"}));
}

TEST(Wrap, CombiningMarksStayWithTheirBase) {
  // "café" with a decomposed é, three times: each word is 4 columns.
  const std::string cafe = "cafe\xcc\x81";
  EXPECT_EQ(lines(cafe + " " + cafe + " " + cafe, 9), (Lines{cafe + " " + cafe, cafe}));
  EXPECT_EQ(lines(cafe, 3), (Lines{"caf", "e\xcc\x81"}));
}

TEST(Wrap, AClusterWiderThanTheLineGetsALineOfItsOwn) {
  const auto r = wrap("中a", 1);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0], (LineRange{0, 3, 2}));
  EXPECT_EQ(r[1], (LineRange{3, 4, 1}));
}

TEST(Wrap, ReusesTheOutputVector) {
  std::vector<LineRange> out;
  wrap("one two three four", 5, out);
  const auto cap = out.capacity();
  const auto* data = out.data();
  wrap("five six", 5, out);
  EXPECT_EQ(out.size(), 2u);
  EXPECT_EQ(out.capacity(), cap);
  EXPECT_EQ(out.data(), data);
}

}  // namespace
