// The prompt editor: multi-line text with a cursor, grapheme-aware movement, word and line
// editing keys, paste, and a 50-entry history on Up/Down. Pure state plus a draw function.
#pragma once
#include "tui/screen/buffer.hpp"
#include "tui/screen/renderer.hpp"
#include "tui/screen/width.hpp"
#include "tui/view/rect.hpp"

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace yollayah::tui::view {

class InputBox {
 public:
  static constexpr std::size_t kHistorySize = 50;
  static constexpr int kMaxVisibleLines = 6;

  const std::string& text() const { return text_; }
  std::size_t cursor() const { return cursor_; }  // byte offset into text()
  bool empty() const { return text_.empty(); }

  // Editing. Each keeps the cursor on a grapheme boundary.
  void insert(std::string_view utf8);  // typed text or a paste; '\r' becomes '\n'
  void newline() { insert("\n"); }
  void backspace();                    // the grapheme before the cursor
  void delete_forward();               // the grapheme under the cursor
  void delete_word_before();           // Ctrl+W
  void kill_to_line_start();           // Ctrl+U
  void kill_to_line_end();             // Ctrl+K
  void clear();

  // Movement.
  void move_left();
  void move_right();
  void move_word_left();
  void move_word_right();
  void move_line_start();  // Ctrl+A, Home
  void move_line_end();    // Ctrl+E, End
  // Up/Down move between lines of a multi-line text; on the first (last) line they walk the
  // history instead. Return true when they did something.
  bool move_up();
  bool move_down();

  // Takes the text for sending: records it in the history (no duplicate of the last entry) and
  // clears the box.
  std::string take();
  const std::deque<std::string>& history() const { return history_; }
  bool browsing() const { return browsing_; }  // Up/Down show a history entry

  // Rows the box wants at `width` columns (after the prompt), 1..kMaxVisibleLines.
  int wanted_rows(int width) const;
  // Draws the box and returns where the terminal cursor belongs. `placeholder` is shown dim when
  // the box is empty.
  screen::CursorPos draw(screen::Buffer& buffer, Rect area, std::string_view placeholder) const;

 private:
  std::size_t prev_boundary(std::size_t pos) const;
  std::size_t line_start(std::size_t pos) const;
  std::size_t line_end(std::size_t pos) const;
  int column_of(std::size_t pos) const;  // display column within its line
  std::size_t offset_at_column(std::size_t start, int column) const;
  void recall(std::size_t index);
  void leave_history() { browsing_ = false; }

  std::string text_;
  std::size_t cursor_ = 0;
  std::deque<std::string> history_;
  bool browsing_ = false;
  std::size_t history_index_ = 0;  // while browsing: which entry is shown
  std::string draft_;              // the text typed before browsing started
  mutable std::vector<screen::LineRange> lines_;  // layout scratch, reused across draws
};

}  // namespace yollayah::tui::view
