// The Controller's history picker: the Conductor's HistoryList (sent in answer to /history, which
// `yollayah --resume` asks at start) or SearchResults (/search) as a list over the conversation.
// Its choices go back to the Conductor as the commands a user could type: /open ID, /delete ID
// asked, and for a match /open ID MESSAGE (the Conductor then names the message to scroll to).
#include "tui/app/controller.hpp"

#include <algorithm>

namespace yollayah::tui::app {

using term::Key;
using term::kAlt;
using term::kCtrl;

void Controller::show_picker(view::PickerFrame frame, std::vector<view::PickerRow> rows) {
  picker_frame_ = std::move(frame);
  picker_rows_ = std::move(rows);
  picker_open_ = true;
  picker_question_.clear();
  picker_state_ = {};
  help_open_ = false;  // one overlay at a time
  dirty_ = true;
}

namespace {

template <class Entry>
std::vector<view::PickerRow> rows_of(const std::vector<Entry>& entries, view::PickerRow (*row)(const Entry&)) {
  std::vector<view::PickerRow> rows;
  rows.reserve(entries.size());
  for (const auto& e : entries) rows.push_back(row(e));
  return rows;
}

}  // namespace

void Controller::open_picker(const protocol::msg::HistoryList& list) {
  picker_ = list.entries;
  found_.clear();
  show_picker(view::history_frame(), rows_of(picker_, view::history_row));
}

void Controller::open_picker(const protocol::msg::SearchResults& results) {
  found_ = results.entries;
  picker_.clear();
  show_picker(view::search_frame(results.query, found_.size()), rows_of(found_, view::search_row));
}

void Controller::picker_command(std::string command, std::vector<std::string> args) {
  outbox_.push_back(protocol::ev::UserCommand{next_event_id(), std::move(command), std::move(args)});
}

void Controller::on_picker_key(const term::KeyEvent& key) {
  auto& selected = picker_state_.selected;
  const std::size_t count = picker_rows_.size();
  const bool conversations = !picker_.empty();  // a HistoryList: its entries can be deleted
  const bool plain = key.key == Key::Char && !(key.mods & (kCtrl | kAlt));
  if (!picker_question_.empty()) {  // "Delete «title»? y/n": y deletes, anything else keeps it
    picker_question_.clear();
    if (plain && (key.ch == 'y' || key.ch == 'Y') && conversations && selected < count) {
      picker_command("delete", {picker_[selected].id, "asked"});
      picker_.erase(picker_.begin() + static_cast<std::ptrdiff_t>(selected));
      picker_rows_.erase(picker_rows_.begin() + static_cast<std::ptrdiff_t>(selected));
      selected = std::min(selected, picker_rows_.empty() ? 0 : picker_rows_.size() - 1);
    }
    return;
  }
  const std::size_t page = static_cast<std::size_t>(std::max(1, picker_page_));
  const std::size_t last = count == 0 ? 0 : count - 1;
  switch (key.key) {
    case Key::Escape: picker_open_ = false; return;
    case Key::Up: selected = selected == 0 ? 0 : selected - 1; return;
    case Key::Down: selected = std::min(selected + 1, last); return;
    case Key::PageUp: selected = selected > page ? selected - page : 0; return;
    case Key::PageDown: selected = std::min(selected + page, last); return;
    case Key::Home: selected = 0; return;
    case Key::End: selected = last; return;
    case Key::Enter:
      if (selected >= count) return;
      if (selected < found_.size()) picker_command("open", {found_[selected].conversation_id, found_[selected].message_id});
      else if (conversations && !picker_[selected].current) picker_command("open", {picker_[selected].id});
      picker_open_ = false;
      return;
    case Key::Char:
      if ((key.mods & kCtrl) && (key.ch == 'c' || key.ch == 'g')) {
        picker_open_ = false;
        return;
      }
      if (plain && (key.ch == 'd' || key.ch == 'D') && conversations && selected < count)
        picker_question_ = "Delete «" + view::picker_title(picker_[selected]) + "»? y/n";
      if (plain && key.ch == 'q') picker_open_ = false;
      return;
    default: return;
  }
}

}  // namespace yollayah::tui::app
