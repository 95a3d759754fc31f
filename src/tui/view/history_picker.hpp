// The history picker: a scrollable list in a box over the conversation, two lines per entry, for
// the Conductor's HistoryList (/history, `yollayah --resume`) and SearchResults (/search).
#pragma once

#include "protocol/messages.hpp"
#include "tui/screen/buffer.hpp"
#include "tui/view/rect.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace yollayah::tui::view {

struct HistoryPickerState {
  std::size_t selected = 0;
  int top = 0;                // the first entry shown; the drawing moves it to keep `selected` in view
  std::string_view question;  // "Delete «title»? y/n" while it is asked, else empty
};

// One entry as the picker draws it: a line, and a dim one under it (if any) in which `marked`
// text between « and » is emphasised (a search match) and the marks are not shown.
struct PickerRow {
  std::string head;
  std::string detail;
  bool marked = false;
};

// What the box says: its title line (keys included) and what it shows when there is no entry.
struct PickerFrame {
  std::string title;
  std::string empty;
};

// Draws the picker centred in `area`; returns how many entries fit (a page, for PgUp/PgDn).
int draw_history_picker(screen::Buffer& buffer, Rect area, const PickerFrame& frame, std::span<const PickerRow> rows,
                        HistoryPickerState& state);

// A conversation of /history, and a match of /search, as rows; the frames around each.
PickerRow history_row(const protocol::HistoryEntry& entry);
PickerRow search_row(const protocol::SearchEntry& entry);
PickerFrame history_frame();
PickerFrame search_frame(std::string_view query, std::size_t matches);

// What the picker calls a conversation: its title, else its first line, else "(untitled)".
std::string picker_title(const protocol::HistoryEntry& entry);
// "2026-12-05 15:30" in local time.
std::string picker_date(std::uint64_t unix_ms);

}  // namespace yollayah::tui::view
