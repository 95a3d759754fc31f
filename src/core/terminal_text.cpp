#include "core/terminal_text.hpp"

namespace yollayah::core {
namespace {

// A control a terminal would obey: every one but tab and newline.
std::size_t obeyed_control_length(std::string_view text, std::size_t at) {
  const char c = text[at];
  return c == '\n' || c == '\t' ? 0 : control_length(text, at);
}

}  // namespace

std::size_t control_length(std::string_view text, std::size_t at) {
  const auto c = static_cast<unsigned char>(text[at]);
  if (c < 0x20 || c == 0x7F) return 1;
  // U+0080..U+009F in UTF-8: C2 80 .. C2 9F.
  if (c == 0xC2 && at + 1 < text.size() && static_cast<unsigned char>(text[at + 1]) >= 0x80 &&
      static_cast<unsigned char>(text[at + 1]) <= 0x9F)
    return 2;
  return 0;
}

bool terminal_safe_already(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i)
    if (obeyed_control_length(text, i) > 0) return false;
  return true;
}

std::string terminal_safe(std::string_view text) {
  if (terminal_safe_already(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 16);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t control = obeyed_control_length(text, i);
    if (control == 0) {
      out += static_cast<char>(c);
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      // CRLF: the LF does it
    } else if (c == 0x7F) {
      out += "\u2421";  // ␡
    } else if (control == 1) {
      // U+2400 + c: E2 90 80+c.
      out += '\xE2';
      out += '\x90';
      out += static_cast<char>(0x80 + c);
    } else {
      out += "\uFFFD";  // a C1 control
      ++i;
    }
  }
  return out;
}

}  // namespace yollayah::core
