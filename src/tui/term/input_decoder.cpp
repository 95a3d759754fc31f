#include "tui/term/input_decoder.hpp"

#include <array>

namespace yollayah::tui::term {
namespace {

constexpr char kEsc = '\x1b';
constexpr std::string_view kPasteEnd = "\x1b[201~";
constexpr std::size_t kMaxSequence = 64;  // longer CSI sequences are garbage and are dropped
constexpr std::size_t kMaxOsc = 96;        // a colour report is about 30 bytes
constexpr char32_t kReplacement = 0xFFFD;

void push_key(std::vector<InputEvent>& out, Key key, std::uint8_t mods = kNoMod, char32_t ch = 0) {
  out.emplace_back(KeyEvent{key, mods, ch});
}

void add_alt(std::vector<InputEvent>& out, std::size_t first) {
  for (std::size_t i = first; i < out.size(); ++i) {
    if (auto* k = std::get_if<KeyEvent>(&out[i])) k->mods |= kAlt;
  }
}

bool is_cont(unsigned char c) { return (c & 0xC0) == 0x80; }

// xterm encodes modifiers as 1 + bits (Shift 1, Alt 2, Ctrl 4, Meta 8); Meta is folded into Alt.
std::uint8_t mods_from_param(int p) {
  if (p <= 1) return kNoMod;
  const int bits = p - 1;
  std::uint8_t m = static_cast<std::uint8_t>(bits & (kShift | kAlt | kCtrl));
  if (bits & 8) m |= kAlt;
  return m;
}

struct Params {
  std::array<int, 4> v{};  // missing parameters read as 0
  int count = 0;
};

Params parse_params(std::string_view p) {
  Params out;
  int cur = 0;
  bool any = false;
  bool in_sub = false;  // after ':' (sub-parameters are ignored)
  for (char c : p) {
    if (c >= '0' && c <= '9') {
      if (!in_sub && cur < 100000) cur = cur * 10 + (c - '0');
      any = true;
    } else if (c == ':') {
      in_sub = true;
    } else if (c == ';') {
      if (out.count < 4) out.v[static_cast<std::size_t>(out.count++)] = cur;
      cur = 0;
      any = false;
      in_sub = false;
    }
  }
  if ((any || !p.empty()) && out.count < 4) out.v[static_cast<std::size_t>(out.count++)] = cur;
  return out;
}

bool letter_key(char c, Key& key) {
  switch (c) {
    case 'A': key = Key::Up; return true;
    case 'B': key = Key::Down; return true;
    case 'C': key = Key::Right; return true;
    case 'D': key = Key::Left; return true;
    case 'H': key = Key::Home; return true;
    case 'F': key = Key::End; return true;
    case 'P': key = Key::F1; return true;
    case 'Q': key = Key::F2; return true;
    case 'R': key = Key::F3; return true;
    case 'S': key = Key::F4; return true;
    default: return false;
  }
}

bool tilde_key(int code, Key& key) {
  switch (code) {
    case 1: case 7: key = Key::Home; return true;
    case 4: case 8: key = Key::End; return true;
    case 2: key = Key::Insert; return true;
    case 3: key = Key::Delete; return true;
    case 5: key = Key::PageUp; return true;
    case 6: key = Key::PageDown; return true;
    case 11: key = Key::F1; return true;
    case 12: key = Key::F2; return true;
    case 13: key = Key::F3; return true;
    case 14: key = Key::F4; return true;
    case 15: key = Key::F5; return true;
    case 17: key = Key::F6; return true;
    case 18: key = Key::F7; return true;
    case 19: key = Key::F8; return true;
    case 20: key = Key::F9; return true;
    case 21: key = Key::F10; return true;
    case 23: key = Key::F11; return true;
    case 24: key = Key::F12; return true;
    default: return false;
  }
}

// Length of the longest suffix of `s` that is a proper prefix of `pattern`.
std::size_t partial_suffix(std::string_view s, std::string_view pattern) {
  for (std::size_t n = std::min(s.size(), pattern.size() - 1); n > 0; --n) {
    if (s.substr(s.size() - n) == pattern.substr(0, n)) return n;
  }
  return 0;
}

MouseEvent mouse_from_code(int code, int x, int y, bool release) {
  MouseEvent m;
  m.mods = static_cast<std::uint8_t>(((code & 4) ? kShift : 0) | ((code & 8) ? kAlt : 0) |
                                     ((code & 16) ? kCtrl : 0));
  m.x = x > 0 ? x - 1 : 0;
  m.y = y > 0 ? y - 1 : 0;
  const int low = code & 3;
  if (code & 64) {
    static constexpr std::array kWheel{MouseButton::WheelUp, MouseButton::WheelDown,
                                       MouseButton::WheelLeft, MouseButton::WheelRight};
    m.button = kWheel[static_cast<std::size_t>(low)];
    m.action = MouseAction::Press;
    return m;
  }
  static constexpr std::array kButtons{MouseButton::Left, MouseButton::Middle, MouseButton::Right,
                                       MouseButton::None};
  m.button = kButtons[static_cast<std::size_t>(low)];
  if (code & 32) {
    m.action = m.button == MouseButton::None ? MouseAction::Move : MouseAction::Drag;
  } else {
    m.action = release ? MouseAction::Release : MouseAction::Press;
  }
  return m;
}

}  // namespace

void append_utf8(std::string& out, char32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;  // not a scalar value
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

void InputDecoder::feed(std::string_view bytes, std::vector<InputEvent>& out) {
  buf_.append(bytes);
  decode(out);
}

bool InputDecoder::pending_escape() const {
  return !in_paste_ && !buf_.empty() && buf_.front() == kEsc;
}

bool InputDecoder::pending_report() const {
  return pending_escape() && buf_.size() >= 2 && buf_[1] == ']' && (buf_.size() == 2 || (buf_[2] >= '0' && buf_[2] <= '9'));
}

void InputDecoder::flush_pending(std::vector<InputEvent>& out) {
  while (pending_escape()) {
    if (buf_.size() == 1 || buf_[1] == kEsc) {
      push_key(out, Key::Escape);
      buf_.erase(0, 1);
    } else {
      std::size_t used = 0;
      const std::size_t first = out.size();
      if (parse_plain(std::string_view(buf_).substr(1), used, out) == Status::Done) {
        add_alt(out, first);
        buf_.erase(0, 1 + used);
      } else {
        push_key(out, Key::Escape);
        buf_.erase(0, 1);
      }
    }
    decode(out);
  }
}

void InputDecoder::decode(std::vector<InputEvent>& out) {
  std::size_t pos = 0;
  while (pos < buf_.size()) {
    if (in_paste_) {
      const std::size_t next = consume_paste(pos, out);
      if (next == pos) break;
      pos = next;
      continue;
    }
    std::size_t used = 0;
    if (parse_one(std::string_view(buf_).substr(pos), used, out) == Status::Incomplete) break;
    pos += used;
  }
  buf_.erase(0, pos);
}

// Moves paste bytes from buf_[pos..] into paste_; returns the new position (== pos when it needs
// more bytes to tell whether a tail is the terminator).
std::size_t InputDecoder::consume_paste(std::size_t pos, std::vector<InputEvent>& out) {
  const std::string_view rest = std::string_view(buf_).substr(pos);
  if (const auto end = rest.find(kPasteEnd); end != std::string_view::npos) {
    paste_.append(rest.substr(0, end));
    out.emplace_back(PasteEvent{std::move(paste_)});
    paste_.clear();
    in_paste_ = false;
    return pos + end + kPasteEnd.size();
  }
  const std::size_t keep = partial_suffix(rest, kPasteEnd);
  paste_.append(rest.substr(0, rest.size() - keep));
  return pos + rest.size() - keep;
}

InputDecoder::Status InputDecoder::parse_one(std::string_view s, std::size_t& used,
                                             std::vector<InputEvent>& out) {
  if (s.front() == kEsc) return parse_escape(s, used, out);
  return parse_plain(s, used, out);
}

InputDecoder::Status InputDecoder::parse_plain(std::string_view s, std::size_t& used,
                                               std::vector<InputEvent>& out) {
  const auto b = static_cast<unsigned char>(s.front());
  used = 1;
  if (b == 0x0d) {
    push_key(out, Key::Enter);
  } else if (b == 0x09) {
    push_key(out, Key::Tab);
  } else if (b == 0x7f || b == 0x08) {
    push_key(out, Key::Backspace);
  } else if (b == 0x1b) {
    push_key(out, Key::Escape);
  } else if (b == 0x00) {
    push_key(out, Key::Char, kCtrl, U' ');
  } else if (b <= 0x1a) {
    push_key(out, Key::Char, kCtrl, static_cast<char32_t>(U'a' + b - 1));
  } else if (b <= 0x1f) {
    push_key(out, Key::Char, kCtrl, static_cast<char32_t>(U'\\' + (b - 0x1c)));
  } else if (b < 0x80) {
    push_key(out, Key::Char, kNoMod, b);
  } else {
    std::size_t len = 0;
    char32_t cp = 0;
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2, cp = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3, cp = b & 0x0F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4, cp = b & 0x07;
    } else {
      push_key(out, Key::Char, kNoMod, kReplacement);
      return Status::Done;
    }
    // The second byte's range rules out overlongs, surrogates and values above U+10FFFF.
    unsigned char lo = 0x80, hi = 0xBF;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F;
    for (std::size_t i = 1; i < len; ++i) {
      if (i >= s.size()) return Status::Incomplete;
      const auto c = static_cast<unsigned char>(s[i]);
      if (!is_cont(c) || (i == 1 && (c < lo || c > hi))) {
        push_key(out, Key::Char, kNoMod, kReplacement);
        return Status::Done;
      }
      cp = (cp << 6) | (c & 0x3F);
    }
    used = len;
    push_key(out, Key::Char, kNoMod, cp);
  }
  return Status::Done;
}

InputDecoder::Status InputDecoder::parse_escape(std::string_view s, std::size_t& used,
                                                std::vector<InputEvent>& out) {
  if (s.size() < 2) return Status::Incomplete;
  const char c = s[1];
  if (c == '[') return parse_csi(s, used, out);
  if (c == 'O') return parse_ss3(s, used, out);
  if (c == ']') {
    const Status osc = parse_osc(s, used, out);
    if (osc == Status::Incomplete || used > 0) return osc;
    // Not an OSC reply: Alt+] as typed, below.
  }
  const std::size_t first = out.size();
  if (c == kEsc) {
    // ESC ESC [ A is Alt+Up on some terminals; ESC ESC alone is Alt+Esc.
    if (s.size() < 3) return Status::Incomplete;
    if (s[2] == '[' || s[2] == 'O') {
      if (parse_escape(s.substr(1), used, out) == Status::Incomplete) return Status::Incomplete;
      add_alt(out, first);
      used += 1;
      return Status::Done;
    }
    push_key(out, Key::Escape, kAlt);
    used = 2;
    return Status::Done;
  }
  if (parse_plain(s.substr(1), used, out) == Status::Incomplete) return Status::Incomplete;
  add_alt(out, first);
  used += 1;
  return Status::Done;
}

InputDecoder::Status InputDecoder::parse_csi(std::string_view s, std::size_t& used,
                                             std::vector<InputEvent>& out) {
  if (s.size() < 3) return Status::Incomplete;
  if (s[2] == '<') return parse_sgr_mouse(s, used, out);
  if (s[2] == 'M') {  // legacy X10 mouse: ESC [ M b x y, each offset by 32
    if (s.size() < 6) return Status::Incomplete;
    used = 6;
    const int code = static_cast<unsigned char>(s[3]) - 32;
    const int x = static_cast<unsigned char>(s[4]) - 32;
    const int y = static_cast<unsigned char>(s[5]) - 32;
    const bool release = (code & 3) == 3 && !(code & 64);
    out.emplace_back(mouse_from_code(code, x, y, release));
    return Status::Done;
  }
  if (s[2] == '[') {  // Linux console F1..F5: ESC [ [ A..E
    if (s.size() < 4) return Status::Incomplete;
    used = 4;
    if (s[3] >= 'A' && s[3] <= 'E') push_key(out, static_cast<Key>(static_cast<int>(Key::F1) + (s[3] - 'A')));
    return Status::Done;
  }
  std::size_t i = 2;
  for (; i < s.size(); ++i) {
    if (i >= kMaxSequence) {  // garbage: drop a fixed prefix, the same however it was split
      used = i;
      return Status::Done;
    }
    const auto b = static_cast<unsigned char>(s[i]);
    if (b >= 0x40 && b <= 0x7E) break;
    if (b < 0x20 || b > 0x3F) {  // not a CSI byte: the ESC [ was typed, not sent as a sequence
      push_key(out, Key::Char, kAlt, U'[');
      used = 2;
      return Status::Done;
    }
  }
  if (i == s.size()) return Status::Incomplete;
  used = i + 1;
  const char final_byte = s[i];
  const std::string_view body = s.substr(2, i - 2);
  if (!body.empty() && (body.front() == '?' || body.front() == '>' || body.front() == '=')) {
    if (body.front() == '?' && final_byte == 'c') out.emplace_back(DeviceAttributes{});
    return Status::Done;  // a private reply (device attributes, modes): not a key
  }
  const Params p = parse_params(body);
  const std::uint8_t mods = mods_from_param(p.count >= 2 ? p.v[1] : 0);
  Key key{};
  if (final_byte == '~') {
    if (p.v[0] == 200) {
      in_paste_ = true;
      paste_.clear();
    } else if (tilde_key(p.v[0], key)) {
      push_key(out, key, mods);
    }
  } else if (final_byte == 'Z') {
    push_key(out, Key::BackTab, static_cast<std::uint8_t>(mods | kShift));
  } else if (final_byte == 'u' && p.count >= 1) {  // kitty / fixterms: CSI code ; mods u
    const auto code = static_cast<char32_t>(p.v[0]);
    switch (code) {
      case 13: push_key(out, Key::Enter, mods); break;
      case 9: push_key(out, Key::Tab, mods); break;
      case 127: push_key(out, Key::Backspace, mods); break;
      case 27: push_key(out, Key::Escape, mods); break;
      default: push_key(out, Key::Char, mods, code); break;
    }
  } else if (letter_key(final_byte, key)) {
    // CSI row;col R is a cursor position report, not F3, when the first parameter is not 1.
    if (!(final_byte == 'R' && p.count >= 2 && p.v[0] != 1)) push_key(out, key, mods);
  }
  return Status::Done;
}

// ESC ] digits ; printable… (BEL | ESC \\). Only replies to our own queries come this way; anything
// else starting ESC ] (Alt+] then typing) sets `used` to 0 and is decoded as typed keys.
InputDecoder::Status InputDecoder::parse_osc(std::string_view s, std::size_t& used, std::vector<InputEvent>& out) {
  used = 0;
  if (s.size() < 3) return Status::Incomplete;
  if (s[2] < '0' || s[2] > '9') return Status::Done;
  for (std::size_t i = 3; i < s.size(); ++i) {
    if (i >= kMaxOsc) return Status::Done;
    const char c = s[i];
    std::size_t end = 0;
    if (c == '\a') {
      end = i + 1;
    } else if (c == kEsc) {
      if (i + 1 >= s.size()) return Status::Incomplete;
      if (s[i + 1] != '\\') return Status::Done;
      end = i + 2;
    } else if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7E) {
      return Status::Done;
    } else {
      continue;
    }
    used = end;
    ColorReport report;
    if (parse_color_report(s.substr(2, i - 2), report)) out.emplace_back(report);
    return Status::Done;
  }
  return Status::Incomplete;
}

