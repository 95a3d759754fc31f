#include "backend/ollama_line_scanner.hpp"

#include "backend/ollama_line_parser.hpp"
#include "protocol/utf8.hpp"

namespace yollayah::backend {
namespace {

// The fixed pieces between the values. Each string value ends at its closing quote, which the
// next piece starts with.
constexpr std::string_view kModelKey = R"({"model":")";
constexpr std::string_view kCreatedKey = R"(","created_at":")";
constexpr std::string_view kChatContentKey = R"(","message":{"role":"assistant","content":")";
constexpr std::string_view kGenerateContentKey = R"(","response":")";
constexpr std::string_view kChatEnd = R"("},"done":false})";
constexpr std::string_view kGenerateEnd = R"(","done":false})";

bool eat(std::string_view& s, std::string_view piece) {
  if (!s.starts_with(piece)) return false;
  s.remove_prefix(piece.size());
  return true;
}

// A string value with nothing to decode: its bytes up to the closing quote (left in `s`). False
// at a backslash or a control byte (the SAX parser decides those).
bool plain_string(std::string_view& s, std::string_view& value) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"') {
      value = s.substr(0, i);
      s.remove_prefix(i);
      return true;
    }
    if (c == '\\' || c < 0x20) return false;
  }
  return false;
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
bool decode_string(std::string_view& s, std::string& out) {
  const char* p = s.data();
  const std::size_t n = s.size();
  std::size_t i = 0;
  std::size_t run = 0;  // start of the bytes not yet appended
  while (i < n) {
    const auto c = static_cast<unsigned char>(p[i]);
    if (c == '"') {
      out.append(p + run, i - run);
      s.remove_prefix(i);
      return true;
    }
    if (c < 0x20) return false;
    if (c != '\\') {
      ++i;
      continue;
    }
    out.append(p + run, i - run);
    if (n - i < 2) return false;
    switch (p[i + 1]) {
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
        run = i;
        continue;
      }
      default: return false;
    }
    i += 2;
    run = i;
  }
  return false;
}

bool only_whitespace(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

}  // namespace

ScanResult scan_token_line(std::string_view s, OllamaLine& out) {
  std::string_view model, created_at;
  if (!eat(s, kModelKey) || !plain_string(s, model)) return ScanResult::Unusual;
  if (!eat(s, kCreatedKey) || !plain_string(s, created_at)) return ScanResult::Unusual;
  std::string_view end;
  if (eat(s, kChatContentKey)) {
    end = kChatEnd;
  } else if (eat(s, kGenerateContentKey)) {
    end = kGenerateEnd;
  } else {
    return ScanResult::Unusual;
  }
  out.clear();
  if (!decode_string(s, out.content)) return ScanResult::Unusual;
  if (!eat(s, end) || !only_whitespace(s)) return ScanResult::Unusual;
  // The same check as the SAX path: only the kept strings must be UTF-8 (created_at is not kept).
  if (protocol::find_invalid_utf8(out.content) != protocol::kValidUtf8 ||
      protocol::find_invalid_utf8(model) != protocol::kValidUtf8) {
    return ScanResult::Unusual;
  }
  out.has_content = true;
  out.model.assign(model);
  return ScanResult::Parsed;
}

}  // namespace yollayah::backend
