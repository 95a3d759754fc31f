#include "tui/app/controller.hpp"

#include "tui/view/panels.hpp"
#include "tui/view/theme.hpp"

#include <algorithm>

namespace yollayah::tui::app {

namespace ev = protocol::ev;
namespace msg = protocol::msg;
using term::Key;
using term::kAlt;
using term::kCtrl;
using protocol::ConductorState;

std::optional<ev::UserCommand> parse_command(std::string_view text, std::string event_id) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n')) text.remove_prefix(1);
  if (text.size() < 2 || text.front() != '/' || text[1] == '/' || text[1] == ' ') return std::nullopt;
  ev::UserCommand command{std::move(event_id), {}, {}};
  std::size_t pos = 1;
  auto next_word = [&](std::string& out) {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\n' || text[pos] == '\t')) ++pos;
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] != ' ' && text[pos] != '\n' && text[pos] != '\t') ++pos;
    out.assign(text.substr(start, pos - start));
    return !out.empty();
  };
  next_word(command.command);
  for (std::string word; next_word(word);) command.args.push_back(word);
  return command;
}

Controller::Controller(ControllerOptions options) : options_(options) {
  avatar_.set_motion_allowed(options_.motion);
}

std::string Controller::next_event_id() { return "evt_tui_" + std::to_string(next_event_++); }

bool Controller::busy() const {
  const auto s = chat_.conductor_state();
  return chat_.streaming() || s == ConductorState::Thinking || s == ConductorState::Responding || chat_.agents_running();
}

std::string Controller::selected_task() const {
  if (focus_ == Focus::Agent) return open_task_;
  if (focus_ == Focus::Tasks && selected_ < chat_.tasks().size()) return chat_.tasks()[selected_].id;
  return {};
}

void Controller::set_focus(Focus focus) {
  focus_ = focus;
  chat_.hold_tasks(focus != Focus::Input);
  if (focus != Focus::Agent) open_task_.clear();
  dirty_ = true;
}

void Controller::cancel_selected_task() {
  const std::string id = selected_task();
  const view::TaskRow* row = id.empty() ? nullptr : chat_.task(id);
  if (!row || row->status != view::TaskRow::Status::Running) return;
  ev::CancelResponse cancel{next_event_id()};
  cancel.task_id = id;
  outbox_.push_back(std::move(cancel));
}

// Esc from the panel or an answer: the turn and every agent stop (the Conductor cancels them all).
void Controller::cancel_all() { outbox_.push_back(ev::CancelResponse{next_event_id()}); }

bool Controller::on_tasks_key(const term::KeyEvent& key) {
  const auto& tasks = chat_.tasks();
  if (tasks.empty()) {
    set_focus(Focus::Input);
    return false;
  }
  selected_ = std::min(selected_, tasks.size() - 1);
  switch (key.key) {
    case Key::Up: selected_ = selected_ == 0 ? 0 : selected_ - 1; return true;
    case Key::Down: selected_ = std::min(selected_ + 1, tasks.size() - 1); return true;
    case Key::Tab: set_focus(Focus::Input); return true;
    case Key::Enter:
      open_task_ = tasks[selected_].id;
      agent_view_ = view::ConversationView();
      agent_view_.set_scroll(1 << 20);  // from the top; the view clamps it
      focus_ = Focus::Agent;
      return true;
    case Key::Escape:
      if (busy()) cancel_all();
      else set_focus(Focus::Input);
      return true;
    case Key::Char:
      if (key.mods == 0 && key.ch == 'x') {
        cancel_selected_task();
        return true;
      }
      set_focus(Focus::Input);  // typing goes back to the input box
      return false;
    default: return false;
  }
}

bool Controller::on_agent_key(const term::KeyEvent& key) {
  if (!chat_.task(open_task_)) {
    set_focus(chat_.tasks().empty() ? Focus::Input : Focus::Tasks);
    return false;
  }
  const int page = std::max(1, agent_page_ - 2);
  switch (key.key) {
    case Key::Up: agent_view_.scroll_by(1); return true;
    case Key::Down: agent_view_.scroll_by(-1); return true;
    case Key::PageUp: agent_view_.scroll_by(page); return true;
    case Key::PageDown: agent_view_.scroll_by(-page); return true;
    case Key::Home: agent_view_.set_scroll(agent_view_.max_scroll()); return true;
    case Key::End: agent_view_.set_scroll(0); return true;
    case Key::Escape:
    case Key::Enter:
    case Key::Tab: set_focus(Focus::Tasks); return true;
    case Key::Char:
      if (key.mods == 0 && key.ch == 'x') {
        cancel_selected_task();
        return true;
      }
      if (key.mods == 0 && key.ch == 'q') {
        set_focus(Focus::Tasks);
        return true;
      }
      return true;  // the answer is read-only
    default: return true;
  }
}

