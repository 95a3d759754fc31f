#include "headless/prompt_text.hpp"

#include "protocol/utf8.hpp"

namespace yollayah::headless {
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
    const auto bad = protocol::find_invalid_utf8(rest);
    if (bad == protocol::kValidUtf8) {
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

std::string describe_repair(const Utf8Repair& repair) {
  const auto n = repair.replaced;
  return "the prompt is not valid UTF-8 (first bad byte at offset " + std::to_string(repair.first_bad) + "): " +
         std::to_string(n) + (n == 1 ? " invalid sequence was" : " invalid sequences were") + " sent as U+FFFD";
}

std::string join_words(const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out.push_back(' ');
    out.append(words[i]);
  }
  return out;
}

}  // namespace yollayah::headless
