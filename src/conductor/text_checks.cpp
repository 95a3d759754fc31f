#include "conductor/text_checks.hpp"

namespace yollayah::conductor {

std::size_t find_control_char(std::string_view s, std::string_view allowed) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x20 || b == 0x7f) {
      if (allowed.find(static_cast<char>(b)) == std::string_view::npos) return i;
    } else if (b == 0xc2 && i + 1 < s.size()) {
      const auto next = static_cast<unsigned char>(s[i + 1]);
      if (next >= 0x80 && next <= 0x9f) return i;  // C1 control, U+0080–U+009F
    }
  }
  return std::string_view::npos;
}

char32_t control_char_at(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return 0;
  const auto b = static_cast<unsigned char>(s[pos]);
  if (b == 0xc2 && pos + 1 < s.size()) return static_cast<char32_t>(s[pos + 1] & 0x3f) | 0x80;
  return b;
}

}  // namespace yollayah::conductor
