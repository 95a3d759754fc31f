// UTF-8 validation with Rust's rules (no overlongs, no surrogates, nothing above U+10FFFF),
// run over a whole payload before it is parsed.
#pragma once

#include <cstddef>
#include <string_view>

namespace yollayah::protocol {

inline constexpr std::size_t kValidUtf8 = static_cast<std::size_t>(-1);

// The byte offset where the first invalid sequence starts, or kValidUtf8.
std::size_t find_invalid_utf8(std::string_view s) noexcept;

// The longest prefix of `s` of at most `max` bytes that does not cut a valid character in two.
std::string_view utf8_prefix(std::string_view s, std::size_t max) noexcept;

}  // namespace yollayah::protocol
