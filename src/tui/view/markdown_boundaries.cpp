#include "tui/view/markdown_boundaries.hpp"

#include <algorithm>

namespace yollayah::tui::view {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

bool is_blank(std::string_view line) { return std::all_of(line.begin(), line.end(), is_space); }

std::size_t indent_of(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  return i;
}

// The length of a list item marker at the start of `line` ("-", "+", "*", or up to 9 digits and
// "." or ")"), followed by a space, a tab or the end of the line; 0 if there is none.
std::size_t list_marker(std::string_view line) {
  std::size_t i = 0;
  if (!line.empty() && (line[0] == '-' || line[0] == '+' || line[0] == '*')) {
    i = 1;
  } else {
    while (i < line.size() && i < 10 && line[i] >= '0' && line[i] <= '9') ++i;
    if (i == 0 || i > 9 || i >= line.size() || (line[i] != '.' && line[i] != ')')) return 0;
    ++i;
  }
  return i == line.size() || is_space(line[i]) ? i : 0;
}

// Where a line's content starts once indentation, quote marks and list markers are skipped.
struct Content {
  std::size_t column = 0;  // byte offset in the line
  bool quoted = false;
  bool item = false;  // after a list marker
};

Content content_of(std::string_view line) {
  Content c;
  for (;;) {
    c.column += indent_of(line.substr(c.column));
    const std::string_view rest = line.substr(c.column);
    if (!rest.empty() && rest[0] == '>') {
      c.quoted = true;
      ++c.column;
    } else if (const std::size_t m = list_marker(rest); m > 0 && m < rest.size()) {
      c.item = true;
      c.column += m;
    } else {
      return c;
    }
  }
}

// A thematic break: three or more of '-', '*' or '_', spaces between them allowed.
bool is_rule(std::string_view s) {
  if (s.empty() || (s[0] != '-' && s[0] != '*' && s[0] != '_')) return false;
  int n = 0;
  for (char c : s) {
    if (c == s[0]) {
      ++n;
    } else if (!is_space(c)) {
      return false;
    }
  }
  return n >= 3;
}

// An ATX heading: one to six '#', then a space or nothing.
bool is_heading(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && s[n] == '#') ++n;
  return n >= 1 && n <= 6 && (n == s.size() || is_space(s[n]));
}

// A table's delimiter row, the line under its header: "|---|:--:|", "--- | ---".
bool is_table_delimiter(std::string_view line) {
  bool pipe = false, dash = false;
  for (char c : line) {
    if (c == '|') {
      pipe = true;
    } else if (c == '-') {
      dash = true;
    } else if (c != ':' && !is_space(c)) {
      return false;
    }
  }
  return pipe && dash;
}

// The run of '`' or '~' opening (or closing) a fence: 3 or more; 0 if `s` does not start one.
std::size_t fence_run(std::string_view s, char& ch) {
  if (s.empty() || (s[0] != '`' && s[0] != '~')) return 0;
  ch = s[0];
  std::size_t n = 0;
  while (n < s.size() && s[n] == ch) ++n;
  if (n < 3) return 0;
  if (ch == '`' && s.substr(n).find('`') != std::string_view::npos) return 0;  // inline code
  return n;
}

}  // namespace

void MarkdownBoundaries::scan(std::string_view text) {
  for (;;) {
    const std::size_t pos = scanned_;
    const std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) return;  // the last line may still grow
    scanned_ = nl + 1;
    const std::string_view line = text.substr(pos, nl - pos);
    if (fence_char_ == 0 || !scan_code_line(pos, line)) scan_line(pos, line);
  }
}

// A line inside a fenced code block: false when it is past the block (the quote or list item
// holding it ended), to be scanned as an ordinary line.
bool MarkdownBoundaries::scan_code_line(std::size_t pos, std::string_view line) {
  const bool blank = is_blank(line);
  const Content c = content_of(line);
  // The closing fence is in the same container as the opening one: "> ```" closes a fence in
  // a quote only.
  const std::size_t column = fence_quoted_ ? c.column : indent_of(line);
  char ch = 0;
  const std::size_t run = fence_run(line.substr(column), ch);
  if (run >= fence_len_ && ch == fence_char_ && is_blank(line.substr(column + run))) {
    fence_char_ = 0;  // closed
    after_blank_ = prev_code_ = false;
    text_lines_ = 0;
    return true;
  }
  const bool ended =
      fence_quoted_ ? !c.quoted : (fence_nested_ && !blank && indent_of(line) < fence_column_);
  if (ended) {
    fence_char_ = 0;
    prev_code_ = false;
    return false;
  }
  // Lines of code lay out one by one: a long block can be cut between two of them if it is at
  // the top level (reopened, it lays out the same).
  if (prev_code_ && !fence_quoted_ && !fence_nested_) {
    last_ = pos;
    last_reopen_begin_ = open_begin_;
    last_reopen_len_ = open_len_;
  }
  prev_code_ = true;
  after_blank_ = blank;
  return true;
}

void MarkdownBoundaries::scan_line(std::size_t pos, std::string_view line) {
  if (is_blank(line)) {
    after_blank_ = true;
    in_table_ = false;
    text_lines_ = 0;
    return;
  }
  const std::size_t indent = indent_of(line);
  const std::string_view rest = line.substr(indent);
  const bool item = list_marker(rest) > 0 && (indent < 4 || in_list_);
  // A new block at the left edge after a blank line: nothing before it can change with it.
  // An indented line or a list item could continue an earlier list (or make it loose).
  if (after_blank_ && pos > 0 && indent == 0 && !item) {
    last_ = pos;
    last_reopen_len_ = 0;
  }
  const bool after_text = !after_blank_ && pos > 0;
  if (item) {
    in_list_ = true;
  } else if (indent == 0 &&
             (after_blank_ || is_heading(rest) || is_rule(rest) || rest.starts_with('>') ||
              rest.starts_with("```") || rest.starts_with("~~~"))) {
    in_list_ = false;  // a list ends at a line that starts another block at the left edge
  }
  after_blank_ = false;
  if (scan_table_line(rest, after_text)) return;
  const bool code = text_lines_ == 0 && indent >= 4;  // an indented code block
  const bool underline = text_lines_ > 0 && rest.starts_with('=') &&
                         is_blank(rest.substr(std::min(rest.find_first_not_of('='), rest.size())));
  text_lines_ = code || underline || is_rule(rest) || is_heading(rest) ? 0 : text_lines_ + 1;
  const Content c = content_of(line);
  char ch = 0;
  if (const std::size_t run = fence_run(line.substr(c.column), ch); run > 0) {
    fence_char_ = ch;
    fence_len_ = run;
    fence_quoted_ = c.quoted;
    fence_nested_ = c.item || in_list_;
    fence_column_ = c.column;
    open_begin_ = pos;
    open_len_ = line.size() - (line.ends_with('\r') ? 1 : 0);  // the language too
    prev_code_ = false;
    text_lines_ = 0;
  }
}

// Follows tables, whose rows md4c takes up to a blank line, a rule, a quote or a list item:
// anything else is a row, even ```. True when `rest` (a line without its indentation) is part
// of a table.
bool MarkdownBoundaries::scan_table_line(std::string_view rest, bool after_text) {
  if (in_table_) {
    if (!rest.starts_with('>') && list_marker(rest) == 0 && !is_rule(rest)) return true;
    in_table_ = false;
  }
  // A table needs its header to be the only line of a paragraph.
  in_table_ = after_text && text_lines_ == 1 && is_table_delimiter(rest);
  return in_table_;
}

}  // namespace yollayah::tui::view
