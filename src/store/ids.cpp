#include "store/ids.hpp"

#include <array>
#include <chrono>
#include <random>

namespace yollayah::store {

namespace {

struct IdState {
  std::mt19937_64 random{std::random_device{}()};
  std::uint64_t last_ms = 0;
  std::uint16_t counter = 0;  // 12 bits used
};

}  // namespace

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

std::string new_id() {
  thread_local IdState state;
  std::uint64_t ms = now_ms();
  // RFC 9562 method 1: a counter in rand_a, seeded randomly each millisecond (top bit clear, so it
  // has room to count); when it runs out, borrow the next millisecond.
  if (ms > state.last_ms) {
    state.last_ms = ms;
    state.counter = static_cast<std::uint16_t>(state.random() & 0x7ff);
  } else {
    ms = state.last_ms;
    if (++state.counter > 0xfff) {
      ms = ++state.last_ms;
      state.counter = static_cast<std::uint16_t>(state.random() & 0x7ff);
    }
  }
  const std::uint64_t rand_b = state.random();
  std::array<std::uint8_t, 16> b{};
  for (int i = 0; i < 6; ++i) b[i] = static_cast<std::uint8_t>(ms >> (40 - 8 * i));
  b[6] = static_cast<std::uint8_t>(0x70 | ((state.counter >> 8) & 0x0f));
  b[7] = static_cast<std::uint8_t>(state.counter & 0xff);
  for (int i = 0; i < 8; ++i) b[8 + i] = static_cast<std::uint8_t>(rand_b >> (56 - 8 * i));
  b[8] = static_cast<std::uint8_t>(0x80 | (b[8] & 0x3f));  // variant 10

  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0x0f]);
  }
  return out;
}

bool looks_like_id(const std::string& text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

}  // namespace yollayah::store
