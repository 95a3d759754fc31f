// The TUI's logic without any I/O: keys and Conductor messages in, SurfaceEvents and frames out.
// The async shell (app.hpp) feeds it and owns the terminal, the link and the timers; tests drive it
// directly with a fake clock.
#pragma once
#include "protocol/messages.hpp"
#include "tui/app/appearance.hpp"
#include "tui/app/chat_state.hpp"
#include "tui/screen/buffer.hpp"
#include "tui/screen/renderer.hpp"
#include "tui/term/input_decoder.hpp"
#include "tui/view/avatar.hpp"
#include "tui/view/conversation.hpp"
#include "tui/view/help_overlay.hpp"
#include "tui/view/history_picker.hpp"
#include "tui/view/input_box.hpp"
#include "tui/view/panels.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace yollayah::tui::app {

// How the surface reaches its Conductor, as the status bar shows it.
enum class Connection : std::uint8_t { Embedded, Connected, Connecting, Reconnecting, Lost };

// Where the keyboard goes: the input box, the task panel (Tab), or one agent's answer (Enter there).
enum class Focus : std::uint8_t { Input, Tasks, Agent };

struct ControllerOptions {
  bool motion = true;   // false under REDUCE_MOTION: no animation timers at all
  bool remote = false;  // attached to conductord: its Quit means "stopping", not "leave"
  std::string banner;   // a line kept at the top of the screen (demo mode), empty for none
};

class Controller {
 public:
  static constexpr std::chrono::milliseconds kSpinnerInterval{100};
  static constexpr std::chrono::milliseconds kDoubleCtrlC{1500};
  static constexpr std::chrono::milliseconds kDevRefresh{1000};
  static constexpr std::chrono::milliseconds kElapsedRefresh{1000};
  static constexpr int kMinTextBesidePanel = 40;  // columns the conversation keeps beside the task panel

  explicit Controller(ControllerOptions options = {});

  void on_input(const term::InputEvent& event, Clock::time_point now);
  void on_message(const protocol::ConductorMessage& message, Clock::time_point now);
  void on_resize(int cols, int rows);
  void set_connection(Connection connection, Clock::time_point now);

  // Runs what was due at `now` (toast expiry, avatar frames, the spinner).
  void tick(Clock::time_point now);
  // When tick() next has something to do; nullopt when nothing changes by itself (an idle,
  // motionless screen has no timer at all).
  std::optional<Clock::time_point> next_wakeup() const;

  // Events for the Conductor, in order; the shell sends and clears them.
  std::vector<protocol::SurfaceEvent>& outbox() { return outbox_; }

  bool dirty() const { return dirty_; }
  // True once after Ctrl+L or a resize: the next frame must be a full redraw.
  bool take_full_redraw() { return std::exchange(full_redraw_, false); }
  bool quitting() const { return quitting_; }
  std::string goodbye() const;
  bool dev_view() const { return dev_view_; }
  // The F12 panel's lines, set by the shell (it knows the loops and the frame times).
  void set_dev_lines(std::vector<std::string> lines);

  // Draws the whole screen into `buffer` (sized by the caller) and clears dirty(). Returns where
  // the terminal cursor belongs.
  screen::CursorPos draw(screen::Buffer& buffer, Clock::time_point now);

  // Bytes for the terminal itself (OSC 52 copies, mouse mode switches): the shell writes them with
  // the next frame and clears them.
  std::string& terminal_out() { return terminal_out_; }
  bool mouse_capture() const { return mouse_capture_; }

  // Ctrl+G or Ctrl+X Ctrl+E asked for the external editor: the text to edit, once. From then on
  // input is held (not lost) until finish_edit(), which puts the edited text in the box (nullopt:
  // unchanged, with `problem` as a toast) and replays what was held.
  std::optional<std::string> take_edit_request();
  void finish_edit(std::optional<std::string> text, std::string_view problem, Clock::time_point now);
  bool editing() const { return editing_; }

  // The palette (chosen once at start-up, before the first frame; later calls redraw everything).
  void use_background(Background background);
  bool help_open() const { return help_open_; }
  // The help overlay's rows as filtered now (tests read them).
  const std::vector<view::HelpLine>& help_rows() const { return help_shown_; }
  // The history picker (the Conductor's HistoryList: /history, `yollayah --resume`; or its
  // SearchResults: /search).
  bool picker_open() const { return picker_open_; }
  const std::vector<protocol::HistoryEntry>& picker_entries() const { return picker_; }
  const std::vector<protocol::SearchEntry>& picker_matches() const { return found_; }
  std::size_t picker_selected() const { return picker_state_.selected; }
  bool picker_asking() const { return !picker_question_.empty(); }