// The spinner turns while the Conductor works or while we wait for it to be ready.
bool Controller::animating() const {
  return options_.motion && (busy() || !chat_.ready() || connection_ == Connection::Connecting ||
                             connection_ == Connection::Reconnecting);
}

void Controller::on_message(const protocol::ConductorMessage& message, Clock::time_point now) {
  const bool was_busy = busy();
  if (chat_.apply(message, now)) dirty_ = true;
  avatar_.apply(message, now);
  if (avatar_.advance(now)) dirty_ = true;
  if (const auto* list = std::get_if<msg::HistoryList>(&message)) open_picker(*list);
  if (const auto* found = std::get_if<msg::SearchResults>(&message)) open_picker(*found);
  if (const auto* quit = std::get_if<msg::Quit>(&message)) {
    if (options_.remote && !quitting_) {
      // conductord is stopping (the user did not ask): the link reconnects when it is back.
      chat_.add_toast(protocol::NotifyLevel::Warning, "conductord is stopping",
                      quit->message.value_or("it will be reconnected when it is back"), now);
    } else {
      quitting_ = true;
    }
  } else if (chat_.refused()) {
    quitting_ = true;
  }
  if (busy() != was_busy) dirty_ = true;
  if (animating() && !spinner_due_) spinner_due_ = now + kSpinnerInterval;
  if (!chat_.agents_running()) elapsed_due_.reset();
  else if (!elapsed_due_) elapsed_due_ = now + kElapsedRefresh;
  // A Resync replaces the conversation: whatever the user scrolled to no longer exists.
  // The message being edited may be gone too: the box keeps the text, as a new message.
  if (const auto* snapshot = std::get_if<msg::StateSnapshot>(&message)) {
    conversation_.set_scroll(0);
    // Version 2: opened at a message (a /search jump): the Conductor names it, the view shows it.
    if (snapshot->focus)
      if (const auto key = chat_.key_of(*snapshot->focus)) conversation_.focus(*key);
    edit_of_.clear();
  }
}

void Controller::set_connection(Connection connection, Clock::time_point now) {
  if (connection == connection_) return;
  const Connection before = connection_;
  connection_ = connection;
  dirty_ = true;
  if (connection == Connection::Reconnecting || connection == Connection::Lost) {
    chat_.add_toast(protocol::NotifyLevel::Warning, "Connection lost",
                    connection == Connection::Lost ? "conductord is gone; restart it and reconnect"
                                                   : "conductord went away; reconnecting…",
                    now);
  } else if (connection == Connection::Connected && before == Connection::Reconnecting) {
    chat_.add_toast(protocol::NotifyLevel::Success, "", "Reconnected to conductord", now);
  }
  if (animating() && !spinner_due_) spinner_due_ = now + kSpinnerInterval;
}

void Controller::on_resize(int cols, int rows) {
  dirty_ = true;
  full_redraw_ = true;
  outbox_.push_back(ev::Resized{next_event_id(), static_cast<std::uint32_t>(std::max(cols, 0)),
                                static_cast<std::uint32_t>(std::max(rows, 0))});
}

void Controller::on_input(const term::InputEvent& event, Clock::time_point now) {
  if (editing_) {  // the editor has the terminal: keep what came after Ctrl+G for later
    held_.push_back(event);
    return;
  }
  if (const auto* key = std::get_if<term::KeyEvent>(&event)) {
    on_key(*key, now);
  } else if (const auto* mouse = std::get_if<term::MouseEvent>(&event)) {
    on_mouse(*mouse);
  } else if (const auto* paste = std::get_if<term::PasteEvent>(&event)) {
    input_.insert(paste->text);
    dirty_ = true;
  }
}

