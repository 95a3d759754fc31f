// The TUI's palette: every view takes its styles from here, so the look is decided in one place.
// Colours are truecolor; the renderer maps them to 256 colours or drops them under NO_COLOR, so
// each style also carries an attribute that still reads without colour where it matters.
#pragma once
#include "tui/screen/cell.hpp"

namespace yollayah::tui::view::theme {

using screen::Color;
using screen::Style;

inline Style make(Color fg, Color bg = {}, std::uint8_t attrs = 0) {
  Style s;
  s.fg = fg;
  s.bg = bg;
  s.attrs = attrs;
  return s;
}

inline constexpr Color kAccent = Color::rgb(255, 143, 177);   // axolotl pink
inline constexpr Color kTeal = Color::rgb(94, 204, 196);
inline constexpr Color kMuted = Color::rgb(128, 134, 150);
inline constexpr Color kText = Color::rgb(222, 224, 230);
inline constexpr Color kWarning = Color::rgb(240, 190, 90);
inline constexpr Color kError = Color::rgb(240, 98, 98);
inline constexpr Color kSuccess = Color::rgb(120, 210, 130);
inline constexpr Color kBar = Color::rgb(38, 40, 52);
inline constexpr Color kPanel = Color::rgb(30, 32, 42);

inline Style plain() { return {}; }
inline Style dim() { return make({}, {}, screen::kDim); }
inline Style accent() { return make(kAccent, {}, screen::kBold); }
inline Style prompt() { return make(kAccent, {}, screen::kBold); }
inline Style input() { return {}; }
inline Style placeholder() { return make(kMuted, {}, screen::kDim | screen::kItalic); }
inline Style rule() { return make(kMuted, {}, screen::kDim); }
inline Style status_bar() { return make(kText, kBar); }
inline Style status_key() { return make(kAccent, kBar, screen::kBold); }
inline Style status_dim() { return make(kMuted, kBar); }
inline Style panel() { return make(kText, kPanel); }
inline Style panel_title() { return make(kTeal, kPanel, screen::kBold); }
inline Style panel_dim() { return make(kMuted, kPanel); }
inline Style progress_done() { return make(kTeal, kPanel); }
inline Style progress_todo() { return make(kMuted, kPanel, screen::kDim); }

inline Color level_color(int level) {  // 0 info, 1 warning, 2 error, 3 success
  switch (level) {
    case 1: return kWarning;
    case 2: return kError;
    case 3: return kSuccess;
    default: return kTeal;
  }
}

}  // namespace yollayah::tui::view::theme
