// The Controller's history picker: the Conductor's HistoryList (sent in answer to /history, which
// `yollayah --resume` asks at start) as a list over the conversation. Its choices go back to the
// Conductor as the commands a user could type: /open ID, /delete ID asked.
#include "tui/app/controller.hpp"

#include <algorithm>

namespace yollayah::tui::app {

using term::Key;
using term::kAlt;
using term::kCtrl;

void Controller::open_picker(const protocol::msg::HistoryList& list) {
  picker_ = list.entries;
  picker_open_ = true;
  picker_question_.clear();
  picker_state_ = {};
  help_open_ = false;  // one overlay at a time
  dirty_ = true;
}

void Controller::picker_command(std::string command, std::vector<std::string> args) {
  outbox_.push_back(protocol::ev::UserCommand{next_event_id(), std::move(command), std::move(args)});
}

void Controller::on_picker_key(const term::KeyEvent& key) {
  auto& selected = picker_state_.selected;
  const std::size_t count = picker_.size();
  const bool plain = key.key == Key::Char && !(key.mods & (kCtrl | kAlt));
  if (!picker_question_.empty()) {  // "Delete «title»? y/n": y deletes, anything else keeps it
    picker_question_.clear();
    if (plain && (key.ch == 'y' || key.ch == 'Y') && selected < count) {
      picker_command("delete", {picker_[selected].id, "asked"});
      picker_.erase(picker_.begin() + static_cast<std::ptrdiff_t>(selected));
      selected = std::min(selected, picker_.empty() ? 0 : picker_.size() - 1);
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
      if (!picker_[selected].current) picker_command("open", {picker_[selected].id});
      picker_open_ = false;
      return;
    case Key::Char:
      if ((key.mods & kCtrl) && (key.ch == 'c' || key.ch == 'g')) {
        picker_open_ = false;
        return;
      }
      if (plain && (key.ch == 'd' || key.ch == 'D') && selected < count)
        picker_question_ = "Delete «" + view::picker_title(picker_[selected]) + "»? y/n";
      if (plain && key.ch == 'q') picker_open_ = false;
      return;
    default: return;
  }
}

}  // namespace yollayah::tui::app
