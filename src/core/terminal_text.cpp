#include "core/terminal_text.hpp"

namespace yollayah::core {
namespace {

bool is_c1_lead(std::string_view text, std::size_t i) {
  // U+0080..U+009F in UTF-8: C2 80 .. C2 9F.
  return static_cast<unsigned char>(text[i]) == 0xC2 && i + 1 < text.size() &&
         static_cast<unsigned char>(text[i + 1]) >= 0x80 && static_cast<unsigned char>(text[i + 1]) <= 0x9F;
}

bool is_control(unsigned char c) { return (c < 0x20 && c != '\n' && c != '\t') || c == 0x7F; }

}  // namespace

bool terminal_safe_already(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i)
    if (is_control(static_cast<unsigned char>(text[i])) || is_c1_lead(text, i)) return false;
  return true;
}

std::string terminal_safe(std::string_view text) {
  if (terminal_safe_already(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 16);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;  // CRLF: the LF does it
    if (c == 0x7F) {
      out += "\u2421";  // ␡
    } else if (is_control(c)) {
      // U+2400 + c: E2 90 80+c.
      out += '\xE2';
      out += '\x90';
      out += static_cast<char>(0x80 + c);
    } else if (is_c1_lead(text, i)) {
      out += "\uFFFD";
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace yollayah::core
