#include "tui/view/input_box.hpp"

#include "tui/view/theme.hpp"

#include <algorithm>

namespace yollayah::tui::view {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n'; }

constexpr std::string_view kPrompt = "› ";
constexpr int kPromptWidth = 2;

}  // namespace

std::size_t InputBox::prev_boundary(std::size_t pos) const {
  // Grapheme boundaries are found walking forward from the line start (clusters never span '\n').
  std::size_t at = line_start(pos > 0 ? pos - 1 : 0);
  std::size_t last = at;
  while (at < pos) {
    last = at;
    at = screen::next_grapheme(text_, at);
  }
  return last;
}

std::size_t InputBox::line_start(std::size_t pos) const {
  const std::size_t nl = pos == 0 ? std::string::npos : text_.rfind('\n', pos - 1);
  return nl == std::string::npos ? 0 : nl + 1;
}

std::size_t InputBox::line_end(std::size_t pos) const {
  const std::size_t nl = text_.find('\n', pos);
  return nl == std::string::npos ? text_.size() : nl;
}

int InputBox::column_of(std::size_t pos) const {
  const std::size_t start = line_start(pos);
  return screen::display_width(std::string_view(text_).substr(start, pos - start));
}

std::size_t InputBox::offset_at_column(std::size_t start, int column) const {
  const std::size_t end = line_end(start);
  std::size_t at = start;
  int col = 0;
  while (at < end) {
    const std::size_t next = screen::next_grapheme(text_, at);
    const int w = screen::cluster_width(std::string_view(text_).substr(at, next - at));
    if (col + w > column) break;
    col += w;
    at = next;
  }
  return at;
}

void InputBox::insert(std::string_view utf8) {
  leave_history();
  std::string clean;
  clean.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const char c = utf8[i];
    if (c == '\r') {
      if (i + 1 < utf8.size() && utf8[i + 1] == '\n') continue;  // CRLF is one newline
      clean.push_back('\n');
    } else if (c == '\t') {
      clean.append("  ");
    } else if (static_cast<unsigned char>(c) >= 0x20 || c == '\n') {
      clean.push_back(c);
    }
  }
  text_.insert(cursor_, clean);
  cursor_ += clean.size();
}

void InputBox::backspace() {
  if (cursor_ == 0) return;
  leave_history();
  const std::size_t start = prev_boundary(cursor_);
  text_.erase(start, cursor_ - start);
  cursor_ = start;
}

void InputBox::delete_forward() {
  if (cursor_ >= text_.size()) return;
  leave_history();
  const std::size_t end = screen::next_grapheme(text_, cursor_);
  text_.erase(cursor_, end - cursor_);
}

void InputBox::delete_word_before() {
  const std::size_t end = cursor_;
  move_word_left();
  if (cursor_ == end) return;
  leave_history();
  text_.erase(cursor_, end - cursor_);
}

void InputBox::kill_to_line_start() {
  const std::size_t start = line_start(cursor_);
  // At a line start, join with the previous line instead (as readline's Ctrl+U does nothing,
  // this is what a multi-line editor user expects).
  const std::size_t from = start == cursor_ && cursor_ > 0 ? cursor_ - 1 : start;
  if (from == cursor_) return;
  leave_history();
  text_.erase(from, cursor_ - from);
  cursor_ = from;
}

void InputBox::kill_to_line_end() {
  const std::size_t end = line_end(cursor_);
  const std::size_t to = end == cursor_ && end < text_.size() ? end + 1 : end;
  if (to == cursor_) return;
  leave_history();
  text_.erase(cursor_, to - cursor_);
}

void InputBox::clear() {
  text_.clear();
  cursor_ = 0;
  leave_history();
}

void InputBox::move_left() {
  if (cursor_ > 0) cursor_ = prev_boundary(cursor_);
}

void InputBox::move_right() {
  if (cursor_ < text_.size()) cursor_ = screen::next_grapheme(text_, cursor_);
}

void InputBox::move_word_left() {
  while (cursor_ > 0 && is_space(text_[cursor_ - 1])) --cursor_;
  while (cursor_ > 0 && !is_space(text_[cursor_ - 1])) cursor_ = prev_boundary(cursor_);
}

void InputBox::move_word_right() {
  while (cursor_ < text_.size() && is_space(text_[cursor_])) ++cursor_;
  while (cursor_ < text_.size() && !is_space(text_[cursor_])) cursor_ = screen::next_grapheme(text_, cursor_);
}

