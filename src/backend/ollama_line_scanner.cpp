#include "backend/ollama_line_scanner.hpp"

#include "backend/ollama_line_parser.hpp"
#include "protocol/utf8.hpp"

#include <array>
#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace yollayah::backend {
namespace {

// The fixed pieces between the values are literals in scan_token_line. Each string value ends
// at its closing quote, which the next piece starts with.

// Compared with a constant size, which the compiler turns into a few word compares.
template <std::size_t N>
bool eat(std::string_view& s, const char (&piece)[N]) {
  constexpr std::size_t n = N - 1;
  if (s.size() < n || std::memcmp(s.data(), piece, n) != 0) return false;
  s.remove_prefix(n);
  return true;
}

constexpr auto kSpecial = [] {
  std::array<bool, 256> t{};
  for (std::size_t c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = t['\\'] = true;
  return t;
}();

// The offset of the first '"', '\\' or control byte in p[0, n), or n; sixteen bytes at a time
// where SSE2 is there (x86-64 always has it). `high` becomes non-zero if a byte passed over is
// not ASCII.
std::size_t find_special(const char* p, std::size_t n, unsigned& high) {
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i slash = _mm_set1_epi8('\\');
  const __m128i below_space = _mm_set1_epi8(0x1F);
  for (; n - i >= 16; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, below_space), v);  // v <= 0x1F, unsigned
    const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, slash)), control);
    const auto hits = static_cast<unsigned>(_mm_movemask_epi8(hit));
    const auto highs = static_cast<unsigned>(_mm_movemask_epi8(v));
    if (hits != 0) {
      const auto at = static_cast<unsigned>(std::countr_zero(hits));
      high |= highs & ((1u << at) - 1);  // only the bytes before the hit were passed over
      return i + at;
    }
    high |= highs;
  }
#endif
  for (; i < n; ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    if (kSpecial[c]) return i;
    high |= c & 0x80u;
  }
  return n;
}

// A string value with nothing to decode: its bytes up to the closing quote (left in `s`). False
// at a backslash or a control byte (the SAX parser decides those).
bool plain_string(std::string_view& s, std::string_view& value, unsigned& high) {
  const std::size_t at = find_special(s.data(), s.size(), high);
  if (at == s.size() || s[at] != '"') return false;
  value = s.substr(0, at);
  s.remove_prefix(at);
  return true;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The four hex digits of a \u escape at `p`, or -1.
long hex4(const char* p) {
  long v = 0;
  for (int k = 0; k < 4; ++k) {
    const int d = hex_digit(p[k]);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

void append_utf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    const char b[] = {static_cast<char>(0xC0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3F))};
    out.append(b, 2);
  } else if (cp < 0x10000) {
    const char b[] = {static_cast<char>(0xE0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
                      static_cast<char>(0x80 | (cp & 0x3F))};
    out.append(b, 3);
  } else {
    const char b[] = {static_cast<char>(0xF0 | (cp >> 18)), static_cast<char>(0x80 | ((cp >> 12) & 0x3F)),
                      static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), static_cast<char>(0x80 | (cp & 0x3F))};
    out.append(b, 4);
  }
}

