// The help overlay (F1): every key and command in two columns inside a box over the
// conversation, with the filter being typed on its first line.
#pragma once

#include "tui/screen/buffer.hpp"
#include "tui/view/rect.hpp"

#include <span>
#include <string>
#include <string_view>

namespace yollayah::tui::view {

struct HelpLine {
  std::string keys;
  std::string what;
  bool heading = false;
};

struct HelpOverlayState {
  std::string_view filter;
  int scroll = 0;  // lines skipped at the top (clamped by the drawing)
};

// Draws the overlay centred in `area`; returns the largest useful scroll for the lines given.
int draw_help_overlay(screen::Buffer& buffer, Rect area, std::span<const HelpLine> lines, const HelpOverlayState& state);

}  // namespace yollayah::tui::view
