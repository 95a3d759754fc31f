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

// The colours every style is made of. Two palettes: the dark one (the default) and one that stays
// readable on a white background; the shell picks one at start-up (OSC 11 or YOLLAYAH_THEME),
// before the first frame, with use_palette().
struct Palette {
  Color accent;
  Color teal;
  Color muted;
  Color text;
  Color warning;
  Color error;
  Color success;
  Color bar;
  Color panel;
  bool light = false;
};

inline constexpr Palette kDarkPalette{
    Color::rgb(255, 143, 177),  // axolotl pink
    Color::rgb(94, 204, 196),   Color::rgb(128, 134, 150), Color::rgb(222, 224, 230), Color::rgb(240, 190, 90),
    Color::rgb(240, 98, 98),    Color::rgb(120, 210, 130), Color::rgb(38, 40, 52),    Color::rgb(30, 32, 42),
    false};

// On white: the same hues, darkened to a contrast of 4.5:1 or more against the background they
// are drawn on (the terminal's white, or the light bar and panel).
inline constexpr Palette kLightPalette{
    Color::rgb(196, 30, 98),   // axolotl pink, deepened
    Color::rgb(0, 120, 112),   Color::rgb(92, 98, 112),  Color::rgb(28, 30, 38),    Color::rgb(150, 90, 0),
    Color::rgb(190, 30, 30),   Color::rgb(30, 125, 45),  Color::rgb(228, 230, 238), Color::rgb(240, 241, 246),
    true};

namespace detail {
inline Palette g_palette = kDarkPalette;  // written once at start-up, on the TUI's thread
}  // namespace detail

inline const Palette& palette() { return detail::g_palette; }
inline void use_palette(const Palette& p) { detail::g_palette = p; }

// The palette's colours by name (references: they follow use_palette()).
inline const Color& kAccent = detail::g_palette.accent;
inline const Color& kTeal = detail::g_palette.teal;
inline const Color& kMuted = detail::g_palette.muted;
inline const Color& kText = detail::g_palette.text;
inline const Color& kWarning = detail::g_palette.warning;
inline const Color& kError = detail::g_palette.error;
inline const Color& kSuccess = detail::g_palette.success;
inline const Color& kBar = detail::g_palette.bar;
inline const Color& kPanel = detail::g_palette.panel;

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

// Fenced code: one colour per token class of view/highlight.hpp, in its order (keyword, type,
// string, comment, number, function, preprocessor, key). Comments are also italic, so they stand
// apart under NO_COLOR too.
// Follows the palette in use (code blocks are light on a light terminal): read when a
// MarkdownTheme is made, after use_palette().
inline Style code_token(int token_class) {
  if (palette().light) {  // darker hues, 4.5:1 or more on the light code background
    switch (token_class) {
      case 0: return make(Color::rgb(0x8E, 0x1F, 0x8C));                   // keyword
      case 1: return make(Color::rgb(0x80, 0x58, 0x00));                   // type
      case 2: return make(Color::rgb(0x2A, 0x6E, 0x29));                   // string
      case 3: return make(Color::rgb(0x5C, 0x63, 0x6E), {}, screen::kItalic);  // comment
      case 4: return make(Color::rgb(0x9A, 0x4A, 0x00));                   // number
      case 5: return make(Color::rgb(0x0B, 0x5C, 0xAD));                   // function
      case 6: return make(Color::rgb(0xA8, 0x1E, 0x2E));                   // preprocessor
      default: return make(Color::rgb(0xA8, 0x1E, 0x2E));                  // key
    }
  }
  switch (token_class) {
    case 0: return make(Color::rgb(0xC6, 0x78, 0xDD));                   // keyword
    case 1: return make(Color::rgb(0xE5, 0xC0, 0x7B));                   // type
    case 2: return make(Color::rgb(0x98, 0xC3, 0x79));                   // string
    case 3: return make(Color::rgb(0x7F, 0x84, 0x8E), {}, screen::kItalic);  // comment
    case 4: return make(Color::rgb(0xD1, 0x9A, 0x66));                   // number
    case 5: return make(Color::rgb(0x61, 0xAF, 0xEF));                   // function
    case 6: return make(Color::rgb(0xE0, 0x6C, 0x75));                   // preprocessor
    default: return make(Color::rgb(0xE0, 0x6C, 0x75));                  // key
  }
}

inline Color level_color(int level) {  // 0 info, 1 warning, 2 error, 3 success
  switch (level) {
    case 1: return kWarning;
    case 2: return kError;
    case 3: return kSuccess;
    default: return kTeal;
  }
}

}  // namespace yollayah::tui::view::theme