// Decodes a string value into `out` up to its closing quote (left in `s`). Runs without escapes
// are appended whole. False at a control byte, an unknown escape or a lone surrogate.
bool decode_string(std::string_view& s, std::string& out, unsigned& high) {
  const char* p = s.data();
  const std::size_t n = s.size();
  std::size_t i = 0;
  for (;;) {
    const std::size_t at = i + find_special(p + i, n - i, high);
    out.append(p + i, at - i);
    i = at;
    if (i == n) return false;
    const auto c = static_cast<unsigned char>(p[i]);
    if (c == '"') {
      s.remove_prefix(i);
      return true;
    }
    if (c < 0x20 || n - i < 2) return false;
    switch (p[i + 1]) {  // p[i] is a backslash
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '/': out.push_back('/'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        if (n - i < 6) return false;
        const long hi = hex4(p + i + 2);
        if (hi < 0 || (hi >= 0xDC00 && hi <= 0xDFFF)) return false;
        if (hi >= 0xD800 && hi <= 0xDBFF) {
          // A surrogate pair: the low half must follow at once.
          if (n - i < 12 || p[i + 6] != '\\' || p[i + 7] != 'u') return false;
          const long lo = hex4(p + i + 8);
          if (lo < 0xDC00 || lo > 0xDFFF) return false;
          append_utf8(out, 0x10000 + ((static_cast<unsigned long>(hi) - 0xD800) << 10) +
                               (static_cast<unsigned long>(lo) - 0xDC00));
          i += 12;
        } else {
          append_utf8(out, static_cast<unsigned long>(hi));
          i += 6;
        }
        continue;
      }
      default: return false;
    }
    i += 2;
  }
}

bool only_whitespace(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

// The text and what follows it, `s` starting after the text's opening quote.
bool scan_text_to_end(std::string_view s, bool chat, OllamaLine& out) {
  unsigned content_high = 0;
  if (!decode_string(s, out.content, content_high)) return false;
  if (chat ? !eat(s, R"("},"done":false})") : !eat(s, R"(","done":false})")) return false;
  if (!only_whitespace(s)) return false;
  // The same check as the SAX path: only the kept strings must be UTF-8 (created_at is not kept).
  // Escapes always decode to valid UTF-8 here, so pure-ASCII raw bytes need no look.
  return !content_high || protocol::find_invalid_utf8(out.content) == protocol::kValidUtf8;
}

// The whole line; `text_at` becomes where its text starts.
ScanResult scan_full(std::string_view line, OllamaLine& out, std::size_t& text_at, bool& chat) {
  std::string_view s = line, model, created_at;
  unsigned model_high = 0, other_high = 0;
  if (!eat(s, R"({"model":")") || !plain_string(s, model, model_high)) return ScanResult::Unusual;
  if (!eat(s, R"(","created_at":")") || !plain_string(s, created_at, other_high)) return ScanResult::Unusual;
  chat = true;
  if (!eat(s, R"(","message":{"role":"assistant","content":")")) {
    if (!eat(s, R"(","response":")")) return ScanResult::Unusual;
    chat = false;
  }
  if (model_high && protocol::find_invalid_utf8(model) != protocol::kValidUtf8) return ScanResult::Unusual;
  text_at = line.size() - s.size();
  out.clear();
  if (!scan_text_to_end(s, chat, out)) return ScanResult::Unusual;
  out.has_content = true;
  out.model.assign(model);
  return ScanResult::Parsed;
}

}  // namespace

ScanResult scan_token_line(std::string_view line, OllamaLine& out) {
  std::size_t text_at = 0;
  bool chat = true;
  return scan_full(line, out, text_at, chat);
}

ScanResult scan_token_line(std::string_view line, OllamaLine& out, ScanCache& cache) {
  const std::string& prefix = cache.prefix;
  if (!prefix.empty() && line.size() > prefix.size() && std::memcmp(line.data(), prefix.data(), prefix.size()) == 0) {
    // `out.model` is still the model of the line that left this prefix (checked then).
    std::string model = std::move(out.model);
    out.clear();
    out.model = std::move(model);
    if (scan_text_to_end(line.substr(prefix.size()), cache.chat, out)) {
      out.has_content = true;
      return ScanResult::Parsed;
    }
    cache.prefix.clear();
    return ScanResult::Unusual;
  }
  std::size_t text_at = 0;
  bool chat = true;
  if (scan_full(line, out, text_at, chat) != ScanResult::Parsed) {
    cache.prefix.clear();
    return ScanResult::Unusual;
  }
  cache.prefix.assign(line.substr(0, text_at));
  cache.chat = chat;
  return ScanResult::Parsed;
}

}  // namespace yollayah::backend