  const ChatState& chat() const { return chat_; }
  const view::InputBox& input() const { return input_; }
  // The id of the sent message the box holds an edit of; "" when it holds a new message.
  const std::string& editing_message() const { return edit_of_; }
  const view::Avatar& avatar() const { return avatar_; }
  int scroll() const { return conversation_.scroll(); }
  Focus focus() const { return focus_; }
  // The task the panel highlights (Tasks focus) or whose answer is open (Agent focus); "" if none.
  std::string selected_task() const;
  int agent_scroll() const { return agent_view_.scroll(); }

 private:
  void on_key(const term::KeyEvent& key, Clock::time_point now);
  // The TUI's own keys and commands (controller_tools.cpp). Each returns true when it took the key
  // or the text.
  bool on_tool_key(const term::KeyEvent& key, Clock::time_point now);
  bool run_local_command(std::string_view text, Clock::time_point now);
  void copy_answer(std::optional<int> code_block, bool want_code, Clock::time_point now);
  void toggle_mouse(Clock::time_point now);
  void open_help();
  void on_help_key(const term::KeyEvent& key);
  void refilter_help();
  void draw_help(screen::Buffer& buffer, view::Rect area);
  // The history picker (controller_picker.cpp).
  void open_picker(const protocol::msg::HistoryList& list);
  void open_picker(const protocol::msg::SearchResults& results);
  void show_picker(view::PickerFrame frame, std::vector<view::PickerRow> rows);
  void on_picker_key(const term::KeyEvent& key);
  void picker_command(std::string command, std::vector<std::string> args);
  bool on_tasks_key(const term::KeyEvent& key);  // true when the panel took the key
  bool on_agent_key(const term::KeyEvent& key);
  void set_focus(Focus focus);
  void cancel_selected_task();
  void cancel_all();
  void draw_agent_view(screen::Buffer& buffer, view::Rect area);
  void on_mouse(const term::MouseEvent& mouse);
  void submit(Clock::time_point now);
  // ↑ and ↓ in the input box; on an empty box the first ↑ loads the last message sent for editing.
  void on_up_down(bool up);
  void cancel_or_quit(bool from_ctrl_c, Clock::time_point now);
  void scroll_by(int lines);
  void quit();
  bool busy() const;
  bool animating() const;
  std::string next_event_id();
  std::string_view state_label() const;

  ControllerOptions options_;
  ChatState chat_;
  view::InputBox input_;
  view::Avatar avatar_;
  view::ConversationView conversation_;
  std::vector<protocol::SurfaceEvent> outbox_;
  Connection connection_ = Connection::Embedded;
  bool dirty_ = true;
  bool full_redraw_ = false;
  bool quitting_ = false;
  bool dev_view_ = false;
  int page_ = 10;            // conversation rows at the last draw
  std::optional<Clock::time_point> spinner_due_;
  std::optional<Clock::time_point> last_ctrl_c_;
  std::optional<Clock::time_point> dev_due_;
  // While helpers run, their elapsed times change on their own: a frame a second even with no
  // animation (REDUCE_MOTION) and no token arriving.
  std::optional<Clock::time_point> elapsed_due_;
  std::uint64_t next_event_ = 1;
  view::Rect avatar_area_;
  std::vector<std::string> dev_lines_;
  std::string scratch_;
  std::vector<screen::LineRange> banner_lines_;
  view::ToastScratch toast_scratch_;
  Focus focus_ = Focus::Input;
  std::size_t selected_ = 0;
  std::string open_task_;                 // the task whose answer the agent view shows
  view::ConversationView agent_view_;
  std::vector<view::ChatEntry> agent_entry_;  // one entry: the open answer
  int agent_page_ = 10;

  std::string terminal_out_;
  bool mouse_capture_ = true;
  bool ctrl_x_pending_ = false;  // Ctrl+X waits for Ctrl+E
  bool edit_requested_ = false;
  bool editing_ = false;
  std::vector<term::InputEvent> held_;  // input that arrived while the editor ran
  bool help_open_ = false;
  std::string help_filter_;
  int help_scroll_ = 0;
  int help_max_scroll_ = 0;
  std::vector<view::HelpLine> help_all_;
  std::vector<view::HelpLine> help_shown_;
  Background background_ = Background::Dark;
  // The message the box holds an edit of (↑ on an empty box): Enter sends it as a new branch.
  std::string edit_of_;
  bool picker_open_ = false;
  std::vector<protocol::HistoryEntry> picker_;  // what a HistoryList listed; empty for search results
  std::vector<protocol::SearchEntry> found_;    // what SearchResults listed; empty for a HistoryList
  view::PickerFrame picker_frame_;
  std::vector<view::PickerRow> picker_rows_;  // one per entry of picker_ or found_
  view::HistoryPickerState picker_state_;
  std::string picker_question_;  // "Delete «title»? y/n" while asked
  int picker_page_ = 5;
};

// Splits "/model llama3.2" into a UserCommand ("model", {"llama3.2"}); nullopt for plain text.
std::optional<protocol::ev::UserCommand> parse_command(std::string_view text, std::string event_id);

}  // namespace yollayah::tui::app
