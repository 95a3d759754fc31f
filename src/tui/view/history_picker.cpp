#include "tui/view/history_picker.hpp"

#include "tui/view/panels.hpp"
#include "tui/view/theme.hpp"

#include <algorithm>
#include <ctime>

namespace yollayah::tui::view {

namespace {
constexpr int kLinesPerEntry = 2;
}

std::string picker_title(const protocol::HistoryEntry& entry) {
  if (!entry.title.empty()) return entry.title;
  if (!entry.first_line.empty()) return entry.first_line;
  return "(untitled)";
}

std::string picker_date(std::uint64_t unix_ms) {
  const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm local{};
  localtime_r(&t, &local);
  char buf[32];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &local);
  return std::string(buf, n);
}

int draw_history_picker(screen::Buffer& buffer, Rect area, std::span<const protocol::HistoryEntry> entries,
                        HistoryPickerState& state) {
  const int count = static_cast<int>(entries.size());
  const int width = std::min(area.width, 96);
  const int height = std::min(area.height, std::max(1, count) * kLinesPerEntry + 3);
  if (width < 16 || height < 4) return 1;
  const Rect box{area.x + (area.width - width) / 2, area.y + (area.height - height) / 2, width, height};
  draw_box(buffer, box, theme::panel(), theme::make(theme::kAccent, theme::kPanel));
  buffer.put_text(box.x + 2, box.y, " History · ↑↓ PgUp PgDn choose · Enter open · d delete · Esc close ",
                  theme::panel_title(), box.width - 4);
  const int inner_x = box.x + 2;
  const int inner_w = box.width - 4;
  const int page = std::max(1, (box.height - 3) / kLinesPerEntry);

  if (count == 0) {
    buffer.put_text(inner_x, box.y + 1, "No conversations saved yet.", theme::panel_dim(), inner_w);
    return page;
  }
  const int selected = std::min(static_cast<int>(state.selected), count - 1);
  state.top = std::clamp(state.top, std::max(0, selected - page + 1), selected);
  state.top = std::clamp(state.top, 0, std::max(0, count - page));
  std::string line;
  for (int i = 0; i < page && state.top + i < count; ++i) {
    const auto& e = entries[static_cast<std::size_t>(state.top + i)];
    const int y = box.y + 1 + i * kLinesPerEntry;
    const bool chosen = state.top + i == selected;
    const auto style = chosen ? theme::make(theme::kAccent, theme::kPanel, screen::kBold) : theme::panel();
    line = chosen ? "› " : "  ";
    line += picker_title(e);
    line += " · " + picker_date(e.updated_ms);
    if (!e.model.empty()) line += " · " + e.model;
    line += " · " + std::to_string(e.message_count) + (e.message_count == 1 ? " message" : " messages");
    if (e.current) line += " · open now";
    buffer.put_text(inner_x, y, line, style, inner_w);
    if (!e.first_line.empty() && e.first_line != e.title)
      buffer.put_text(inner_x + 4, y + 1, e.first_line, theme::panel_dim(), inner_w - 4);
  }
  if (!state.question.empty()) {
    buffer.put_text(inner_x, box.bottom() - 2, state.question, theme::make(theme::kWarning, theme::kPanel, screen::kBold),
                    inner_w);
  } else if (count > page) {
    const std::string where = " " + std::to_string(selected + 1) + "/" + std::to_string(count) + " ";
    buffer.put_text(box.right() - 2 - static_cast<int>(where.size()), box.bottom() - 1, where, theme::panel_dim(), 12);
  }
  return page;
}

}  // namespace yollayah::tui::view
