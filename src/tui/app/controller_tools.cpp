// The Controller's TUI-local tools: copying with OSC 52 (/copy, Ctrl+Y), the mouse capture
// switch (F2), the external editor request (Ctrl+G, Ctrl+X Ctrl+E), the help overlay (F1, ?) and
// the palette. None of them reaches the Conductor.
#include "tui/app/clipboard.hpp"
#include "tui/app/controller.hpp"
#include "tui/app/key_help.hpp"

#include <algorithm>
#include <charconv>

namespace yollayah::tui::app {

using protocol::NotifyLevel;
using term::Key;
using term::kAlt;
using term::kCtrl;

namespace {

constexpr std::string_view kMouseOn = "\x1b[?1000h\x1b[?1002h\x1b[?1006h";
constexpr std::string_view kMouseOff = "\x1b[?1006l\x1b[?1002l\x1b[?1000l";

const view::ChatEntry* last_answer(const std::vector<view::ChatEntry>& entries) {
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (it->role == view::Role::Assistant && !it->text.empty()) return &*it;
  }
  return nullptr;
}

// The text of the Conductor's last /help note, "" when it has not been asked for.
std::string_view conductor_help(const std::vector<view::ChatEntry>& entries) {
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (it->role == view::Role::System && it->text.starts_with("Commands:")) return it->text;
  }
  return {};
}

}  // namespace

bool Controller::on_tool_key(const term::KeyEvent& key, Clock::time_point now) {
  if (picker_open_) {
    on_picker_key(key);
    return true;
  }
  if (help_open_) {
    on_help_key(key);
    return true;
  }
  const bool ctrl = key.mods & kCtrl;
  const bool plain_char = key.key == Key::Char && !(key.mods & (kCtrl | kAlt));
  if (std::exchange(ctrl_x_pending_, false) && ctrl && key.key == Key::Char && key.ch == 'e') {
    edit_requested_ = true;
    return true;
  }
  if (key.key == Key::F1 || (plain_char && key.ch == U'?' && focus_ == Focus::Input && input_.empty())) {
    open_help();
    return true;
  }
  if (key.key == Key::F2) {
    toggle_mouse(now);
    return true;
  }
  if (!ctrl || key.key != Key::Char) return false;
  switch (key.ch) {
    case 'g': edit_requested_ = true; return true;
    case 'x': ctrl_x_pending_ = true; return true;
    case 'y': copy_answer(std::nullopt, false, now); return true;
    default: return false;
  }
}

// "/copy" and "/copy code [N]"; anything else is the Conductor's.
bool Controller::run_local_command(std::string_view text, Clock::time_point now) {
  auto command = parse_command(text, {});
  if (!command || command->command != "copy") return false;
  const auto& args = command->args;
  if (args.empty()) {
    copy_answer(std::nullopt, false, now);
    return true;
  }
  int n = 0;
  const bool numbered = args.size() == 2 &&
                        std::from_chars(args[1].data(), args[1].data() + args[1].size(), n).ec == std::errc{} && n >= 1;
  if (args[0] == "code" && (args.size() == 1 || numbered)) {
    copy_answer(numbered ? std::optional(n) : std::nullopt, true, now);
  } else {
    chat_.add_toast(NotifyLevel::Warning, "", "Usage: /copy (the last answer) or /copy code [N] (its code block N)", now);
  }
  return true;
}

void Controller::copy_answer(std::optional<int> code_block, bool want_code, Clock::time_point now) {
  dirty_ = true;
  const view::ChatEntry* answer = last_answer(chat_.entries());
  if (answer == nullptr) {
    chat_.add_toast(NotifyLevel::Warning, "", "Nothing to copy: there is no answer yet", now);
    return;
  }
  std::string text;
  std::string which;
  if (want_code) {
    auto blocks = code_blocks(answer->text);
    const int count = static_cast<int>(blocks.size());
    const int n = code_block.value_or(count);
    if (count == 0 || n > count) {
      chat_.add_toast(NotifyLevel::Warning, "",
                      count == 0 ? std::string("The last answer has no code block")
                                 : "The last answer has no code block " + std::to_string(n) + " (it has " + std::to_string(count) + ")",
                      now);
      return;
    }
    text = std::move(blocks[static_cast<std::size_t>(n - 1)]);
    which = " (code block " + std::to_string(n) + " of " + std::to_string(count) + ")";
  } else {
    text = answer->text;
  }
  terminal_out_ += osc52_sequence(text);
  chat_.add_toast(NotifyLevel::Success, "", "Copied " + group_thousands(text.size()) + " bytes" + which, now);
}