void Controller::scroll_by(int lines) {
  const int before = conversation_.scroll();
  conversation_.set_scroll(std::clamp(before + lines, 0, std::max(conversation_.max_scroll(), 0)));
  if (conversation_.scroll() != before) dirty_ = true;
}

void Controller::quit() {
  quitting_ = true;
  dirty_ = true;
}

void Controller::cancel_or_quit(bool from_ctrl_c, Clock::time_point now) {
  const bool second_ctrl_c = from_ctrl_c && last_ctrl_c_ && now - *last_ctrl_c_ <= kDoubleCtrlC;
  if (from_ctrl_c) last_ctrl_c_ = now;
  if (second_ctrl_c) return quit();
  if (busy()) {
    outbox_.push_back(ev::CancelResponse{next_event_id()});
    return;
  }
  if (!input_.empty() || !edit_of_.empty()) {  // nothing to stop: clear what was typed (or edited) before quitting
    input_.clear();
    edit_of_.clear();
    dirty_ = true;
    if (from_ctrl_c) chat_.add_toast(protocol::NotifyLevel::Info, "", "Press Ctrl+C again to quit", now);
    return;
  }
  if (!from_ctrl_c) return quit();
  chat_.add_toast(protocol::NotifyLevel::Info, "", "Press Ctrl+C again to quit", now);
  dirty_ = true;
}

void Controller::submit(Clock::time_point now) {
  if (input_.empty()) return;
  if (connection_ == Connection::Reconnecting || connection_ == Connection::Lost) {
    chat_.add_toast(protocol::NotifyLevel::Warning, "Not connected",
                    "your message is still in the box; press Enter again once reconnected", now);
    return;
  }
  if (!edit_of_.empty() && busy()) {  // the Conductor takes an edit only between answers: keep it
    chat_.add_toast(protocol::NotifyLevel::Info, "Edit not sent yet",
                    "it is still in the box; press Enter once the answer is finished (Esc stops it)", now);
    return;
  }
  std::string text = input_.take();
  const std::string edit_of = std::exchange(edit_of_, {});
  if (run_local_command(text, now)) return;
  conversation_.set_scroll(0);
  if (auto command = parse_command(text, next_event_id())) {
    if (command->command == "quit" || command->command == "exit") quitting_ = true;
    outbox_.push_back(std::move(*command));
  } else {
    ev::UserMessage message{next_event_id(), std::move(text)};
    if (!edit_of.empty()) message.edits = edit_of;
    outbox_.push_back(std::move(message));
  }
}

void Controller::on_up_down(bool up) {
  const auto last = chat_.last_user_message();
  const auto& recalled = input_.history();
  // What the box's own history would bring back may be a command: the message comes first.
  if (up && input_.empty() && focus_ == Focus::Input && last && !busy() &&
      (recalled.empty() || recalled.back() != last->text)) {
    input_.insert(last->text);
    edit_of_ = last->id;
    return;
  }
  const bool moved = up ? input_.move_up() : input_.move_down();
  if (!moved) return scroll_by(up ? 1 : -1);
  // Walking the history: an edit only while it shows the last message sent.
  if (input_.browsing()) edit_of_ = last && !busy() && input_.text() == last->text && recalled.back() == last->text ? last->id : std::string();
}

