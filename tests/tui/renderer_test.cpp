// Renderer: the diff is minimal (exact bytes), cursor moves take the short form, SGR changes only
// with the style; truecolor, 256-colour fallback and NO_COLOR; full redraws; the hardware cursor.
#include "tui/screen/renderer.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace yollayah::tui::screen;

constexpr std::string_view kClear = "\x1b[0m\x1b[H\x1b[2J";

// The bytes of a full redraw: clear, then `rest`.
std::string cleared(std::string_view rest) {
  std::string s;
  s.reserve(kClear.size() + rest.size());
  s.append(kClear);
  s.append(rest);
  return s;
}

std::string first_frame(Renderer& r, const Buffer& b) {
  std::string out;
  r.render(b, out);
  return out;
}

Style fg(std::uint8_t red, std::uint8_t green, std::uint8_t blue, std::uint8_t attrs = 0) {
  Style s;
  s.fg = Color::rgb(red, green, blue);
  s.attrs = attrs;
  return s;
}

TEST(Renderer, FirstFrameClearsAndDrawsOnlyNonBlankCells) {
  Renderer r(ColorMode::TrueColor);
  Buffer b(10, 3);
  b.put_text(0, 0, "ab", Style{});
  EXPECT_EQ(first_frame(r, b), cleared("ab"));
}

TEST(Renderer, IdenticalFrameEmitsNothing) {
  Renderer r(ColorMode::TrueColor);
  Buffer b(20, 5);
  b.put_text(0, 0, "hello 中文 😀", fg(1, 2, 3, kBold));
  std::string out;
  r.render(b, out);
  r.render(b, out);
  EXPECT_EQ(out, "");
}

TEST(Renderer, OneChangedCellEmitsOneMoveAndTheCell) {
  Renderer r(ColorMode::TrueColor);
  Buffer b(10, 3);
  std::string out;
  r.render(b, out);
  b.put_text(3, 1, "X", Style{});
  r.render(b, out);
  EXPECT_EQ(out, "\x1b[2;4HX");
}

TEST(Renderer, ChangesAtTheEdgesOfCompareBlocksAreAllDrawn) {
  // A row of 37 cells: blocks of equal cells are skipped with one compare, and the changes right
  // before, at and after a block boundary, and in the short tail, must each still be drawn.
  Renderer r(ColorMode::TrueColor);
  Buffer b(37, 2);
  std::string out;
  r.render(b, out);
  for (int x : {0, 15, 16, 31, 32, 36}) b.put_text(x, 1, "X", Style{});
  r.render(b, out);
  EXPECT_EQ(out, "\r\nX\x1b[14CXX\x1b[14CXX\x1b[3CX");
}

TEST(Renderer, CursorMovesUseTheShortestForm) {
  Renderer r(ColorMode::TrueColor);
  Buffer b(10, 4);
  std::string out;
  r.render(b, out);
  b.put_text(3, 1, "X", Style{});
  r.render(b, out);  // the cursor is now at (4, 1)

  b.put_text(6, 1, "Y", Style{});
  r.render(b, out);
  EXPECT_EQ(out, "\x1b[2CY");  // forward on the same row

  b.put_text(7, 2, "Z", Style{});
  r.render(b, out);
  EXPECT_EQ(out, "\x1b[BZ");  // straight down

  b.put_text(0, 3, "W", Style{});
  r.render(b, out);
  EXPECT_EQ(out, "\r\nW");  // start of the next row

  b.put_text(0, 0, "V", Style{});
  r.render(b, out);
  EXPECT_EQ(out, "\x1b[HV");  // home

  b.put_text(0, 3, "U", Style{});
  r.render(b, out);
  EXPECT_EQ(out, "\x1b[4HU");  // CUP with the column omitted
}

TEST(Renderer, AdjacentChangesNeedNoMoveBetweenThem) {
  Renderer r(ColorMode::TrueColor);
  Buffer b(10, 1);
  std::string out;
  r.render(b, out);
  b.put_text(2, 0, "abc", Style{});
  r.render(b, out);
  EXPECT_EQ(out, "\x1b[2Cabc");  // shorter than CUP from (0, 0)
}

TEST(Renderer, StyleIsSetOncePerRunOfEqualStyle) {
  Renderer r(ColorMode::TrueColor);
  Buffer b(10, 1);
  b.put_text(0, 0, "ab", fg(255, 0, 0, kBold));
  b.put_text(2, 0, "c", Style{});
  EXPECT_EQ(first_frame(r, b), cleared("\x1b[1;38;2;255;0;0mab\x1b[mc"));
}

