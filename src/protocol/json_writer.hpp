// Low-level JSON output that matches serde_json byte for byte: string escaping, integers, and
// f32 in ryu's layout. Appends to a std::string and allocates nothing beyond growing it.
#pragma once

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace yollayah::protocol::json {

namespace detail {

// For each byte: 0 = copy as is, 'u' = \u00XX, anything else = backslash + that character.
// serde_json escapes only '"', '\\' and the C0 controls; 0x7f and non-ASCII stay raw.
constexpr std::array<char, 256> make_escape_table() {
  std::array<char, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = 'u';
  t['\b'] = 'b';
  t['\t'] = 't';
  t['\n'] = 'n';
  t['\f'] = 'f';
  t['\r'] = 'r';
  t['"'] = '"';
  t['\\'] = '\\';
  return t;
}
inline constexpr std::array<char, 256> kEscape = make_escape_table();

}  // namespace detail

// Appends `s` as a quoted JSON string.
inline void write_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  const char* run = s.data();
  const char* const end = s.data() + s.size();
  for (const char* p = run; p != end; ++p) {
    const char e = detail::kEscape[static_cast<unsigned char>(*p)];
    if (e == 0) continue;
    out.append(run, p);
    if (e == 'u') {
      const auto c = static_cast<unsigned char>(*p);
      const char seq[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
      out.append(seq, sizeof seq);
    } else {
      const char seq[2] = {'\\', e};
      out.append(seq, sizeof seq);
    }
    run = p + 1;
  }
  out.append(run, end);
  out.push_back('"');
}

inline void write_u64(std::string& out, std::uint64_t v) {
  char buf[20];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

inline void write_bool(std::string& out, bool v) { out.append(v ? "true" : "false"); }

inline void write_null(std::string& out) { out.append("null"); }

// Writes `v` the way serde_json writes an f32 (ryu's format32): shortest round-trip digits,
// "42.0" for integral values, plain decimal while 1e-6 < |v| < 1e13, "1e20" / "1.5e-7" outside.
// Returns the number of characters written; `buf` needs kMaxF32Chars. `v` must be finite.
inline constexpr std::size_t kMaxF32Chars = 24;
std::size_t format_f32(float v, char* buf);

// A non-finite float is written as null, as serde_json does.
void write_f32(std::string& out, float v);

}  // namespace yollayah::protocol::json
