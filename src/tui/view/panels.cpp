#include "tui/view/panels.hpp"

#include "tui/screen/width.hpp"
#include "tui/view/theme.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <vector>

namespace yollayah::tui::view {

namespace {

void append_int(std::string& out, long long value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec;
  out.append(buf, end);
}

screen::Color level_color(protocol::NotifyLevel level) {
  switch (level) {
    case protocol::NotifyLevel::Warning: return theme::kWarning;
    case protocol::NotifyLevel::Error: return theme::kError;
    case protocol::NotifyLevel::Success: return theme::kSuccess;
    case protocol::NotifyLevel::Info: break;
  }
  return theme::kTeal;
}

std::string_view level_icon(protocol::NotifyLevel level) {
  switch (level) {
    case protocol::NotifyLevel::Warning: return "!";
    case protocol::NotifyLevel::Error: return "✗";
    case protocol::NotifyLevel::Success: return "✓";
    case protocol::NotifyLevel::Info: break;
  }
  return "i";
}

}  // namespace

Rect draw_box(screen::Buffer& buffer, Rect box, const screen::Style& style, const screen::Style& border) {
  buffer.fill(box.x, box.y, box.width, box.height, style);
  if (box.width < 2 || box.height < 2) return {box.x, box.y, 0, 0};
  for (int x = box.x + 1; x < box.right() - 1; ++x) {
    buffer.set(x, box.y, "─", 1, border);
    buffer.set(x, box.bottom() - 1, "─", 1, border);
  }
  for (int y = box.y + 1; y < box.bottom() - 1; ++y) {
    buffer.set(box.x, y, "│", 1, border);
    buffer.set(box.right() - 1, y, "│", 1, border);
  }
  buffer.set(box.x, box.y, "╭", 1, border);
  buffer.set(box.right() - 1, box.y, "╮", 1, border);
  buffer.set(box.x, box.bottom() - 1, "╰", 1, border);
  buffer.set(box.right() - 1, box.bottom() - 1, "╯", 1, border);
  return {box.x + 2, box.y + 1, box.width - 4, box.height - 2};
}

void put_centered(screen::Buffer& buffer, Rect area, int row, std::string_view text, const screen::Style& style) {
  if (row < 0 || row >= area.height) return;
  const int w = std::min(screen::display_width(text), area.width);
  buffer.put_text(area.x + (area.width - w) / 2, area.y + row, text, style, area.width);
}

std::string_view spinner_frame(std::uint64_t tick, bool motion) {
  static constexpr std::array<std::string_view, 10> kFrames = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
  return motion ? kFrames[tick % kFrames.size()] : "•";
}

void draw_status_bar(screen::Buffer& buffer, Rect area, const StatusInfo& info, std::string& scratch) {
  if (area.empty()) return;
  buffer.fill(area.x, area.y, area.width, 1, theme::status_bar());
  int x = area.x + 1;
  const int limit = area.right();

  // Left: activity and state.
  if (!info.activity.empty()) {
    x += buffer.put_text(x, area.y, info.activity, theme::status_key(), limit - x);
    x += buffer.put_text(x, area.y, " ", theme::status_bar(), limit - x);
  }
  x += buffer.put_text(x, area.y, info.state, theme::make(theme::kText, theme::kBar, screen::kBold), limit - x);

  // Right: scroll position, model, connection.
  scratch.clear();
  if (info.scroll_from_bottom > 0) {
    scratch += "↑";
    append_int(scratch, info.scroll_from_bottom);
    scratch += "/";
    append_int(scratch, info.max_scroll);
    scratch += "  ";
  }
  if (info.history_off) scratch += "history off  ";
  if (!info.model.empty()) {
    scratch += info.model;
    scratch += "  ";
  }
  const std::size_t connection_at = scratch.size();
  scratch += info.connection_ok ? "● " : "○ ";
  scratch += info.connection;
  scratch += ' ';
  int right_w = screen::display_width(scratch);
  const int room_for_right = limit - x - 2;
  std::string_view right = scratch;
  if (right_w > room_for_right) {  // keep only the connection
    right = std::string_view(scratch).substr(connection_at);
    right_w = screen::display_width(right);
  }
  if (right_w <= room_for_right) {
    const int rx = limit - right_w;
    const std::size_t split = right.size() - (scratch.size() - connection_at);
    buffer.put_text(rx, area.y, right.substr(0, split), theme::status_dim());
    const auto conn_style = theme::make(info.connection_ok ? theme::kSuccess : theme::kWarning, theme::kBar);
    buffer.put_text(rx + screen::display_width(right.substr(0, split)), area.y, right.substr(split), conn_style);
  }

  // Middle: key hints, if they fit between the two.
  const std::string_view hints = !info.hints.empty() ? info.hints
                                 : info.busy       ? "Esc stop · PgUp/PgDn scroll · F12 dev"
                                                   : "Enter send · Alt+Enter newline · /help · Esc quit";
  const int hint_w = screen::display_width(hints);
  const int free_from = x + 3;
  const int free_to = limit - (right_w <= room_for_right ? right_w : 0) - 3;
  if (free_to - free_from >= hint_w) {
    buffer.put_text(free_from + (free_to - free_from - hint_w) / 2, area.y, hints, theme::status_dim());
  }
}

int task_panel_rows(std::span<const TaskRow> tasks) {
  if (tasks.empty()) return 0;
  return 2 + 3 * static_cast<int>(tasks.size());
}

void append_elapsed(std::string& out, std::chrono::steady_clock::duration elapsed) {
  const auto secs = std::max<long long>(0, std::chrono::duration_cast<std::chrono::seconds>(elapsed).count());
  if (secs >= 60) {
    append_int(out, secs / 60);
    out += "m";
    if (secs % 60 < 10) out += "0";
    append_int(out, secs % 60);
  } else {
    append_int(out, secs);
  }
  out += "s";
}

namespace {

std::string_view outcome_label(TaskRow::Status status) {
  switch (status) {
    case TaskRow::Status::Done: return "done";
    case TaskRow::Status::Failed: return "failed";
    case TaskRow::Status::Cancelled: return "stopped";
    case TaskRow::Status::Running: break;
  }
  return "";
}

}  // namespace

int draw_task_panel(screen::Buffer& buffer, Rect area, std::span<const TaskRow> tasks, const TaskPanelState& state,
                    std::string& scratch) {
  const int wanted = task_panel_rows(tasks);
  if (wanted == 0 || area.width < 16 || area.height < 5) return 0;
  const int rows = std::min(wanted, area.height);
  const auto border = state.focused ? theme::make(theme::kAccent, theme::kPanel) : theme::panel_dim();
  const Rect inner = draw_box(buffer, {area.x, area.y, area.width, rows}, theme::panel(), border);
  buffer.put_text(area.x + 2, area.y, state.focused ? " Tasks · Enter open · x stop " : " Tasks · Tab ", theme::panel_title(),
                  area.width - 4);
  // While focused, the selected row stays in view: earlier rows scroll off the top.
  const int per_task = 3;
  const int fits = std::max(1, inner.height / per_task);
  std::size_t first = 0;
  if (state.focused && state.selected >= static_cast<std::size_t>(fits)) first = state.selected + 1 - static_cast<std::size_t>(fits);
  int y = inner.y;
  for (std::size_t i = first; i < tasks.size() && y + per_task <= inner.bottom(); ++i) {
    const auto& task = tasks[i];
    const bool selected = state.focused && i == state.selected;
    // Line 1: a marker, the family name, then the task.
    int x = inner.x - 1;
    buffer.put_text(x, y, selected ? "›" : " ", theme::make(theme::kAccent, theme::kPanel, screen::kBold), 1);
    x = inner.x;
    const auto name_style = theme::make(theme::kAccent, theme::kPanel, screen::kBold | (selected ? screen::kUnderline : 0));
    x += buffer.put_text(x, y, task.agent, name_style, inner.right() - x);
    x += buffer.put_text(x, y, "  ", theme::panel(), inner.right() - x);
    buffer.put_text(x, y, task.description, theme::panel_dim(), inner.right() - x);
    // Line 2: a progress bar, the percentage or the outcome, the elapsed time.
    ++y;
    scratch.clear();
    if (task.status == TaskRow::Status::Running) {
      append_int(scratch, task.progress);
      scratch += "%";
    } else {
      scratch += outcome_label(task.status);
    }
    scratch += "  ";
    const auto until = task.status == TaskRow::Status::Running ? state.now : task.finished_at;
    if (task.started_at != std::chrono::steady_clock::time_point{}) append_elapsed(scratch, until - task.started_at);
    const int label_w = screen::display_width(scratch) + 1;
    const int bar_w = std::max(0, std::min(inner.width - label_w, 20));
    const int progress = task.status == TaskRow::Status::Done ? 100 : task.progress;
    const int filled = bar_w * progress / 100;
    for (int i2 = 0; i2 < bar_w; ++i2) {
      const bool on = i2 < filled;
      buffer.set(inner.x + i2, y, on ? "█" : "░", 1, on ? theme::progress_done() : theme::progress_todo());
    }
    const bool bad = task.status == TaskRow::Status::Failed || task.status == TaskRow::Status::Cancelled;
    const auto label_style = bad ? theme::make(theme::kError, theme::kPanel, screen::kBold) : theme::panel();
    buffer.put_text(inner.x + bar_w + 1, y, scratch, label_style, inner.right() - inner.x - bar_w - 1);
    // Line 3: the last line it wrote (or its summary or error).
    ++y;
    buffer.put_text(inner.x, y, task.detail, bad ? theme::make(theme::kError, theme::kPanel) : theme::panel_dim(), inner.width);
    ++y;
  }
  return rows;
}

Rect draw_agent_frame(screen::Buffer& buffer, Rect area, const TaskRow& task, std::string& scratch) {
  if (area.width < 12 || area.height < 5) return {area.x, area.y, 0, 0};
  const Rect inner = draw_box(buffer, area, theme::panel(), theme::make(theme::kAccent, theme::kPanel));
  scratch.clear();
  scratch += " ";
  scratch += task.agent;
  scratch += " · ";
  scratch += task.description;
  scratch += " ";
  buffer.put_text(area.x + 2, area.y, scratch, theme::panel_title(), area.width - 4);
  scratch.clear();
  scratch += task.status == TaskRow::Status::Running ? " ↑↓ PgUp/PgDn scroll · x stop · Esc back " : " ↑↓ PgUp/PgDn scroll · Esc back ";
  const int w = std::min(screen::display_width(scratch), area.width - 4);
  buffer.put_text(area.right() - 2 - w, area.bottom() - 1, scratch, theme::panel_dim(), w);
  return inner;
}

void draw_toasts(screen::Buffer& buffer, Rect area, std::span<const Toast> toasts, ToastScratch& scratch) {
  if (toasts.empty() || area.width < 12 || area.height < 3) return;
  const int width = std::min(area.width, 60);
  const int inner_w = width - 4;
  int bottom = area.bottom();
  // Newest at the bottom, older ones stacked above while there is room.
  for (auto it = toasts.rbegin(); it != toasts.rend(); ++it) {
    const auto& toast = *it;
    scratch.text.clear();
    scratch.text += level_icon(toast.level);
    scratch.text += ' ';
    if (!toast.title.empty()) {
      scratch.text += toast.title;
      scratch.text += ": ";
    }
    const std::size_t title_end = scratch.text.size();
    scratch.text += toast.message;
    screen::wrap(scratch.text, inner_w, scratch.lines);
    const int rows = std::min(static_cast<int>(scratch.lines.size()), kMaxToastLines);
    const int height = rows + 2;
    if (bottom - height < area.y) break;
    const Rect box{area.right() - width, bottom - height, width, height};
    const auto color = level_color(toast.level);
    const Rect inner = draw_box(buffer, box, theme::panel(), theme::make(color, theme::kPanel));
    const auto strong = theme::make(color, theme::kPanel, screen::kBold);
    for (int i = 0; i < rows; ++i) {
      const auto& line = scratch.lines[static_cast<std::size_t>(i)];
      int x = inner.x;
      // The icon and the title are bold in the toast's colour; the message is plain.
      std::size_t at = line.begin;
      if (at < title_end) {
        const std::size_t bold_end = std::min(line.end, title_end);
        x += buffer.put_text(x, inner.y + i, std::string_view(scratch.text).substr(at, bold_end - at),
                             strong, inner.right() - x);
        at = bold_end;
      }
      if (at < line.end) {
        buffer.put_text(x, inner.y + i, std::string_view(scratch.text).substr(at, line.end - at), theme::panel(),
                        inner.right() - x);
      }
    }
    bottom -= height;
  }
}

int draw_banner(screen::Buffer& buffer, Rect area, std::string_view text, int max_rows,
                std::vector<screen::LineRange>& lines) {
  if (area.empty() || max_rows <= 0) return 0;
  screen::wrap(text, std::max(1, area.width - 2), lines);
  const int rows = std::min({static_cast<int>(lines.size()), max_rows, area.height});
  const auto style = theme::make(theme::kBar, theme::kWarning, screen::kBold);
  buffer.fill(area.x, area.y, area.width, rows, style);
  for (int i = 0; i < rows; ++i) {
    const auto& line = lines[static_cast<std::size_t>(i)];
    buffer.put_text(area.x + 1, area.y + i, text.substr(line.begin, line.end - line.begin), style, area.width - 2);
  }
  return rows;
}

void draw_loading(screen::Buffer& buffer, Rect area, std::string_view spinner, std::string_view detail) {
  if (area.empty()) return;
  const int mid = area.height / 2;
  put_centered(buffer, area, mid - 1, "yollayah", theme::accent());
  put_centered(buffer, area, mid, spinner, theme::make(theme::kTeal));
  put_centered(buffer, area, mid + 1, detail, theme::dim());
}

void draw_dev_panel(screen::Buffer& buffer, Rect area, const DevInfo& info) {
  const int rows = static_cast<int>(info.lines.size()) + 2;
  if (area.width < 24 || area.height < rows) return;
  int width = 0;
  for (const auto& line : info.lines) width = std::max(width, screen::display_width(line));
  width = std::min(area.width, width + 4);
  const Rect box{area.x, area.bottom() - rows, width, rows};
  const Rect inner = draw_box(buffer, box, theme::panel(), theme::make(theme::kTeal, theme::kPanel));
  buffer.put_text(box.x + 2, box.y, " F12 developer ", theme::panel_title(), box.width - 4);
  for (std::size_t i = 0; i < info.lines.size(); ++i) {
    buffer.put_text(inner.x, inner.y + static_cast<int>(i), info.lines[i], theme::panel(), inner.width);
  }
}

}  // namespace yollayah::tui::view
