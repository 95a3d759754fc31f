#include "tui/app/clipboard.hpp"

namespace yollayah::tui::app {

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const auto n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                   static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (const std::size_t rest = bytes.size() - i; rest > 0) {
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string osc52_sequence(std::string_view text) { return "\x1b]52;c;" + base64_encode(text) + "\a"; }

namespace {

struct Fence {
  char ch = 0;
  std::size_t length = 0;
  std::size_t indent = 0;
};

// A fence line: up to 3 spaces, then 3 or more ` or ~ (a backtick fence's info string has no `).
std::optional<Fence> opening_fence(std::string_view line) {
  std::size_t indent = 0;
  while (indent < line.size() && indent < 4 && line[indent] == ' ') ++indent;
  if (indent > 3 || indent >= line.size()) return std::nullopt;
  const char c = line[indent];
  if (c != '`' && c != '~') return std::nullopt;
  std::size_t n = indent;
  while (n < line.size() && line[n] == c) ++n;
  if (n - indent < 3) return std::nullopt;
  if (c == '`' && line.substr(n).find('`') != std::string_view::npos) return std::nullopt;
  return Fence{c, n - indent, indent};
}

bool closes(std::string_view line, const Fence& open) {
  const auto fence = opening_fence(line);
  if (!fence || fence->ch != open.ch || fence->length < open.length) return false;
  const auto rest = line.substr(fence->indent + fence->length);
  return rest.find_first_not_of(" \t") == std::string_view::npos;
}

// Content lines lose up to the opening fence's indentation, as CommonMark says.
std::string_view unindent(std::string_view line, std::size_t indent) {
  std::size_t i = 0;
  while (i < indent && i < line.size() && line[i] == ' ') ++i;
  return line.substr(i);
}

}  // namespace

std::vector<std::string> code_blocks(std::string_view markdown) {
  std::vector<std::string> blocks;
  std::optional<Fence> open;
  std::size_t pos = 0;
  while (pos < markdown.size()) {
    std::size_t end = markdown.find('\n', pos);
    if (end == std::string_view::npos) end = markdown.size();
    std::string_view line = markdown.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = end + 1;
    if (!open) {
      if ((open = opening_fence(line))) blocks.emplace_back();
      continue;
    }
    if (closes(line, *open)) {
      open.reset();
      continue;
    }
    blocks.back().append(unindent(line, open->indent));
    blocks.back() += '\n';
  }
  return blocks;
}

std::string group_thousands(std::size_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace yollayah::tui::app