void Controller::toggle_mouse(Clock::time_point now) {
  mouse_capture_ = !mouse_capture_;
  terminal_out_ += mouse_capture_ ? kMouseOn : kMouseOff;
  chat_.add_toast(NotifyLevel::Info, "",
                  mouse_capture_ ? "Mouse capture on: the wheel scrolls; F2 lets the terminal select text"
                                 : "Mouse capture off: select text with the mouse; F2 turns it back on",
                  now);
}

std::optional<std::string> Controller::take_edit_request() {
  if (!edit_requested_ || editing_) return std::nullopt;
  edit_requested_ = false;
  editing_ = true;
  return input_.text();
}

void Controller::finish_edit(std::optional<std::string> text, std::string_view problem, Clock::time_point now) {
  editing_ = false;
  dirty_ = true;
  full_redraw_ = true;
  if (text) {
    input_.clear();
    input_.insert(*text);
  }
  if (!problem.empty()) chat_.add_toast(NotifyLevel::Warning, "External editor", std::string(problem), now);
  auto held = std::exchange(held_, {});
  for (const auto& event : held) on_input(event, now);
}

void Controller::use_background(Background background) {
  background_ = background;
  view::theme::use_palette(palette_for(background));
  const int scroll = conversation_.scroll();
  conversation_ = view::ConversationView(markdown_theme_for(background));
  conversation_.set_scroll(scroll);
  const int agent_scroll = agent_view_.scroll();
  agent_view_ = view::ConversationView(markdown_theme_for(background));
  agent_view_.set_scroll(agent_scroll);
  dirty_ = true;
  full_redraw_ = true;
}

void Controller::open_help() {
  help_open_ = true;
  help_filter_.clear();
  help_scroll_ = 0;
  help_all_ = help_lines(conductor_help(chat_.entries()));
  refilter_help();
}

void Controller::refilter_help() {
  help_shown_ = filter_help(help_all_, help_filter_);
  help_scroll_ = 0;
}

void Controller::on_help_key(const term::KeyEvent& key) {
  const bool ctrl = key.mods & kCtrl;
  switch (key.key) {
    case Key::Escape:
    case Key::F1: help_open_ = false; return;
    case Key::Up: help_scroll_ = std::max(0, help_scroll_ - 1); return;
    case Key::Down: help_scroll_ = std::min(help_max_scroll_, help_scroll_ + 1); return;
    case Key::PageUp: help_scroll_ = std::max(0, help_scroll_ - 10); return;
    case Key::PageDown: help_scroll_ = std::min(help_max_scroll_, help_scroll_ + 10); return;
    case Key::Backspace:
      if (help_filter_.empty()) return;
      while (!help_filter_.empty() && (static_cast<unsigned char>(help_filter_.back()) & 0xC0) == 0x80) help_filter_.pop_back();
      if (!help_filter_.empty()) help_filter_.pop_back();
      return refilter_help();
    case Key::Char:
      if (ctrl && (key.ch == 'c' || key.ch == 'g')) {
        help_open_ = false;
        return;
      }
      if (ctrl && key.ch == 'u') {
        help_filter_.clear();
        return refilter_help();
      }
      if (key.mods & (kCtrl | kAlt)) return;
      term::append_utf8(help_filter_, key.ch);
      return refilter_help();
    default: return;
  }
}

void Controller::draw_help(screen::Buffer& buffer, view::Rect area) {
  view::HelpOverlayState state;
  state.filter = help_filter_;
  state.scroll = help_scroll_;
  help_max_scroll_ = view::draw_help_overlay(buffer, area, help_shown_, state);
  help_scroll_ = std::min(help_scroll_, help_max_scroll_);
}

}  // namespace yollayah::tui::app