void Controller::on_key(const term::KeyEvent& key, Clock::time_point now) {
  dirty_ = true;
  if (on_tool_key(key, now)) return;
  const bool plain_ctrl_c = key.key == Key::Char && (key.mods & kCtrl) && key.ch == 'c';
  if (!plain_ctrl_c) {
    if (focus_ == Focus::Agent && on_agent_key(key)) return;
    if (focus_ == Focus::Tasks && on_tasks_key(key)) return;
  }
  const bool ctrl = key.mods & kCtrl;
  const bool alt = key.mods & kAlt;
  switch (key.key) {
    case Key::Char:
      if (ctrl) {
        switch (key.ch) {
          case 'c': return cancel_or_quit(true, now);
          case 'd':
            if (input_.empty()) return quit();
            return input_.delete_forward();
          case 'a': return input_.move_line_start();
          case 'e': return input_.move_line_end();
          case 'u': return input_.kill_to_line_start();
          case 'k': return input_.kill_to_line_end();
          case 'w': return input_.delete_word_before();
          case 'l': full_redraw_ = true; return;
          case 'j': return input_.newline();
          default: dirty_ = false; return;
        }
      }
      if (alt) {
        switch (key.ch) {
          case 'b': return input_.move_word_left();
          case 'f': return input_.move_word_right();
          default: break;
        }
      }
      {
        std::string utf8;
        term::append_utf8(utf8, key.ch);
        input_.insert(utf8);
      }
      return;
    case Key::Enter:
      if (alt) return input_.newline();
      return submit(now);
    case Key::Escape: return cancel_or_quit(false, now);
    case Key::Backspace:
      if (alt || ctrl) return input_.delete_word_before();
      return input_.backspace();
    case Key::Delete: return input_.delete_forward();
    case Key::Left:
    case Key::Right:
      // On an empty box, Alt+←/→ shows the other versions (/retry, ↑ edits) of the message the user
      // looks at: the newest on screen that has some. None: the Conductor takes the newest of all.
      if (alt && !ctrl && input_.empty() && !busy()) {
        ev::UserCommand branch{next_event_id(), "branch", {key.key == Key::Left ? "prev" : "next"}};
        if (auto id = chat_.newest_with_versions(conversation_.keys_on_screen())) branch.args.push_back(std::move(*id));
        outbox_.push_back(std::move(branch));
        return;
      }
      if (key.key == Key::Left) return ctrl || alt ? input_.move_word_left() : input_.move_left();
      return ctrl || alt ? input_.move_word_right() : input_.move_right();
    case Key::Home:
      if (ctrl) return scroll_by(conversation_.max_scroll());
      return input_.move_line_start();
    case Key::End:
      if (ctrl) return scroll_by(-conversation_.scroll());
      return input_.move_line_end();
    case Key::Up:
    case Key::Down: return on_up_down(key.key == Key::Up);
    case Key::PageUp: return scroll_by(std::max(1, page_ - 2));
    case Key::PageDown: return scroll_by(-std::max(1, page_ - 2));
    case Key::F12:
      dev_view_ = !dev_view_;
      dev_due_ = dev_view_ ? std::optional(now + kDevRefresh) : std::nullopt;
      return;
    case Key::Tab:
      if (!chat_.tasks().empty()) {  // Tab moves to the task panel while it shows something
        selected_ = 0;
        for (std::size_t i = 0; i < chat_.tasks().size(); ++i) {
          if (chat_.tasks()[i].status == view::TaskRow::Status::Running) {
            selected_ = i;
            break;
          }
        }
        set_focus(Focus::Tasks);
        return;
      }
      return input_.insert("  ");
    default: dirty_ = false; return;
  }
}

void Controller::on_mouse(const term::MouseEvent& mouse) {
  using term::MouseButton;
  if (mouse.button == MouseButton::WheelUp) return scroll_by(3);
  if (mouse.button == MouseButton::WheelDown) return scroll_by(-3);
  const bool on_avatar = mouse.x >= avatar_area_.x && mouse.x < avatar_area_.right() &&
                         mouse.y >= avatar_area_.y && mouse.y < avatar_area_.bottom();
  if (mouse.button == MouseButton::Left && mouse.action == term::MouseAction::Press && on_avatar) {
    outbox_.push_back(ev::AvatarClicked{next_event_id()});
  }
}

void Controller::tick(Clock::time_point now) {
  if (chat_.expire(now)) dirty_ = true;
  if (avatar_.advance(now)) dirty_ = true;
  if (dev_due_ && *dev_due_ <= now) {  // the F12 figures change on their own
    dirty_ = true;
    dev_due_ = now + kDevRefresh;
  }
  if (elapsed_due_ && *elapsed_due_ <= now) {
    elapsed_due_.reset();
    if (chat_.agents_running()) {
      dirty_ = true;
      elapsed_due_ = now + kElapsedRefresh;
    }
  }
  if (spinner_due_ && *spinner_due_ <= now) {
    spinner_due_.reset();
    if (animating()) {
      dirty_ = true;
      spinner_due_ = now + kSpinnerInterval;
    }
  }
}

std::optional<Clock::time_point> Controller::next_wakeup() const {
  std::optional<Clock::time_point> next = chat_.next_expiry();
  auto consider = [&](std::optional<Clock::time_point> t) {
    if (t && (!next || *t < *next)) next = t;
  };
  // The avatar animates only while it is on screen (visible, and the terminal has room for it).
  if (avatar_.visible() && !avatar_area_.empty()) consider(avatar_.next_change(Clock::now()));
  consider(spinner_due_);
  consider(dev_due_);
  consider(elapsed_due_);
  return next;
}

