#include "protocol/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace yollayah::protocol {

namespace {

constexpr bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// The length of the valid sequence starting at s[i], or 0 if it is invalid.
std::size_t sequence_length(const unsigned char* s, std::size_t i, std::size_t n) {
  const unsigned char c = s[i];
  std::size_t len = 0;
  unsigned char lo = 0x80;  // allowed range of the second byte
  unsigned char hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;       // overlong
    else if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;       // overlong
    else if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (n - i < len) return 0;
  if (s[i + 1] < lo || s[i + 1] > hi) return 0;
  for (std::size_t k = 2; k < len; ++k) {
    if (!is_continuation(s[i + k])) return 0;
  }
  return len;
}

}  // namespace

std::size_t find_invalid_utf8(std::string_view sv) noexcept {
  const auto* s = reinterpret_cast<const unsigned char*>(sv.data());
  const std::size_t n = sv.size();
  std::size_t i = 0;
  while (i < n) {
    // ASCII fast path, eight bytes at a time.
    if (n - i >= 8) {
      std::uint64_t word;
      std::memcpy(&word, s + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    const std::size_t len = sequence_length(s, i, n);
    if (len == 0) return i;
    i += len;
  }
  return kValidUtf8;
}

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// How many bytes, from s[0] (where an invalid sequence starts), form its maximal subpart: the
// start of a well-formed sequence that stops short, or else the single byte.
std::size_t maximal_subpart(std::string_view s) {
  const auto c = static_cast<unsigned char>(s[0]);
  std::size_t len = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 1;
  }
  std::size_t k = 1;
  while (k < len && k < s.size()) {
    const auto b = static_cast<unsigned char>(s[k]);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) break;
    ++k;
  }
  return k;
}

}  // namespace

Utf8Repair replace_invalid_utf8(std::string_view input) {
  Utf8Repair out;
  std::size_t pos = 0;
  while (pos < input.size()) {
    const auto rest = input.substr(pos);
    const auto bad = find_invalid_utf8(rest);
    if (bad == kValidUtf8) {
      out.text.append(rest);
      break;
    }
    if (out.replaced++ == 0) out.first_bad = pos + bad;
    out.text.append(rest.substr(0, bad));
    out.text.append(kReplacement);
    pos += bad + maximal_subpart(rest.substr(bad));
  }
  return out;
}

std::string_view utf8_prefix(std::string_view s, std::size_t max) noexcept {
  if (s.size() <= max) return s;
  std::size_t end = max;
  while (end > 0 && is_continuation(static_cast<unsigned char>(s[end]))) --end;
  return s.substr(0, end);
}

}  // namespace yollayah::protocol
