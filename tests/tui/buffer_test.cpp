// Buffer: clusters in cells, wide characters and their continuations, the right edge, combining
// marks, fill, resize and clear.
#include "tui/screen/buffer.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace {

using namespace yollayah::tui::screen;

std::string row(const Buffer& b, int y) {
  std::string s;
  for (int x = 0; x < b.width(); ++x) {
    const Cell& c = b.at(x, y);
    s += c.is_continuation() ? std::string("|") : std::string(c.text());
  }
  return s;
}

TEST(Cell, TypicalClustersFitInline) {
  EXPECT_LE(sizeof(Cell), 40u);
  Cell c;
  c.set("👍🏽", 2);
  EXPECT_EQ(c.text(), "👍🏽");
  c.set("🇯🇵", 2);
  EXPECT_EQ(c.text(), "🇯🇵");
}

TEST(Cell, OverlongClusterIsCutAtACodePointBoundary) {
  Cell c;
  const std::string family = "👨‍👩‍👧‍👦";  // 25 bytes
  c.set(family, 2);
  EXPECT_LE(c.text().size(), Cell::kCapacity);
  EXPECT_EQ(family.compare(0, c.text().size(), c.text()), 0);
  // The cut falls before a lead byte: the stored prefix is valid UTF-8.
  EXPECT_NE(static_cast<unsigned char>(family[c.text().size()]) & 0xC0, 0x80);
  EXPECT_EQ(c.width(), 2);
}

TEST(Buffer, NewBufferIsBlank) {
  Buffer b(4, 2);
  EXPECT_EQ(row(b, 0), "    ");
  EXPECT_EQ(row(b, 1), "    ");
}

TEST(Buffer, PutTextReturnsColumnsUsed) {
  Buffer b(10, 1);
  EXPECT_EQ(b.put_text(1, 0, "abc", Style{}), 3);
  EXPECT_EQ(row(b, 0), " abc      ");
}

TEST(Buffer, WideCharacterTakesTwoCellsWithAContinuation) {
  Buffer b(6, 1);
  EXPECT_EQ(b.put_text(0, 0, "中a文", Style{}), 5);
  EXPECT_EQ(row(b, 0), "中|a文| ");
  EXPECT_EQ(b.at(0, 0).width(), 2);
  EXPECT_TRUE(b.at(1, 0).is_continuation());
}

TEST(Buffer, WideCharacterAtTheRightEdgeBecomesASpace) {
  Buffer b(5, 1);
  EXPECT_EQ(b.put_text(0, 0, "abcd中", Style{}), 5);
  EXPECT_EQ(row(b, 0), "abcd ");
}

TEST(Buffer, WideCharacterAtTheMaxWidthLimitBecomesASpace) {
  Buffer b(8, 1);
  EXPECT_EQ(b.put_text(0, 0, "ab中", Style{}, 3), 3);
  EXPECT_EQ(row(b, 0), "ab      ");
  EXPECT_EQ(b.at(2, 0).text(), " ");
}

TEST(Buffer, TextIsClippedAtMaxWidth) {
  Buffer b(8, 1);
  EXPECT_EQ(b.put_text(2, 0, "abcdef", Style{}, 3), 3);
  EXPECT_EQ(row(b, 0), "  abc   ");
}

TEST(Buffer, CombiningMarksJoinTheirBaseCell) {
  Buffer b(4, 1);
  EXPECT_EQ(b.put_text(0, 0, "e\xcc\x81x", Style{}), 2);
  EXPECT_EQ(b.at(0, 0).text(), "e\xcc\x81");
  EXPECT_EQ(b.at(1, 0).text(), "x");
}

TEST(Buffer, LeadingCombiningMarkJoinsTheCellToTheLeft) {
  Buffer b(4, 1);
  b.put_text(0, 0, "e", Style{});
  EXPECT_EQ(b.put_text(1, 0, "\xcc\x81", Style{}), 0);
  EXPECT_EQ(b.at(0, 0).text(), "e\xcc\x81");
}

TEST(Buffer, OverwritingHalfAWideCharacterBlanksTheOtherHalf) {
  Buffer b(4, 1);
  b.put_text(0, 0, "中", Style{});
  b.put_text(1, 0, "x", Style{});
  EXPECT_EQ(row(b, 0), " x  ");
  b.put_text(2, 0, "文", Style{});
  b.put_text(2, 0, "y", Style{});
  EXPECT_EQ(row(b, 0), " xy ");
}

TEST(Buffer, ControlsAreSkippedAndTabsAreSpaces) {
  Buffer b(5, 1);
  EXPECT_EQ(b.put_text(0, 0, "a\x07\tb", Style{}), 3);
  EXPECT_EQ(row(b, 0), "a b  ");
}

TEST(Buffer, InvalidUtf8IsDrawnAsReplacementCharacter) {
  Buffer b(3, 1);
  b.put_text(0, 0, "\xff", Style{});
  EXPECT_EQ(b.at(0, 0).text(), "\xEF\xBF\xBD");
}