void Controller::set_dev_lines(std::vector<std::string> lines) {
  dev_lines_ = std::move(lines);
  dirty_ = true;
}

std::string Controller::goodbye() const {
  if (chat_.refused()) return "yollayah: " + chat_.quit_message().value_or("");
  return "Bye for now! Yollayah will be right here when you come back. (yollayah ask \"…\" works too)";
}

std::string_view Controller::state_label() const {
  switch (connection_) {
    case Connection::Connecting: return "Connecting…";
    case Connection::Reconnecting: return "Reconnecting…";
    case Connection::Lost: return "Disconnected";
    default: break;
  }
  if (!chat_.ready()) return "Starting…";
  switch (chat_.conductor_state()) {
    case ConductorState::Initializing: return "Starting…";
    case ConductorState::Ready: return "Ready";
    case ConductorState::Thinking: return "Thinking…";
    case ConductorState::Responding: return "Responding…";
    case ConductorState::Listening: return "Listening";
    case ConductorState::Error: return "Error";
    case ConductorState::ShuttingDown: return "Shutting down";
  }
  return "";
}

screen::CursorPos Controller::draw(screen::Buffer& buffer, Clock::time_point now) {
  dirty_ = false;
  // No Buffer::clear(): every region below is filled by the view that owns it, which saves a
  // pass over all cells per frame (75 µs at 200x50).
  const int width = buffer.width();
  const int height = buffer.height();
  if (width <= 0 || height <= 0) return {0, 0};

  // Bottom up: status bar, input box, a rule, and the conversation above.
  const view::Rect status{0, height - 1, width, 1};
  const int input_rows = std::min(input_.wanted_rows(width), std::max(1, height - 2));
  const view::Rect input_area{0, std::max(0, height - 1 - input_rows), width, std::min(input_rows, height - 1)};
  const int rule_y = input_area.y - 1;
  // The banner takes up to 3 rows, and never the whole conversation.
  const int top = options_.banner.empty() ? 0 : view::draw_banner(buffer, {0, 0, width, rule_y}, options_.banner, std::min(3, rule_y / 2), banner_lines_);
  const view::Rect conversation{0, top, width, std::max(0, rule_y - top)};

  // The spinner's frame follows the clock, so frames drawn for tokens turn it too and its own
  // timer only fires when nothing else redraws for a whole interval.
  const auto spin_tick = static_cast<std::uint64_t>(now.time_since_epoch() / kSpinnerInterval);
  const std::string_view spinner = view::spinner_frame(spin_tick, options_.motion);
  avatar_area_ = {};
  if (spinner_due_) spinner_due_ = now + kSpinnerInterval;
  if (!chat_.ready() && chat_.entries().empty()) {
    buffer.fill(conversation.x, conversation.y, conversation.width, conversation.height, {});
    view::draw_loading(buffer, conversation, spinner, connection_ == Connection::Embedded
                                                          ? "waking up the Conductor…"
                                                          : "connecting to conductord…");
  } else if (!conversation.empty()) {
    view::Rect text_area = conversation;
    if (avatar_.visible()) {
      const auto extent = view::Avatar::extent(avatar_.fitted_size(conversation));
      const int stage_w = extent.cols + 4;
      if (stage_w * 3 <= conversation.width && extent.rows <= conversation.height) {
        avatar_area_ = {conversation.right() - stage_w, conversation.y, stage_w, conversation.height};
        text_area.width -= stage_w;
        buffer.fill(avatar_area_.x, avatar_area_.y, avatar_area_.width, avatar_area_.height, {});
        avatar_.draw(buffer, avatar_area_, now);
      }
    }
    const int panel_w = std::min(48, text_area.width);
    // With room for both, the task panel gets a column of its own, so the conversation stays
    // readable while helpers work; on a narrow screen it covers the conversation's top right.
    view::Rect chat_area = text_area;
    if (!chat_.tasks().empty() && text_area.width - panel_w - 1 >= kMinTextBesidePanel) {
      chat_area.width -= panel_w + 1;
      buffer.fill(chat_area.right(), text_area.y, text_area.right() - chat_area.right(), text_area.height, {});
    }
    conversation_.draw(chat_.entries(), buffer, chat_area);
    page_ = text_area.height;
    view::TaskPanelState panel;
    panel.focused = focus_ == Focus::Tasks;
    panel.selected = selected_;
    panel.now = now;
    view::draw_task_panel(buffer, {text_area.right() - panel_w, text_area.y, panel_w, text_area.height}, chat_.tasks(),
                          panel, scratch_);
    if (focus_ == Focus::Agent) draw_agent_view(buffer, conversation);
  }

  if (rule_y >= 0) {
    for (int x = 0; x < width; ++x) buffer.set(x, rule_y, "─", 1, view::theme::rule());
  }
  const auto& toasts = chat_.toasts();
  if (!toasts.empty() && !conversation.empty()) view::draw_toasts(buffer, conversation, toasts, toast_scratch_);
  if (dev_view_ && !dev_lines_.empty()) view::draw_dev_panel(buffer, conversation, {dev_lines_});
  if (help_open_) draw_help(buffer, conversation);
  if (picker_open_ && !conversation.empty()) {
    picker_state_.question = picker_question_;
    picker_page_ = view::draw_history_picker(buffer, conversation, picker_frame_, picker_rows_, picker_state_);
  }

  const auto cursor = input_.draw(buffer, input_area, busy() ? "type ahead; it is sent after this answer" : "Say something to Yollayah…");
  view::StatusInfo info;
  info.state = state_label();
  info.activity = animating() || busy() ? spinner : std::string_view{};
  info.model = chat_.model();
  info.history_off = chat_.history_off();
  switch (connection_) {
    case Connection::Embedded: info.connection = "embedded"; break;
    case Connection::Connected: info.connection = "conductord"; break;
    case Connection::Connecting: info.connection = "connecting"; info.connection_ok = false; break;
    case Connection::Reconnecting: info.connection = "reconnecting"; info.connection_ok = false; break;
    case Connection::Lost: info.connection = "offline"; info.connection_ok = false; break;
  }
  info.busy = busy();
  if (!edit_of_.empty()) info.hints = "editing your last message: Enter sends a new branch";
  else if (focus_ == Focus::Tasks) info.hints = "↑↓ choose · Enter open · x stop agent · Esc stop all · Tab back";
  else if (focus_ == Focus::Agent) info.hints = "↑↓ PgUp/PgDn scroll · x stop agent · Esc back";
  else if (!chat_.tasks().empty() && !busy()) info.hints = "Enter send · Tab tasks · /help · Esc quit";
  else if (chat_.agents_running()) info.hints = "Esc stop · Tab tasks · PgUp/PgDn scroll";
  info.scroll_from_bottom = conversation_.scroll();
  info.max_scroll = conversation_.max_scroll();
  view::draw_status_bar(buffer, status, info, scratch_);
  return cursor;
}