TEST(Renderer, SgrChangesOnlyWhatDiffers) {
  Renderer r(ColorMode::TrueColor);
  Buffer b(10, 1);
  b.put_text(0, 0, "a", fg(255, 0, 0, kBold));
  b.put_text(1, 0, "b", fg(255, 0, 0, kBold | kUnderline));  // add underline only
  b.put_text(2, 0, "c", fg(0, 0, 255, kBold | kUnderline));  // change colour only
  b.put_text(3, 0, "d", fg(0, 0, 255, kUnderline));          // drop bold only
  EXPECT_EQ(first_frame(r, b), cleared("\x1b[1;38;2;255;0;0ma"
                                   "\x1b[4mb"
                                   "\x1b[38;2;0;0;255mc"
                                   "\x1b[22md"));
}

TEST(Renderer, DroppingDimKeepsBold) {
  Renderer r(ColorMode::TrueColor);
  Buffer b(4, 1);
  Style both;
  both.attrs = kBold | kDim;
  Style bold;
  bold.attrs = kBold;
  b.put_text(0, 0, "a", both);
  b.put_text(1, 0, "b", bold);
  EXPECT_EQ(first_frame(r, b), cleared("\x1b[1;2ma\x1b[0;1mb"));
}

TEST(Renderer, BackgroundAndReverse) {
  Renderer r(ColorMode::TrueColor);
  Buffer b(4, 1);
  Style s;
  s.bg = Color::rgb(10, 20, 30);
  s.attrs = kReverse | kItalic;
  b.put_text(0, 0, "a", s);
  EXPECT_EQ(first_frame(r, b), cleared("\x1b[3;7;48;2;10;20;30ma"));
}

TEST(Renderer, Palette256ApproximatesRgb) {
  Renderer r(ColorMode::Palette256);
  Buffer b(4, 1);
  b.put_text(0, 0, "a", fg(255, 0, 0));
  b.put_text(1, 0, "b", fg(250, 5, 5));  // the same palette entry: no SGR change
  EXPECT_EQ(first_frame(r, b), cleared("\x1b[38;5;196mab"));
}

TEST(Renderer, RgbTo256Table) {
  EXPECT_EQ(rgb_to_256(0, 0, 0), 16);
  EXPECT_EQ(rgb_to_256(255, 255, 255), 231);
  EXPECT_EQ(rgb_to_256(255, 0, 0), 196);
  EXPECT_EQ(rgb_to_256(95, 135, 175), 67);
  EXPECT_EQ(rgb_to_256(128, 128, 128), 244);  // grey ramp beats the cube
  EXPECT_EQ(rgb_to_256(8, 8, 8), 232);
}

TEST(Renderer, NoColorKeepsAttributesAndDropsColours) {
  Renderer r(ColorMode::None);
  Buffer b(4, 1);
  b.put_text(0, 0, "a", fg(255, 0, 0, kBold));
  b.put_text(1, 0, "b", fg(0, 255, 0, kBold));  // only the colour differs: nothing to emit
  Style bg;
  bg.bg = Color::rgb(0, 0, 255);
  b.put_text(2, 0, "c", bg);
  EXPECT_EQ(first_frame(r, b), cleared("\x1b[1mab\x1b[mc"));
}

TEST(Renderer, ColorModeFromEnvironment) {
  EXPECT_EQ(color_mode_from_env("truecolor", nullptr), ColorMode::TrueColor);
  EXPECT_EQ(color_mode_from_env("24bit", nullptr), ColorMode::TrueColor);
  EXPECT_EQ(color_mode_from_env(nullptr, nullptr), ColorMode::Palette256);
  EXPECT_EQ(color_mode_from_env("yes", nullptr), ColorMode::Palette256);
  EXPECT_EQ(color_mode_from_env("truecolor", "1"), ColorMode::None);
  EXPECT_EQ(color_mode_from_env("truecolor", ""), ColorMode::TrueColor);  // empty NO_COLOR is unset
}

TEST(Renderer, WideCharacterAdvancesTheCursorTwoColumns) {
  Renderer r(ColorMode::TrueColor);
  Buffer b(6, 1);
  b.put_text(0, 0, "中a", Style{});
  EXPECT_EQ(first_frame(r, b), cleared("中a"));
}

