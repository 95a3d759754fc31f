#include "tui/screen/width.hpp"

#include <utf8proc.h>

namespace yollayah::tui::screen {
namespace {

// Decodes one code point at text[pos]; returns its length, or 0 for an invalid byte.
std::size_t decode(std::string_view text, std::size_t pos, utf8proc_int32_t& cp) {
  const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + pos),
                                  static_cast<utf8proc_ssize_t>(text.size() - pos), &cp);
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

bool is_regional_indicator(utf8proc_int32_t cp) { return cp >= 0x1F1E6 && cp <= 0x1F1FF; }

}  // namespace

std::size_t next_grapheme(std::string_view text, std::size_t pos) {
  // Most text is ASCII, and an ASCII byte other than CR followed by an ASCII byte (or nothing)
  // is a cluster of its own: every rule that joins code points needs one that is not ASCII, or
  // CR LF. No decoding then.
  if (pos < text.size()) {
    const auto c = static_cast<unsigned char>(text[pos]);
    if (c < 0x80 && c != '\r' && (pos + 1 == text.size() || static_cast<unsigned char>(text[pos + 1]) < 0x80)) {
      return pos + 1;
    }
  }
  utf8proc_int32_t prev = 0;
  const std::size_t n = decode(text, pos, prev);
  if (n == 0) return pos + 1;
  utf8proc_int32_t state = 0;
  std::size_t p = pos + n;
  while (p < text.size()) {
    utf8proc_int32_t next = 0;
    const std::size_t m = decode(text, p, next);
    if (m == 0 || utf8proc_grapheme_break_stateful(prev, next, &state)) break;
    prev = next;
    p += m;
  }
  return p;
}

bool is_control(std::string_view cluster) {
  utf8proc_int32_t cp = 0;
  if (cluster.empty() || decode(cluster, 0, cp) == 0) return false;
  return utf8proc_category(cp) == UTF8PROC_CATEGORY_CC;
}

int cluster_width(std::string_view cluster) {
  utf8proc_int32_t first = 0;
  if (cluster.empty()) return 0;
  if (cluster.size() == 1 && cluster[0] >= 0x20 && cluster[0] < 0x7F) return 1;  // printable ASCII
  std::size_t n = decode(cluster, 0, first);
  if (n == 0) return 1;  // shown as U+FFFD
  if (first == '\t') return 1;  // drawn as one space
  if (utf8proc_category(first) == UTF8PROC_CATEGORY_CC) return 0;
  int w = utf8proc_charwidth(first);
  int regional = is_regional_indicator(first) ? 1 : 0;
  for (std::size_t p = n; p < cluster.size() && w < 2;) {
    utf8proc_int32_t cp = 0;
    const std::size_t m = decode(cluster, p, cp);
    if (m == 0) break;
    if (cp == 0xFE0F && w == 1) w = 2;  // emoji presentation selector
    if (is_regional_indicator(cp) && ++regional == 2) w = 2;  // a flag
    p += m;
  }
  return w;
}

int display_width(std::string_view text) {
  int total = 0;
  for_each_grapheme(text, [&](std::string_view, int w) { total += w; });
  return total;
}

void wrap(std::string_view text, int width, std::vector<LineRange>& out) {
  out.clear();
  if (width < 1) width = 1;
  std::size_t line_begin = 0;
  int line_w = 0;
  // The last place the current line may end: it ends at brk_end (width brk_w) and the next line
  // starts at brk_next, where the current line's width is brk_next_w.
  bool has_break = false;
  std::size_t brk_end = 0, brk_next = 0;
  int brk_w = 0, brk_next_w = 0;
  bool prev_space = false;

  std::size_t pos = 0;
  while (pos < text.size()) {
    if (text[pos] == '\n' || (text[pos] == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n')) {
      const std::size_t line_end = pos;
      pos += text[pos] == '\r' ? 2 : 1;
      out.push_back({line_begin, line_end, line_w});
      line_begin = pos;
      line_w = 0;
      has_break = prev_space = false;
      continue;
    }
    const std::size_t end = next_grapheme(text, pos);
    const std::string_view cluster = text.substr(pos, end - pos);
    const int cw = cluster_width(cluster);
    const bool space = cluster == " " || cluster == "\t";

    if (space) {
      if (!prev_space) {
        brk_end = pos;
        brk_w = line_w;
      }
      if (line_w + cw > width) {
        // The space run overflows: the line ends where the run began; the run is dropped.
        out.push_back({line_begin, brk_end, brk_w});
        while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
        line_begin = pos;
        line_w = 0;
        has_break = prev_space = false;
        continue;
      }
      line_w += cw;
      pos = end;
      prev_space = true;
      if (brk_end > line_begin) {  // leading indentation is not a break
        has_break = true;
        brk_next = pos;
        brk_next_w = line_w;
      }
      continue;
    }
    prev_space = false;

    if (line_w + cw > width && line_w > 0) {
      if (has_break) {
        out.push_back({line_begin, brk_end, brk_w});
        line_begin = brk_next;
        line_w -= brk_next_w;
      } else {
        out.push_back({line_begin, pos, line_w});
        line_begin = pos;
        line_w = 0;
      }
      has_break = false;
      continue;  // place this cluster again on the new line
    }
    line_w += cw;
    pos = end;
    if (cw == 2) {  // a line may break after a wide character (CJK has no spaces)
      has_break = true;
      brk_end = brk_next = pos;
      brk_w = brk_next_w = line_w;
    }
  }
  out.push_back({line_begin, text.size(), line_w});
}

std::vector<LineRange> wrap(std::string_view text, int width) {
  std::vector<LineRange> out;
  wrap(text, width, out);
  return out;
}

}  // namespace yollayah::tui::screen
