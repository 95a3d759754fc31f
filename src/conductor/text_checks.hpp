// Byte-level checks on UTF-8 text shared by the tag grammar and the input validator.
#pragma once

#include <cstddef>
#include <string_view>

namespace yollayah::conductor {

// The byte offset of the first control character (Unicode category Cc: U+0000–U+001F, U+007F,
// U+0080–U+009F) in UTF-8 text `s`, skipping the ASCII ones listed in `allowed`; npos if none.
std::size_t find_control_char(std::string_view s, std::string_view allowed = {});

// The code point of the control character starting at `s[pos]` (for messages such as "U+0007").
char32_t control_char_at(std::string_view s, std::size_t pos);

inline bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

inline bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace yollayah::conductor