void InputBox::move_line_start() { cursor_ = line_start(cursor_); }

void InputBox::move_line_end() { cursor_ = line_end(cursor_); }

bool InputBox::move_up() {
  const std::size_t start = line_start(cursor_);
  if (start > 0) {
    const int col = column_of(cursor_);
    cursor_ = offset_at_column(line_start(start - 1), col);
    return true;
  }
  if (history_.empty()) return false;
  if (!browsing_) {
    draft_ = text_;
    recall(history_.size() - 1);
    return true;
  }
  if (history_index_ == 0) return false;
  recall(history_index_ - 1);
  return true;
}

bool InputBox::move_down() {
  const std::size_t end = line_end(cursor_);
  if (end < text_.size()) {
    const int col = column_of(cursor_);
    cursor_ = offset_at_column(end + 1, col);
    return true;
  }
  if (!browsing_) return false;
  if (history_index_ + 1 < history_.size()) {
    recall(history_index_ + 1);
  } else {
    text_ = std::move(draft_);
    draft_.clear();
    cursor_ = text_.size();
    browsing_ = false;
  }
  return true;
}

void InputBox::recall(std::size_t index) {
  browsing_ = true;
  history_index_ = index;
  text_ = history_[index];
  cursor_ = text_.size();
}

std::string InputBox::take() {
  std::string out = std::move(text_);
  text_.clear();
  cursor_ = 0;
  browsing_ = false;
  draft_.clear();
  if (!out.empty() && (history_.empty() || history_.back() != out)) {
    history_.push_back(out);
    if (history_.size() > kHistorySize) history_.pop_front();
  }
  return out;
}

int InputBox::wanted_rows(int width) const {
  const int inner = std::max(1, width - kPromptWidth);
  screen::wrap(text_, inner, lines_);
  int rows = std::max<int>(1, static_cast<int>(lines_.size()));
  // The cursor sits on a new empty line after a trailing newline, if wrap() gave it no line.
  if (!text_.empty() && text_.back() == '\n' && (lines_.empty() || lines_.back().begin < text_.size())) ++rows;
  return std::clamp(rows, 1, kMaxVisibleLines);
}

screen::CursorPos InputBox::draw(screen::Buffer& buffer, Rect area, std::string_view placeholder) const {
  if (area.empty()) return {area.x, area.y};
  buffer.fill(area.x, area.y, area.width, area.height, theme::input());
  buffer.put_text(area.x, area.y, kPrompt, theme::prompt(), area.width);
  const int inner_x = area.x + kPromptWidth;
  const int inner_w = area.width - kPromptWidth;
  if (inner_w <= 0) return {std::min(area.x + area.width - 1, area.x), area.y};
  if (text_.empty()) {
    buffer.put_text(inner_x, area.y, placeholder, theme::placeholder(), inner_w);
    return {inner_x, area.y};
  }

  screen::wrap(text_, inner_w, lines_);
  // The line holding the cursor: the last line that starts at or before it.
  int cursor_line = 0;
  int cursor_col = 0;
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    if (lines_[i].begin <= cursor_) cursor_line = static_cast<int>(i);
  }
  const bool after_newline = cursor_ > 0 && text_[cursor_ - 1] == '\n' &&
                             (lines_.empty() || lines_[static_cast<std::size_t>(cursor_line)].begin < cursor_);
  if (after_newline) {
    ++cursor_line;  // wrap() gives no line for a trailing newline; the cursor sits below
  } else if (!lines_.empty()) {
    const auto& line = lines_[static_cast<std::size_t>(cursor_line)];
    const std::size_t upto = std::min(cursor_, line.end);
    cursor_col = screen::display_width(std::string_view(text_).substr(line.begin, upto - line.begin));
  }
  cursor_col = std::min(cursor_col, inner_w - 1);

  // Scroll so the cursor's line is visible.
  const int first = std::max(0, cursor_line - area.height + 1);
  for (int row = 0; row < area.height; ++row) {
    const std::size_t index = static_cast<std::size_t>(first + row);
    if (index >= lines_.size()) break;
    const auto& line = lines_[index];
    buffer.put_text(inner_x, area.y + row, std::string_view(text_).substr(line.begin, line.end - line.begin),
                    theme::input(), inner_w);
  }
  return {inner_x + cursor_col, area.y + (cursor_line - first)};
}

}  // namespace yollayah::tui::view