bool parse_color_report(std::string_view body, ColorReport& out) {
  std::size_t i = 0;
  int code = 0;
  while (i < body.size() && body[i] >= '0' && body[i] <= '9' && i < 4) code = code * 10 + (body[i++] - '0');
  if (i == 0 || i >= body.size() || body[i] != ';') return false;
  std::string_view spec = body.substr(i + 1);
  if (spec.starts_with("rgba:")) {
    spec.remove_prefix(5);
  } else if (spec.starts_with("rgb:")) {
    spec.remove_prefix(4);
  } else {
    return false;
  }
  std::array<std::uint16_t, 3> channels{};
  for (std::size_t n = 0; n < channels.size(); ++n) {
    const std::size_t slash = spec.find('/');
    const std::string_view digits = spec.substr(0, slash);
    if (digits.empty() || digits.size() > 4) return false;
    std::uint32_t value = 0;
    for (char c : digits) {
      int v = 0;
      if (c >= '0' && c <= '9') v = c - '0';
      else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
      else return false;
      value = value * 16 + static_cast<std::uint32_t>(v);
    }
    const std::uint32_t max = (1u << (4 * digits.size())) - 1;
    channels[n] = static_cast<std::uint16_t>(value * 65535u / max);
    if (n + 1 == channels.size()) break;  // rgba:'s fourth channel (alpha) is ignored
    if (slash == std::string_view::npos) return false;
    spec.remove_prefix(slash + 1);
  }
  out = ColorReport{code, channels[0], channels[1], channels[2]};
  return true;
}

