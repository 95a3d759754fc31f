#include "tui/view/help_overlay.hpp"

#include "tui/screen/width.hpp"
#include "tui/view/panels.hpp"
#include "tui/view/theme.hpp"

#include <algorithm>

namespace yollayah::tui::view {

int draw_help_overlay(screen::Buffer& buffer, Rect area, std::span<const HelpLine> lines, const HelpOverlayState& state) {
  const int width = std::min(area.width, 78);
  const int height = std::min(area.height, static_cast<int>(lines.size()) + 4);
  if (width < 12 || height < 4) return 0;
  const Rect box{area.x + (area.width - width) / 2, area.y + (area.height - height) / 2, width, height};
  draw_box(buffer, box, theme::panel(), theme::make(theme::kAccent, theme::kPanel));
  buffer.put_text(box.x + 2, box.y, " Help · type to filter · ↑↓ scroll · Esc closes ", theme::panel_title(), box.width - 4);

  const int inner_x = box.x + 2;
  const int inner_w = box.width - 4;
  int x = inner_x + buffer.put_text(inner_x, box.y + 1, "filter › ", theme::make(theme::kAccent, theme::kPanel, screen::kBold), inner_w);
  x += buffer.put_text(x, box.y + 1, state.filter, theme::panel(), inner_x + inner_w - x);
  if (x < inner_x + inner_w) buffer.set(x, box.y + 1, "▌", 1, theme::make(theme::kAccent, theme::kPanel));

  const int rows = box.height - 3;
  const int max_scroll = std::max(0, static_cast<int>(lines.size()) - rows);
  const int scroll = std::clamp(state.scroll, 0, max_scroll);
  int keys_w = 0;
  for (const auto& line : lines) {
    if (!line.heading) keys_w = std::max(keys_w, screen::display_width(line.keys));
  }
  keys_w = std::min(keys_w + 2, inner_w / 2);
  if (lines.empty()) buffer.put_text(inner_x, box.y + 2, "nothing matches", theme::panel_dim(), inner_w);
  for (int i = 0; i < rows && scroll + i < static_cast<int>(lines.size()); ++i) {
    const HelpLine& line = lines[static_cast<std::size_t>(scroll + i)];
    const int y = box.y + 2 + i;
    if (line.heading) {
      buffer.put_text(inner_x, y, line.keys, theme::panel_title(), inner_w);
      continue;
    }
    buffer.put_text(inner_x, y, line.keys, theme::make(theme::kAccent, theme::kPanel, screen::kBold), keys_w - 1);
    buffer.put_text(inner_x + keys_w, y, line.what, theme::panel(), inner_w - keys_w);
  }
  if (max_scroll > 0) {
    buffer.put_text(box.right() - 8, box.bottom() - 1, scroll < max_scroll ? " more ↓ " : " end ", theme::panel_dim(), 8);
  }
  return max_scroll;
}

}  // namespace yollayah::tui::view
