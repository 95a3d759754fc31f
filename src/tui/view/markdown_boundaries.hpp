// Where a streaming Markdown answer can be cut, so that the text before a cut is laid out once
// and only the text after it again as the answer grows.
#pragma once

#include <cstddef>
#include <string_view>

namespace yollayah::tui::view {

// Finds the cut points of a Markdown text that grows by appending (a streaming answer): a blank
// line outside any fenced code, followed by a line that starts a new top-level block which can
// neither continue a list nor be indented; and the start of each line of a fenced code block
// at the left edge after its first. The text before such a point lays out the same on its own as
// within the whole text, with rare exceptions (a link reference defined later), so it can be laid
// out once and kept while the rest streams in.
class MarkdownBoundaries {
 public:
  // Scans the complete lines of `text` not scanned yet. `text` must start with the text given
  // to the previous calls since reset() (it only grew).
  void scan(std::string_view text);
  // The last cut point found: a byte offset at the start of a line, 0 if none.
  std::size_t last() const { return last_; }
  // When last() is inside a fenced code block: the line that opened it (with its info string, for
  // the language), which the text from last() needs in front of it, and a line break, to lay out
  // as the rest of that block. Empty otherwise. `text` is the text last scanned.
  std::string_view reopen(std::string_view text) const {
    return text.substr(last_reopen_begin_, last_reopen_len_);
  }
  void reset() { *this = MarkdownBoundaries{}; }

 private:
  bool scan_code_line(std::size_t pos, std::string_view line);
  void scan_line(std::size_t pos, std::string_view line);
  bool scan_table_line(std::string_view rest, bool after_text);

  std::size_t scanned_ = 0;  // the start of the first line not scanned
  std::size_t last_ = 0;
  std::size_t last_reopen_begin_ = 0, last_reopen_len_ = 0;
  bool after_blank_ = false;    // the previous line was blank
  bool in_table_ = false;       // after a table's delimiter row, before a blank line
  std::size_t text_lines_ = 0;  // lines of the paragraph going on, if any
  char fence_char_ = 0;         // '`' or '~' inside a fenced code block, else 0
  std::size_t fence_len_ = 0;
  bool in_list_ = false;          // a list item was seen and no block at the left edge since
  bool fence_quoted_ = false;     // the fence is in a block quote: it ends with the quote
  bool fence_nested_ = false;     // the fence may be in a list item: it ends with the item
  std::size_t fence_column_ = 0;  // where the fence's line starts its content
  // The fence's opening line.
  std::size_t open_begin_ = 0, open_len_ = 0;
  bool prev_code_ = false;  // the previous line was a line of code in the fence
};

}  // namespace yollayah::tui::view
