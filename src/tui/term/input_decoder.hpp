// Incremental decoder from terminal input bytes to key, mouse and paste events, and the terminal's
// answers to colour queries (OSC 11). Pure: no I/O, no timers. The caller owns the lone-Esc timer (pending_escape() / flush_pending()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace yollayah::tui::term {

enum class Key : std::uint8_t {
  Char,  // a Unicode scalar in KeyEvent::ch (Ctrl+A arrives as Char 'a' with Ctrl)
  Enter,
  Tab,
  BackTab,
  Backspace,
  Escape,
  Up,
  Down,
  Left,
  Right,
  Home,
  End,
  PageUp,
  PageDown,
  Insert,
  Delete,
  F1,
  F2,
  F3,
  F4,
  F5,
  F6,
  F7,
  F8,
  F9,
  F10,
  F11,
  F12,
};

// Modifier bits, as in xterm's "1 + bits" parameter.
enum Mod : std::uint8_t { kNoMod = 0, kShift = 1, kAlt = 2, kCtrl = 4 };

struct KeyEvent {
  Key key = Key::Char;
  std::uint8_t mods = kNoMod;
  char32_t ch = 0;  // only for Key::Char
  bool operator==(const KeyEvent&) const = default;
};

enum class MouseButton : std::uint8_t { Left, Middle, Right, None, WheelUp, WheelDown, WheelLeft, WheelRight };
enum class MouseAction : std::uint8_t { Press, Release, Drag, Move };

struct MouseEvent {
  MouseButton button = MouseButton::None;
  MouseAction action = MouseAction::Press;
  std::uint8_t mods = kNoMod;
  int x = 0;  // 0-based column
  int y = 0;  // 0-based row
  bool operator==(const MouseEvent&) const = default;
};

// A whole bracketed paste, however many reads it spanned.
struct PasteEvent {
  std::string text;
  bool operator==(const PasteEvent&) const = default;
};

// A terminal's answer to a colour query: ESC ] code ; rgb:RRRR/GGGG/BBBB (BEL or ESC \\). Code 11
// is the background. Channels are scaled to 16 bits whatever digit count the terminal used.
struct ColorReport {
  int code = 0;
  std::uint16_t r = 0;
  std::uint16_t g = 0;
  std::uint16_t b = 0;
  bool operator==(const ColorReport&) const = default;
};

// The terminal's primary device attributes (CSI ? … c), the answer to ESC [ c. Every terminal
// sends one, in order: sent after another query, its answer says that one got none.
struct DeviceAttributes {
  bool operator==(const DeviceAttributes&) const = default;
};

using InputEvent = std::variant<KeyEvent, MouseEvent, PasteEvent, ColorReport, DeviceAttributes>;

class InputDecoder {
 public:
  // Decodes `bytes`, appending complete events to `out`. An incomplete tail (a split UTF-8
  // sequence, a partial escape sequence, an open paste) is kept for the next feed.
  void feed(std::string_view bytes, std::vector<InputEvent>& out);

  // True when the undecoded tail starts with ESC: the caller should arm its short (~25 ms)
  // timer and call flush_pending() if no byte arrives before it fires.
  bool pending_escape() const;

  // Resolves a pending ESC prefix as typed keys: a lone ESC becomes Escape, ESC+x becomes Alt+x.
  void flush_pending(std::vector<InputEvent>& out);

  bool in_paste() const { return in_paste_; }

  // True when the pending ESC prefix looks like the start of a colour report (ESC ] digit): the
  // caller may give it longer than a lone Esc, as a reply can arrive in pieces over a slow link.
  bool pending_report() const;

 private:
  enum class Status : std::uint8_t { Done, Incomplete };
  Status parse_one(std::string_view s, std::size_t& used, std::vector<InputEvent>& out);
  Status parse_escape(std::string_view s, std::size_t& used, std::vector<InputEvent>& out);
  Status parse_csi(std::string_view s, std::size_t& used, std::vector<InputEvent>& out);
  static Status parse_osc(std::string_view s, std::size_t& used, std::vector<InputEvent>& out);
  static Status parse_plain(std::string_view s, std::size_t& used, std::vector<InputEvent>& out);
  static Status parse_ss3(std::string_view s, std::size_t& used, std::vector<InputEvent>& out);
  static Status parse_sgr_mouse(std::string_view s, std::size_t& used, std::vector<InputEvent>& out);
  std::size_t consume_paste(std::size_t pos, std::vector<InputEvent>& out);
  void decode(std::vector<InputEvent>& out);

  std::string buf_;    // undecoded bytes (reused; no allocation once warm)
  std::string paste_;  // the paste being collected
  bool in_paste_ = false;
};

// Parses the body of an OSC colour report ("11;rgb:ffff/ffff/ffff"); false when it is not one.
bool parse_color_report(std::string_view body, ColorReport& out);

// Appends the UTF-8 encoding of `cp` to `out`; U+FFFD for NUL, a surrogate or a value past U+10FFFF.
void append_utf8(std::string& out, char32_t cp);

}  // namespace yollayah::tui::term
