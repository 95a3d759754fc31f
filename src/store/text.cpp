#include "store/text.hpp"

#include "core/terminal_text.hpp"

namespace yollayah::store {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
bool is_continuation(unsigned char c) { return (c & 0xc0) == 0x80; }

// A word for the index: any letter or digit (every non-ASCII byte counts, as unicode61 keeps most
// of those characters).
bool has_word_character(std::string_view token) {
  for (const char ch : token) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  }
  return false;
}

std::size_t char_count(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) n += is_continuation(static_cast<unsigned char>(c)) ? 0 : 1;
  return n;
}

}  // namespace

std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  while (end > 0 && is_continuation(static_cast<unsigned char>(text[end]))) --end;
  return text.substr(0, end);
}

std::string first_line(std::string_view text, std::size_t max_chars) {
  std::size_t start = 0;
  while (start < text.size() && is_space(text[start])) ++start;
  std::size_t end = text.find('\n', start);
  if (end == std::string_view::npos) end = text.size();
  std::string line;
  bool space = false;
  for (std::size_t i = start; i < end; ++i) {
    if (is_space(text[i])) {
      space = true;
      continue;
    }
    if (space && !line.empty()) line.push_back(' ');
    space = false;
    line.push_back(text[i]);
  }
  if (char_count(line) <= max_chars) return line;
  // Keep max_chars - 1 characters and add the ellipsis, backing up to a space if one is close.
  std::size_t bytes = 0;
  for (std::size_t chars = 0; bytes < line.size() && chars < max_chars - 1; ++chars) {
    ++bytes;
    while (bytes < line.size() && is_continuation(static_cast<unsigned char>(line[bytes]))) ++bytes;
  }
  std::size_t cut = bytes;
  const auto space_at = line.rfind(' ', bytes);
  if (space_at != std::string::npos && space_at > bytes * 2 / 3) cut = space_at;
  line.resize(cut);
  return line + "…";
}

std::string title_from(std::string_view first_message) { return first_line(first_message, 60); }

std::optional<std::string> fts_query(std::string_view typed) {
  std::string out;
  std::size_t i = 0;
  while (i < typed.size()) {
    while (i < typed.size() && is_space(typed[i])) ++i;
    const std::size_t start = i;
    while (i < typed.size() && !is_space(typed[i])) ++i;
    std::string_view token = typed.substr(start, i - start);
    bool prefix = false;
    while (token.size() > 1 && token.back() == '*') {
      token.remove_suffix(1);
      prefix = true;
    }
    if (token.empty() || !has_word_character(token)) continue;
    if (!out.empty()) out.push_back(' ');
    out.push_back('"');
    for (const char c : token) {
      if (c == '"') out.push_back('"');
      out.push_back(c);
    }
    out.push_back('"');
    if (prefix && char_count(token) >= 2) out.push_back('*');
  }
  if (out.empty()) return std::nullopt;
  return out;
}

void split_highlights(std::string_view marked, SearchHit& hit) {
  hit.snippet.clear();
  hit.highlights.clear();
  hit.snippet.reserve(marked.size());
  std::uint32_t open = 0;
  bool inside = false;
  for (const char c : marked) {
    if (c == kMarkOpen) {
      open = static_cast<std::uint32_t>(hit.snippet.size());
      inside = true;
    } else if (c == kMarkClose) {
      if (inside) hit.highlights.emplace_back(open, static_cast<std::uint32_t>(hit.snippet.size()));
      inside = false;
    } else {
      hit.snippet.push_back(c);
    }
  }
}

std::string marked_snippet(const SearchHit& hit, std::string_view open, std::string_view close) {
  std::string snippet = hit.snippet;
  // One line, and no control character a terminal would obey (C0, DEL, and C1 as UTF-8 C2 80-9F):
  // each byte becomes a space, the same length, so the ranges hold.
  for (std::size_t i = 0; i < snippet.size(); ++i)
    for (std::size_t n = core::control_length(snippet, i); n > 0; --n) snippet[i + n - 1] = ' ';
  std::string out;
  std::size_t at = 0;
  for (const auto& [begin, end] : hit.highlights) {
    if (begin < at || end > snippet.size() || begin > end) continue;
    out.append(snippet, at, begin - at);
    out.append(open);
    out.append(snippet, begin, end - begin);
    out.append(close);
    at = end;
  }
  out.append(snippet, at);
  return out;
}

}  // namespace yollayah::store