TEST(Renderer, CellAfterAMultiCodePointClusterIsPlacedAbsolutely) {
  Renderer r(ColorMode::TrueColor);
  Buffer b(10, 1);
  b.put_text(0, 0, "👍🏽x❤️y", Style{});
  // Terminals disagree on these widths (tmux counts the skin tone as 2 more columns and the
  // heart as 1), so the next cell is positioned with CUP instead of relying on the advance.
  EXPECT_EQ(first_frame(r, b), cleared("👍🏽\x1b[1;3Hx❤️\x1b[1;6Hy"));
}

TEST(Renderer, WideCharacterAtTheRightEdgeIsDrawnAsSpace) {
  Renderer r(ColorMode::TrueColor);
  Buffer b(3, 1);
  b.put_text(0, 0, "ab中", fg(1, 1, 1));
  EXPECT_EQ(first_frame(r, b), cleared("\x1b[38;2;1;1;1mab "));
}

TEST(Renderer, ReplacingAWideCharacterRewritesBothColumns) {
  Renderer r(ColorMode::TrueColor);
  Buffer b(4, 1);
  b.put_text(0, 0, "中", Style{});
  std::string out;
  r.render(b, out);
  b.put_text(0, 0, "xy", Style{});
  r.render(b, out);
  EXPECT_EQ(out, "\rxy");
}

TEST(Renderer, WritingTheLastColumnForgetsTheCursorPosition) {
  Renderer r(ColorMode::TrueColor);
  Buffer b(3, 2);
  b.put_text(0, 0, "abc", Style{});
  b.put_text(0, 1, "d", Style{});
  // After 'c' the terminal may be in its pending-wrap state, so 'd' needs an absolute move.
  EXPECT_EQ(first_frame(r, b), cleared("abc\x1b[2Hd"));
}

TEST(Renderer, InvalidateForcesAFullRedraw) {
  Renderer r(ColorMode::TrueColor);
  Buffer b(4, 1);
  b.put_text(0, 0, "ab", Style{});
  std::string out;
  r.render(b, out);
  r.invalidate();
  r.render(b, out);
  EXPECT_EQ(out, cleared("ab"));
}

TEST(Renderer, ResizeForcesAFullRedraw) {
  Renderer r(ColorMode::TrueColor);
  Buffer b(4, 1);
  b.put_text(0, 0, "ab", Style{});
  std::string out;
  r.render(b, out);
  b.resize(5, 2);
  r.render(b, out);
  EXPECT_EQ(out, cleared("ab"));
}

TEST(Renderer, ShowsMovesAndHidesTheHardwareCursor) {
  Renderer r(ColorMode::TrueColor);
  Buffer b(10, 2);
  std::string out;
  r.render(b, out, CursorPos{2, 0});
  EXPECT_EQ(out, cleared("\x1b[2C\x1b[?25h"));
  r.render(b, out, CursorPos{2, 0});
  EXPECT_EQ(out, "");
  r.render(b, out, CursorPos{3, 0});
  EXPECT_EQ(out, "\x1b[C");
  b.put_text(0, 1, "x", Style{});
  r.render(b, out, CursorPos{3, 0});
  EXPECT_EQ(out, "\x1b[?25l\r\nx\x1b[1;4H\x1b[?25h");  // hidden while drawing
  r.render(b, out);
  EXPECT_EQ(out, "\x1b[?25l");
}

TEST(Renderer, SynchronizedOutputWrapsChangedFramesOnly) {
  Renderer r(ColorMode::TrueColor);
  r.set_synchronized_output(true);
  Buffer b(10, 1);
  std::string out;
  r.render(b, out);
  EXPECT_EQ(out, "\x1b[?2026h" + cleared("") + "\x1b[?2026l");
  r.render(b, out);
  EXPECT_EQ(out, "");
  b.put_text(1, 0, "x", Style{});
  r.render(b, out);
  EXPECT_EQ(out, "\x1b[?2026h\x1b[Cx\x1b[?2026l");
}

TEST(Renderer, SteadyStateReusesTheOutputString) {
  Renderer r(ColorMode::TrueColor);
  Buffer b(80, 24);
  std::string out;
  for (int i = 0; i < 3; ++i) {
    b.put_text(0, i % 24, "frame " + std::to_string(i), fg(10, 20, static_cast<std::uint8_t>(i)));
    r.render(b, out);
  }
  const auto* data = out.data();
  for (int i = 0; i < 100; ++i) {
    b.put_text(0, 5, (i % 2) ? "tick" : "tock", fg(10, 20, 30));
    r.render(b, out);
    ASSERT_EQ(out.data(), data);
  }
}

}  // namespace
