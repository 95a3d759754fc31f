// UTF-8 validation with Rust's rules (no overlongs, no surrogates, nothing above U+10FFFF),
// run over a whole payload before it is parsed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace yollayah::protocol {

inline constexpr std::size_t kValidUtf8 = static_cast<std::size_t>(-1);

// The byte offset where the first invalid sequence starts, or kValidUtf8.
std::size_t find_invalid_utf8(std::string_view s) noexcept;

struct Utf8Repair {
  std::string text;           // valid UTF-8
  std::size_t replaced = 0;   // how many invalid sequences became U+FFFD
  std::size_t first_bad = 0;  // byte offset of the first one in the input (when replaced > 0)
};

// Replaces each maximal invalid subsequence with one U+FFFD, as the Unicode Standard recommends
// (and as Python's errors="replace", browsers and Go's JSON encoder, hence Ollama, do).
Utf8Repair replace_invalid_utf8(std::string_view input);

// The longest prefix of `s` of at most `max` bytes that does not cut a valid character in two.
std::string_view utf8_prefix(std::string_view s, std::size_t max) noexcept;

}  // namespace yollayah::protocol
