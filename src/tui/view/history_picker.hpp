// The history picker (/history, `yollayah --resume`): the Conductor's HistoryList as a scrollable
// list in a box over the conversation, two lines per conversation, with the delete question.
#pragma once

#include "protocol/types.hpp"
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

// Draws the picker centred in `area`; returns how many entries fit (a page, for PgUp/PgDn).
int draw_history_picker(screen::Buffer& buffer, Rect area, std::span<const protocol::HistoryEntry> entries,
                        HistoryPickerState& state);

// What the picker calls a conversation: its title, else its first line, else "(untitled)".
std::string picker_title(const protocol::HistoryEntry& entry);
// "2026-12-05 15:30" in local time.
std::string picker_date(std::uint64_t unix_ms);

}  // namespace yollayah::tui::view
