// Turns a Buffer into terminal bytes by diffing it against the previous frame: unchanged cells are
// skipped, the cursor moves by the shortest sequence, and SGR changes only when the style does.
#pragma once

#include "tui/screen/buffer.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace yollayah::tui::screen {

enum class ColorMode : std::uint8_t {
  None,        // NO_COLOR: attributes only
  Palette256,  // RGB approximated on the xterm 256-colour palette
  TrueColor,   // 38;2;r;g;b
};

// NO_COLOR set and non-empty wins; then COLORTERM truecolor/24bit; otherwise 256 colours.
// Pass nullptr for an unset variable.
ColorMode color_mode_from_env(const char* colorterm, const char* no_color);
ColorMode detect_color_mode();  // reads the process environment

// The nearest xterm 256-palette index (6x6x6 cube or grey ramp) for an RGB colour.
std::uint8_t rgb_to_256(std::uint8_t r, std::uint8_t g, std::uint8_t b);

struct CursorPos {
  int x = 0;
  int y = 0;
  bool operator==(const CursorPos&) const = default;
};

class Renderer {
 public:
  explicit Renderer(ColorMode mode) : mode_(mode) {}

  // Replaces `out` with the bytes that turn the last rendered frame into `next`, then shows the
  // cursor at `cursor` (or keeps it hidden). Emits nothing when nothing changed. The first frame,
  // a size change and a frame after invalidate() are full redraws. Reuses the capacity of `out`
  // and of the previous frame: no allocation in steady state.
  void render(const Buffer& next, std::string& out, std::optional<CursorPos> cursor = std::nullopt);

  // The next render redraws everything (after a resize, Ctrl+L, or a lost frame).
  void invalidate() { full_ = true; }

  // Wraps each non-empty frame in DEC mode 2026 (synchronized output) so terminals that support
  // it show the frame at once; others ignore it. Off by default.
  void set_synchronized_output(bool on) { synchronized_ = on; }

  ColorMode color_mode() const { return mode_; }
  void set_color_mode(ColorMode mode) {
    mode_ = mode;
    invalidate();
  }

 private:
  Style effective(const Style& s) const;
  void move_to(int x, int y, std::string& out);
  void set_style(const Style& s, std::string& out);

  ColorMode mode_;
  Buffer prev_;
  bool full_ = true;
  bool synchronized_ = false;
  int cx_ = -1;  // terminal cursor position, -1 when unknown (e.g. pending wrap at the edge)
  int cy_ = -1;
  Style style_;  // the terminal's current SGR state (effective colours)
  bool cursor_visible_ = false;
  std::optional<CursorPos> cursor_at_;
};

}  // namespace yollayah::tui::screen