InputDecoder::Status InputDecoder::parse_sgr_mouse(std::string_view s, std::size_t& used,
                                                   std::vector<InputEvent>& out) {
  std::size_t i = 3;
  for (; i < s.size(); ++i) {
    if (i >= kMaxSequence) {
      used = i;
      return Status::Done;
    }
    const char c = s[i];
    if (c == 'M' || c == 'm') break;
    if (!((c >= '0' && c <= '9') || c == ';')) {
      used = i;  // malformed: drop what was read
      return Status::Done;
    }
  }
  if (i == s.size()) return Status::Incomplete;
  used = i + 1;
  const Params p = parse_params(s.substr(3, i - 3));
  if (p.count < 3) return Status::Done;
  out.emplace_back(mouse_from_code(p.v[0], p.v[1], p.v[2], s[i] == 'm'));
  return Status::Done;
}

InputDecoder::Status InputDecoder::parse_ss3(std::string_view s, std::size_t& used,
                                             std::vector<InputEvent>& out) {
  std::size_t i = 2;
  int mod_param = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (mod_param < 100000) mod_param = mod_param * 10 + (s[i] - '0');  // as parse_params: no overflow
    ++i;
  }
  if (i >= s.size()) return Status::Incomplete;
  used = i + 1;
  Key key{};
  if (s[i] == 'M') {
    push_key(out, Key::Enter, mods_from_param(mod_param));
  } else if (letter_key(s[i], key)) {
    push_key(out, key, mods_from_param(mod_param));
  } else if (i == 2) {
    // ESC O x with an unknown x: Alt+O followed by x, as typed.
    push_key(out, Key::Char, kAlt, U'O');
    used = 2;
  }
  return Status::Done;
}

}  // namespace yollayah::tui::term
