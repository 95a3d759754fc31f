// The TUI's smaller widgets: the status bar, the task panel, notification toasts, the loading
// screen and the F12 developer panel. Each draws plain data into a Rect and never allocates once
// warm (text is formatted into caller-owned scratch strings).
#pragma once
#include "protocol/types.hpp"
#include "tui/screen/buffer.hpp"
#include "tui/screen/width.hpp"
#include "tui/view/rect.hpp"

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace yollayah::tui::view {

struct TaskRow {
  enum class Status : std::uint8_t { Running, Done, Failed, Cancelled };
  std::string id;
  std::string agent;  // the family name once known ("Uncle Marco"), else the agent id
  std::string description;
  std::string detail;  // the last line the agent wrote, or its summary or error
  std::uint8_t progress = 0;
  Status status = Status::Running;
  std::chrono::steady_clock::time_point started_at{};
  std::chrono::steady_clock::time_point finished_at{};
  std::string conversation_id;  // the agent's conversation (version 2), empty before it is known
  std::string answer;           // everything the agent wrote (version 2)
  std::uint64_t revision = 0;   // changes with `answer`
};

struct TaskPanelState {
  bool focused = false;              // Tab moved the keyboard here
  std::size_t selected = 0;          // the highlighted row while focused
  std::chrono::steady_clock::time_point now{};  // for elapsed times
};

struct Toast {
  protocol::NotifyLevel level = protocol::NotifyLevel::Info;
  std::string title;
  std::string message;
  std::chrono::steady_clock::time_point expires_at{};
};

struct StatusInfo {
  std::string_view state;       // "Ready", "Thinking…", "Reconnecting in 4 s"
  std::string_view activity;    // a spinner frame or empty
  std::string_view model;
  bool history_off = false;     // nothing is kept on disk: "history off" beside the model
  std::string_view connection;  // "embedded", "conductord", "offline"
  bool connection_ok = true;
  bool busy = false;            // an answer is being generated: hints mention Esc to stop
  std::string_view hints;       // replaces the default key hints when set (a focused panel's)
  int scroll_from_bottom = 0;
  int max_scroll = 0;
};

// One row: state and activity on the left, key hints in the middle, scroll position and model on
// the right. Parts drop out, least important first, as the width shrinks.
void draw_status_bar(screen::Buffer& buffer, Rect area, const StatusInfo& info, std::string& scratch);

// A boxed list of tasks, three lines each: the agent's family name and its task; a progress bar,
// the percentage (or the outcome) and the elapsed time; the last line it wrote. The selected row
// is marked while the panel has the keyboard. Returns the rows used (0 when there is nothing to
// show or no room).
int draw_task_panel(screen::Buffer& buffer, Rect area, std::span<const TaskRow> tasks, const TaskPanelState& state,
                    std::string& scratch);
int task_panel_rows(std::span<const TaskRow> tasks);

// "12s", "3m05s": a task's running time.
void append_elapsed(std::string& out, std::chrono::steady_clock::duration elapsed);

// A one-cell rounded border around `box`, filled with `style`; returns the inner rectangle (a
// column of padding on each side).
Rect draw_box(screen::Buffer& buffer, Rect box, const screen::Style& style, const screen::Style& border);

// The frame of the agent-answer view over `area`: a box titled with the agent and its task and
// a line of key hints; returns where the answer itself goes.
Rect draw_agent_frame(screen::Buffer& buffer, Rect area, const TaskRow& task, std::string& scratch);

// Toasts in the bottom-right corner of `area`, newest at the bottom, each wrapped onto at most
// kMaxToastLines lines. The scratch is the caller's, reused across frames.
inline constexpr int kMaxToastLines = 4;
struct ToastScratch {
  std::string text;
  std::vector<screen::LineRange> lines;
};
void draw_toasts(screen::Buffer& buffer, Rect area, std::span<const Toast> toasts, ToastScratch& scratch);

// A highlighted notice across the top of `area` (demo mode's), wrapped onto at most `max_rows`
// rows; `lines` is layout scratch the caller keeps. Returns the rows used.
int draw_banner(screen::Buffer& buffer, Rect area, std::string_view text, int max_rows,
                std::vector<screen::LineRange>& lines);

// Shown until the Conductor is ready: a centred title, a spinner frame and a hint.
void draw_loading(screen::Buffer& buffer, Rect area, std::string_view spinner, std::string_view detail);

struct DevInfo {
  std::span<const std::string> lines;  // preformatted: loop lag per loop, tokens/s, frame time
};
void draw_dev_panel(screen::Buffer& buffer, Rect area, const DevInfo& info);

// The spinner frame for a tick count (braille dots); a static dot when motion is off.
std::string_view spinner_frame(std::uint64_t tick, bool motion);

// Draws `text` centred in a row of `area`.
void put_centered(screen::Buffer& buffer, Rect area, int row, std::string_view text, const screen::Style& style);

}  // namespace yollayah::tui::view
