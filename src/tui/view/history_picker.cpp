#include "tui/view/history_picker.hpp"

#include "tui/view/panels.hpp"
#include "tui/view/theme.hpp"

#include <algorithm>
#include <ctime>

namespace yollayah::tui::view {

namespace {

constexpr int kLinesPerEntry = 2;
constexpr std::string_view kOpen = "«";
constexpr std::string_view kClose = "»";

// `text` from (x, y) within `width` columns, the parts between « and » in `strong` without the
// marks (an unclosed « emphasises the rest).
void put_marked(screen::Buffer& buffer, int x, int y, std::string_view text, int width, const screen::Style& plain,
                const screen::Style& strong) {
  bool inside = false;
  while (!text.empty() && width > 0) {
    const auto mark = text.find(inside ? kClose : kOpen);
    const int used = buffer.put_text(x, y, text.substr(0, mark), inside ? strong : plain, width);
    x += used;
    width -= used;
    if (mark == std::string_view::npos) break;
    text.remove_prefix(mark + (inside ? kClose : kOpen).size());
    inside = !inside;
  }
}

std::string_view role_word(protocol::MessageRole role) {
  switch (role) {
    case protocol::MessageRole::User: return "you";
    case protocol::MessageRole::Assistant: return "Yollayah";
    default: return "note";
  }
}

}  // namespace

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

PickerRow history_row(const protocol::HistoryEntry& e) {
  PickerRow row;
  row.head = picker_title(e) + " · " + picker_date(e.updated_ms);
  if (!e.model.empty()) row.head += " · " + e.model;
  row.head += " · " + std::to_string(e.message_count) + (e.message_count == 1 ? " message" : " messages");
  if (e.current) row.head += " · open now";
  if (e.first_line != e.title) row.detail = e.first_line;
  return row;
}

PickerRow search_row(const protocol::SearchEntry& e) {
  PickerRow row;
  row.head = (e.conversation_title.empty() ? std::string("(untitled)") : e.conversation_title) + " · " +
             picker_date(e.created_ms) + " · " + std::string(role_word(e.role));
  row.detail = e.snippet;
  row.marked = true;
  return row;
}

PickerFrame history_frame() {
  return {" History · ↑↓ PgUp PgDn choose · Enter open · d delete · Esc close ", "No conversations saved yet."};
}

PickerFrame search_frame(std::string_view query, std::size_t matches) {
  const std::string q = "\"" + std::string(query) + "\"";
  return {" Search " + q + " · " + std::to_string(matches) + (matches == 1 ? " match" : " matches") +
              " · ↑↓ choose · Enter go to it · Esc close ",
          "No message matches " + q + "."};
}

int draw_history_picker(screen::Buffer& buffer, Rect area, const PickerFrame& frame, std::span<const PickerRow> rows,
                        HistoryPickerState& state) {
  const int count = static_cast<int>(rows.size());
  const int width = std::min(area.width, 96);
  const int height = std::min(area.height, std::max(1, count) * kLinesPerEntry + 3);
  if (width < 16 || height < 4) return 1;
  const Rect box{area.x + (area.width - width) / 2, area.y + (area.height - height) / 2, width, height};
  draw_box(buffer, box, theme::panel(), theme::make(theme::kAccent, theme::kPanel));
  buffer.put_text(box.x + 2, box.y, frame.title, theme::panel_title(), box.width - 4);
  const int inner_x = box.x + 2;
  const int inner_w = box.width - 4;
  const int page = std::max(1, (box.height - 3) / kLinesPerEntry);

  if (count == 0) {
    buffer.put_text(inner_x, box.y + 1, frame.empty, theme::panel_dim(), inner_w);
    return page;
  }
  const int selected = std::min(static_cast<int>(state.selected), count - 1);
  state.top = std::clamp(state.top, std::max(0, selected - page + 1), selected);
  state.top = std::clamp(state.top, 0, std::max(0, count - page));
  const auto strong = theme::make(theme::kAccent, theme::kPanel, screen::kBold);
  for (int i = 0; i < page && state.top + i < count; ++i) {
    const auto& row = rows[static_cast<std::size_t>(state.top + i)];
    const int y = box.y + 1 + i * kLinesPerEntry;
    const bool chosen = state.top + i == selected;
    const int used = buffer.put_text(inner_x, y, chosen ? "› " : "  ", chosen ? strong : theme::panel(), inner_w);
    buffer.put_text(inner_x + used, y, row.head, chosen ? strong : theme::panel(), inner_w - used);
    if (row.detail.empty()) continue;
    if (row.marked) put_marked(buffer, inner_x + 4, y + 1, row.detail, inner_w - 4, theme::panel_dim(), strong);
    else buffer.put_text(inner_x + 4, y + 1, row.detail, theme::panel_dim(), inner_w - 4);
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
