// The prompt editor: grapheme-aware editing, word and line keys, multi-line movement, history.
#include "tui/view/input_box.hpp"

#include <gtest/gtest.h>

namespace {

using yollayah::tui::screen::Buffer;
using yollayah::tui::view::InputBox;
using yollayah::tui::view::Rect;

InputBox with(std::string_view text) {
  InputBox box;
  box.insert(text);
  return box;
}

std::string row_text(const Buffer& b, int y) {
  std::string out;
  for (int x = 0; x < b.width(); ++x) out += b.at(x, y).text();
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

TEST(InputBox, InsertsAtTheCursorAndMovesByGrapheme) {
  InputBox box = with("héllo");
  box.move_left();
  box.move_left();
  box.insert("X");
  EXPECT_EQ(box.text(), "hélXlo");
  box.move_line_start();
  box.move_right();
  box.move_right();  // past the two-byte é in one step
  EXPECT_EQ(box.cursor(), 3u);
}

TEST(InputBox, BackspaceRemovesAWholeClusterEvenAnEmojiWithModifier) {
  InputBox box = with("a👍🏽");
  box.backspace();
  EXPECT_EQ(box.text(), "a");
  box.insert("e\xcc\x81");  // e + combining acute: one cluster
  box.backspace();
  EXPECT_EQ(box.text(), "a");
}

TEST(InputBox, DeleteForwardRemovesTheClusterUnderTheCursor) {
  InputBox box = with("a中b");
  box.move_line_start();
  box.move_right();
  box.delete_forward();
  EXPECT_EQ(box.text(), "ab");
}

TEST(InputBox, CtrlWDeletesTheWordBeforeTheCursor) {
  InputBox box = with("hello big  world  ");
  box.delete_word_before();
  EXPECT_EQ(box.text(), "hello big  ");
  box.delete_word_before();
  EXPECT_EQ(box.text(), "hello ");
}

TEST(InputBox, CtrlUAndCtrlKKillToTheLineEdges) {
  InputBox box = with("one two three");
  for (int i = 0; i < 6; ++i) box.move_left();
  box.kill_to_line_end();
  EXPECT_EQ(box.text(), "one two");
  box.move_left();
  box.move_left();
  box.move_left();
  box.kill_to_line_start();
  EXPECT_EQ(box.text(), "two");
  EXPECT_EQ(box.cursor(), 0u);
}

TEST(InputBox, WordMovementSkipsSpacesThenTheWord) {
  InputBox box = with("alpha beta gamma");
  box.move_word_left();
  EXPECT_EQ(box.cursor(), 11u);
  box.move_word_left();
  EXPECT_EQ(box.cursor(), 6u);
  box.move_word_right();
  EXPECT_EQ(box.cursor(), 10u);
}

TEST(InputBox, NewlinesMakeLinesAndUpDownMoveBetweenThemKeepingTheColumn) {
  InputBox box = with("first line");
  box.newline();
  box.insert("two");
  EXPECT_EQ(box.text(), "first line\ntwo");
  EXPECT_TRUE(box.move_up());
  EXPECT_EQ(box.cursor(), 3u);  // column 3 of the first line
  box.move_line_end();
  EXPECT_TRUE(box.move_down());
  EXPECT_EQ(box.cursor(), box.text().size());  // clamped to the end of "two"
}

TEST(InputBox, PastedCarriageReturnsBecomeNewlinesAndControlsAreDropped) {
  InputBox box = with("a\r\nb\rc\x07" "d\te");
  EXPECT_EQ(box.text(), "a\nb\ncd  e");
}

TEST(InputBox, HistoryRecallsOlderEntriesAndRestoresTheDraft) {
  InputBox box;
  box.insert("first");
  EXPECT_EQ(box.take(), "first");
  box.insert("second");
  box.take();
  box.insert("draft");
  EXPECT_TRUE(box.move_up());
  EXPECT_EQ(box.text(), "second");
  EXPECT_TRUE(box.move_up());
  EXPECT_EQ(box.text(), "first");
  EXPECT_FALSE(box.move_up());  // nothing older
  EXPECT_TRUE(box.move_down());
  EXPECT_EQ(box.text(), "second");
  EXPECT_TRUE(box.move_down());
  EXPECT_EQ(box.text(), "draft");
  EXPECT_FALSE(box.move_down());
}

TEST(InputBox, HistoryKeepsFiftyEntriesAndSkipsRepeats) {
  InputBox box;
  for (int i = 0; i < 60; ++i) {
    box.insert("msg " + std::to_string(i));
    box.take();
    box.insert("msg " + std::to_string(i));
    box.take();  // a repeat of the last entry is not stored twice
  }
  ASSERT_EQ(box.history().size(), InputBox::kHistorySize);
  EXPECT_EQ(box.history().front(), "msg 10");
  EXPECT_EQ(box.history().back(), "msg 59");
}

TEST(InputBox, DrawsThePromptTextAndPutsTheCursorAfterIt) {
  Buffer b(20, 3);
  InputBox box = with("hi 中");
  const auto cursor = box.draw(b, Rect{0, 1, 20, 1}, "placeholder");
  EXPECT_EQ(row_text(b, 1), "› hi 中");
  EXPECT_EQ(cursor.x, 2 + 5);  // prompt, "hi ", and a two-column character
  EXPECT_EQ(cursor.y, 1);
}

TEST(InputBox, ShowsThePlaceholderWhenEmpty) {
  Buffer b(30, 1);
  InputBox box;
  box.draw(b, Rect{0, 0, 30, 1}, "Say something");
  EXPECT_EQ(row_text(b, 0), "› Say something");
}

TEST(InputBox, WrapsLongTextAndKeepsTheCursorLineVisible) {
  InputBox box = with("one two three four five six seven eight nine ten");
  EXPECT_GT(box.wanted_rows(12), 1);
  Buffer b(12, 2);
  const auto cursor = box.draw(b, Rect{0, 0, 12, 2}, "");
  EXPECT_EQ(cursor.y, 1);  // the last line, scrolled into the two rows
  EXPECT_NE(row_text(b, 1).find("ten"), std::string::npos);
}

TEST(InputBox, ACursorAfterATrailingNewlineSitsOnTheNextRow) {
  InputBox box = with("line");
  box.newline();
  Buffer b(20, 3);
  const auto cursor = box.draw(b, Rect{0, 0, 20, 3}, "");
  EXPECT_EQ(cursor.y, 1);
  EXPECT_EQ(cursor.x, 2);
  EXPECT_EQ(box.wanted_rows(20), 2);
}

TEST(InputBox, TinyAreasStayInsideTheirRectangle) {
  InputBox box = with("some text that is long");
  Buffer b(4, 2);
  for (int x = 0; x < 4; ++x) b.set(x, 1, "z", 1, {});
  box.draw(b, Rect{0, 0, 3, 1}, "x");
  box.draw(b, Rect{0, 0, 1, 1}, "x");
  box.draw(b, Rect{0, 0, 0, 0}, "x");
  EXPECT_EQ(row_text(b, 1), "zzzz");
  EXPECT_EQ(b.at(3, 0).text(), " ");
}

}  // namespace
