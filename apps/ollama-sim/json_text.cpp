#include "json_text.hpp"

#include <charconv>
#include <ctime>

namespace yollayah::sim {

void append_json_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::size_t run = 0;  // start of the pending run of bytes that need no escape
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      default: {
        const char esc[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
        out.append(esc, sizeof esc);
      }
    }
  }
  out.append(text.data() + run, text.size() - run);
}

std::string json_escaped(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  append_json_escaped(out, text);
  return out;
}

void append_number(std::string& out, std::uint64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec;
  out.append(buf, static_cast<std::size_t>(end - buf));
}

void Timestamp::set(std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  auto secs = time_point_cast<seconds>(now);
  auto micros = duration_cast<microseconds>(now - secs).count();
  std::time_t t = system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(text_, sizeof text_, "%Y-%m-%dT%H:%M:%S", &tm);  // 19 characters
  text_[19] = '.';
  for (int i = 25; i >= 20; --i) {
    text_[i] = static_cast<char>('0' + micros % 10);
    micros /= 10;
  }
  text_[26] = 'Z';
  text_[27] = '\0';
}

std::string fake_digest(std::string_view name) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a, then a splitmix stream for 64 hex digits
  for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  std::string out = "sha256:";
  for (int word = 0; word < 4; ++word) {
    std::uint64_t z = (h += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    for (int i = 0; i < 16; ++i) out.push_back(kHex[(z >> (i * 4)) & 0xf]);
  }
  return out;
}

}  // namespace yollayah::sim