TEST(Buffer, OutOfBoundsWritesAreIgnored) {
  Buffer b(3, 2);
  EXPECT_EQ(b.put_text(0, 5, "abc", Style{}), 0);
  EXPECT_EQ(b.put_text(7, 0, "abc", Style{}), 0);
  EXPECT_EQ(b.put_text(-2, 0, "abcd", Style{}), 4);
  EXPECT_EQ(row(b, 0), "cd ");
}

TEST(Buffer, FillSetsStyleInAClippedRectangle) {
  Buffer b(4, 3);
  Style red;
  red.bg = Color::rgb(255, 0, 0);
  b.fill(2, 1, 5, 5, red);
  EXPECT_EQ(b.at(1, 1).style, Style{});
  EXPECT_EQ(b.at(2, 1).style, red);
  EXPECT_EQ(b.at(3, 2).style, red);
}

TEST(Buffer, FillDrawsWhatSettingEachCellDraws) {
  // Wide characters cut by both edges on several rows: fill copies the first row's inside to the
  // others, and must repair every row's edges as cell-by-cell set() does.
  Style style;
  style.bg = Color::rgb(9, 8, 7);
  Buffer filled(30, 5), reference(30, 5);
  for (Buffer* b : {&filled, &reference}) {
    for (int y = 0; y < 5; ++y) {
      b->put_text(0, y, "中文中文中文中文中文中文中文中", Style{});
      b->put_text(y, y, "x", Style{});  // shifts where the edges cut, row by row
    }
  }
  filled.fill(3, 1, 20, 4, style);
  for (int y = 1; y < 5; ++y) {
    for (int x = 3; x < 23; ++x) reference.set(x, y, " ", 1, style);
  }
  EXPECT_EQ(filled, reference);
}

TEST(Buffer, ResizeKeepsTheOverlapAndBlanksTheRest) {
  Buffer b(4, 2);
  b.put_text(0, 0, "abcd", Style{});
  b.put_text(0, 1, "efgh", Style{});
  b.resize(6, 1);
  EXPECT_EQ(b.width(), 6);
  EXPECT_EQ(b.height(), 1);
  EXPECT_EQ(row(b, 0), "abcd  ");
}

TEST(Buffer, ResizeThatCutsAWideCharacterBlanksIt) {
  Buffer b(4, 1);
  b.put_text(2, 0, "中", Style{});
  b.resize(3, 1);
  EXPECT_EQ(row(b, 0), "   ");
}

TEST(Buffer, ClearBlanksEverything) {
  Buffer b(3, 1);
  Style bold;
  bold.attrs = kBold;
  b.put_text(0, 0, "中x", bold);
  b.clear();
  EXPECT_EQ(b, Buffer(3, 1));
}

TEST(Cell, EqualCellsAreEqualByteForByte) {
  // The renderer compares whole rows with memcmp: a cell that held a longer cluster must not
  // keep its old bytes.
  Cell a;
  a.set("👍🏽", 2);
  a.set("x", 1);
  Cell b;
  b.set("x", 1);
  EXPECT_EQ(a, b);
  EXPECT_EQ(std::memcmp(&a, &b, sizeof(Cell)), 0);
  a.set("中", 2);
  a.set_continuation();
  Cell c;
  c.set_continuation();
  EXPECT_EQ(std::memcmp(&a, &c, sizeof(Cell)), 0);
}

// put_ascii must leave the buffer exactly as put_text does, wherever the text lands.
TEST(Buffer, PutAsciiDrawsWhatPutTextDraws) {
  Style bold;
  bold.attrs = kBold;
  struct Case {
    int x, max;
    std::string_view text;
  };
  for (const Case& k : {Case{0, 10, "hello"}, Case{3, 10, "abc"}, Case{-2, 10, "abcdef"}, Case{7, 10, "abcdef"},
                        Case{2, 3, "abcdef"}, Case{1, 1, "a"}, Case{0, 0, "abc"}, Case{10, 5, "abc"},
                        Case{-9, 20, "abc"}, Case{4, 20, ""}}) {
    for (std::string_view before : {"          ", "中文中文中", "a中b文c中d ", " 中文中文x"}) {
      Buffer by_text(10, 2), by_ascii(10, 2);
      by_text.put_text(0, 0, before, Style{});
      by_ascii.put_text(0, 0, before, Style{});
      const int a = by_text.put_text(k.x, 0, k.text, bold, k.max);
      const int b = by_ascii.put_ascii(k.x, 0, k.text, bold, k.max);
      EXPECT_EQ(by_ascii, by_text) << "x " << k.x << " max " << k.max << " '" << k.text << "' over '" << before << "'";
      if (k.x >= 0) {
        EXPECT_EQ(b, a) << "x " << k.x << " max " << k.max << " '" << k.text << "'";
      }
    }
  }
  Buffer b(4, 1);
  EXPECT_EQ(b.put_ascii(0, 5, "abc", bold, 4), 0);  // below the buffer: nothing
  EXPECT_EQ(b, Buffer(4, 1));
}

}  // namespace