void Controller::draw_agent_view(screen::Buffer& buffer, view::Rect area) {
  const view::TaskRow* task = chat_.task(open_task_);
  if (!task || area.empty()) return;
  const view::Rect box{area.x + 1, area.y, std::max(0, area.width - 2), area.height};
  const view::Rect inner = view::draw_agent_frame(buffer, box, *task, scratch_);
  if (inner.empty()) return;
  if (agent_entry_.empty()) agent_entry_.emplace_back();
  view::ChatEntry& entry = agent_entry_.front();
  const bool running = task->status == view::TaskRow::Status::Running;
  // The entry's key follows the task, its revision the answer: the view lays it out again only then.
  entry.key = std::hash<std::string>{}(task->id);
  entry.role = view::Role::Assistant;
  const std::uint64_t revision = task->revision * 2 + (running ? 1 : 0);
  if (entry.revision != revision || entry.text.size() != task->answer.size()) {
    entry.text = task->answer.empty() ? std::string(running ? "(waiting for the first words…)" : "(no answer)") : task->answer;
    entry.streaming = running;
    entry.interrupted = task->status == view::TaskRow::Status::Cancelled;
    entry.revision = revision;
  }
  agent_page_ = inner.height;
  agent_view_.draw(agent_entry_, buffer, inner);
}

}  // namespace yollayah::tui::app
