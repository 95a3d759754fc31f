#include "protocol/json_writer.hpp"

#include <cmath>
#include <cstring>

namespace yollayah::protocol::json {

namespace {

// The shortest round-trip decimal digits of |v| (no leading or trailing zeros) and the decimal
// exponent of the first digit. libstdc++'s to_chars runs Ryu's f2s underneath, so these are the
// digits serde_json's ryu prints.
struct Decimal {
  char digits[12];
  int length = 0;
  int exp10 = 0;  // v = 0.d1d2d3... * 10^(exp10 + 1), i.e. d1 sits at 10^exp10
};

Decimal shortest_digits(float magnitude) {
  char sci[32];
  const auto r = std::to_chars(sci, sci + sizeof sci, magnitude, std::chars_format::scientific);
  Decimal d;
  const char* p = sci;
  for (; p != r.ptr && *p != 'e'; ++p) {
    if (*p != '.') d.digits[d.length++] = *p;
  }
  // p points at 'e', followed by a sign and at least two exponent digits.
  ++p;
  const bool negative = *p == '-';
  ++p;
  int e = 0;
  for (; p != r.ptr; ++p) e = e * 10 + (*p - '0');
  d.exp10 = negative ? -e : e;
  return d;
}

// ryu's write_exponent2: an optional '-' and one or two digits.
std::size_t write_exponent(int e, char* out) {
  std::size_t n = 0;
  if (e < 0) {
    out[n++] = '-';
    e = -e;
  }
  if (e >= 10) out[n++] = static_cast<char>('0' + e / 10);
  out[n++] = static_cast<char>('0' + e % 10);
  return n;
}

}  // namespace

std::size_t format_f32(float v, char* buf) {
  std::size_t n = 0;
  if (std::signbit(v)) buf[n++] = '-';
  if (v == 0.0f) {
    std::memcpy(buf + n, "0.0", 3);
    return n + 3;
  }
  const Decimal d = shortest_digits(std::fabs(v));
  const int length = d.length;
  const int kk = d.exp10 + 1;  // 10^(kk-1) <= |v| < 10^kk
  const int k = kk - length;   // |v| = digits * 10^k

  if (k >= 0 && kk <= 13) {  // 1234e7 -> 12340000000.0
    std::memcpy(buf + n, d.digits, length);
    std::memset(buf + n + length, '0', kk - length);
    n += kk;
    std::memcpy(buf + n, ".0", 2);
    return n + 2;
  }
  if (kk > 0 && kk <= 13) {  // 1234e-2 -> 12.34
    std::memcpy(buf + n, d.digits, kk);
    buf[n + kk] = '.';
    std::memcpy(buf + n + kk + 1, d.digits + kk, length - kk);
    return n + length + 1;
  }
  if (kk > -6 && kk <= 0) {  // 1234e-6 -> 0.001234
    std::memcpy(buf + n, "0.", 2);
    std::memset(buf + n + 2, '0', -kk);
    n += 2 + -kk;
    std::memcpy(buf + n, d.digits, length);
    return n + length;
  }
  buf[n++] = d.digits[0];
  if (length > 1) {  // 1234e30 -> 1.234e33
    buf[n++] = '.';
    std::memcpy(buf + n, d.digits + 1, length - 1);
    n += length - 1;
  }
  buf[n++] = 'e';
  return n + write_exponent(kk - 1, buf + n);
}

void write_f32(std::string& out, float v) {
  if (!std::isfinite(v)) {
    write_null(out);
    return;
  }
  char buf[kMaxF32Chars];
  out.append(buf, format_f32(v, buf));
}

}  // namespace yollayah::protocol::json
