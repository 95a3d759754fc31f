// Display width and grapheme clusters (utf8proc), and word wrapping that is correct for CJK,
// emoji and combining marks.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace yollayah::tui::screen {

// Columns a grapheme cluster takes: 0 (a lone combining mark or a control), 1 or 2. Wide and
// fullwidth characters, emoji, flags (a regional-indicator pair) and text emoji followed by
// VS16 (U+FE0F) take 2.
int cluster_width(std::string_view cluster);

// End (byte offset) of the grapheme cluster that starts at `pos`; text.size() at the end. An
// invalid UTF-8 byte is a cluster of its own.
std::size_t next_grapheme(std::string_view text, std::size_t pos);

// Calls f(cluster, width) for each grapheme cluster.
template <class F>
void for_each_grapheme(std::string_view text, F&& f) {
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t end = next_grapheme(text, pos);
    const std::string_view cluster = text.substr(pos, end - pos);
    f(cluster, cluster_width(cluster));
    pos = end;
  }
}

int display_width(std::string_view text);

// True for a cluster that is a C0/C1 control character (never drawn).
bool is_control(std::string_view cluster);

struct LineRange {
  std::size_t begin = 0;  // byte offsets into the wrapped text
  std::size_t end = 0;
  int width = 0;          // display columns of [begin, end)
  bool operator==(const LineRange&) const = default;
};

// Splits `text` into lines of at most `width` columns: breaks at '\n', wraps at spaces (the
// spaces at a wrap point belong to no line), may break after a wide (CJK) character, and
// hard-breaks a word longer than the width. A cluster wider than `width` gets a line of its own.
// `out` is cleared first; its capacity is reused.
void wrap(std::string_view text, int width, std::vector<LineRange>& out);
std::vector<LineRange> wrap(std::string_view text, int width);

}  // namespace yollayah::tui::screen
