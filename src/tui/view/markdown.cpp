#include "tui/view/markdown.hpp"

#include "tui/term/input_decoder.hpp"

#include <md4c.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "tui/screen/width.hpp"
#include "tui/view/markdown_table.hpp"

namespace yollayah::tui::view {

using screen::Style;

// ---- Markdown ---------------------------------------------------------------------------------

namespace {

Style overlay(Style base, const Style& top) {
  if (!top.fg.is_default()) base.fg = top.fg;
  if (!top.bg.is_default()) base.bg = top.bg;
  base.attrs |= top.attrs;
  return base;
}

enum class ContainerKind : std::uint8_t { Quote, List, Item };

struct Container {
  ContainerKind kind = ContainerKind::Quote;
  bool tight = false;
  bool ordered = false;
  unsigned next_number = 1;
  char marker[16] = {};
  int marker_len = 0;
  int marker_width = 0;
  bool marker_shown = false;
  std::uint8_t task = 0;  // 1 to do, 2 done: the marker ends with a box from task_at on
  int task_at = 0;
};

using md::Span;


// The common named entities and numeric references; anything else stays as written.
void decode_entity(std::string_view e, std::string& out) {
  struct Named {
    std::string_view name;
    std::string_view text;
  };
  static constexpr Named kNamed[] = {
      {"&amp;", "&"},   {"&lt;", "<"},     {"&gt;", ">"},    {"&quot;", "\""},
      {"&apos;", "'"},  {"&nbsp;", " "},   {"&copy;", "©"},  {"&reg;", "®"},
      {"&trade;", "™"}, {"&hellip;", "…"}, {"&mdash;", "—"}, {"&ndash;", "–"},
      {"&larr;", "←"},  {"&rarr;", "→"},   {"&times;", "×"}, {"&deg;", "°"},
  };
  for (const Named& n : kNamed) {
    if (e == n.name) {
      out.append(n.text);
      return;
    }
  }
  if (e.size() > 3 && e[1] == '#' && e.back() == ';') {
    const bool hex = e[2] == 'x' || e[2] == 'X';
    const char* first = e.data() + (hex ? 3 : 2);
    const char* last = e.data() + e.size() - 1;
    std::uint32_t cp = 0;
    const auto [ptr, ec] = std::from_chars(first, last, cp, hex ? 16 : 10);
    if (ec == std::errc() && ptr == last) {
      term::append_utf8(out, static_cast<char32_t>(cp));
      return;
    }
  }
  out.append(e);
}

}  // namespace

struct MarkdownLayout::Renderer {
  explicit Renderer(const MarkdownTheme& t) : theme(t) {}

  MarkdownTheme theme;
  CodeHighlighter* highlighter = default_highlighter();
  TextLayout* out = nullptr;
  const char* src_begin = nullptr;  // the text being parsed
  const char* src_end = nullptr;
  std::string terminated;  // the input plus a final newline (see MarkdownLayout::layout)
  int width = 1;
  std::size_t first_line = 0;  // out's line count when this layout began

  std::vector<Container> containers;
  int list_depth = 0;
  int quote_depth = 0;

  // The inline content of the open leaf block, and its styles.
  std::string para;
  std::vector<Span> spans;
  std::vector<screen::LineRange> ranges;

  bool in_code = false;
  std::string code;
  std::string code_lang;
  std::string code_line;

  int heading = 0;
  int em = 0, strong = 0, link = 0, code_span = 0, del = 0;
  bool header_cell = false;
  bool in_table = false;
  bool in_thead = false;
  md::TableBuilder table;
  std::vector<Span> code_spans;  // one line of code's colours, in code_line
  bool need_gap = false;
  bool skip_label = false;  // the next code block continues one laid out before

  void reset(TextLayout& o, int w, bool continues) {
    out = &o;
    width = std::max(w, 1);
    first_line = continues ? 0 : o.line_count();
    containers.clear();
    list_depth = quote_depth = 0;
    para.clear();
    spans.clear();
    in_code = false;
    code.clear();
    code_lang.clear();
    heading = em = strong = link = code_span = del = 0;
    header_cell = in_table = in_thead = false;
    table.clear();
    need_gap = continues;
  }

  void finish() {
    if (in_code) flush_code();
    flush_inline();
    out = nullptr;
  }

  // -- prefixes (quote bars, list markers) and gaps between blocks

  int prefix_width() const {
    int w = 0;
    for (const Container& c : containers) {
      if (c.kind == ContainerKind::Quote) w += 2;
      if (c.kind == ContainerKind::Item) w += c.marker_width;
    }
    return w;
  }

  // A gap line keeps the quote bars but shows no marker, so the marker waits for the item's
  // first line of text.
  void emit_prefix(bool gap = false) {
    for (Container& c : containers) {
      if (c.kind == ContainerKind::Quote) {
        out->add_run("│ ", theme.quote_bar, 2);
      } else if (c.kind == ContainerKind::Item) {
        if (!gap && !c.marker_shown) {
          const std::string_view marker(c.marker, static_cast<std::size_t>(c.marker_len));
          if (c.task == 0) {
            out->add_run(marker, theme.list_marker, c.marker_width);
          } else {
            const auto at = static_cast<std::size_t>(c.task_at);
            out->add_run(marker.substr(0, at), theme.list_marker);
            out->add_run(marker.substr(at), c.task == 2 ? theme.task_done : theme.task_todo);
          }
          c.marker_shown = true;
        } else {
          out->add_spaces(c.marker_width);
        }
      }
    }
  }

  bool in_tight_list() const {
    for (auto it = containers.rbegin(); it != containers.rend(); ++it) {
      if (it->kind == ContainerKind::List) return it->tight;
    }
    return false;
  }

  void open_leaf() {
    if (need_gap && out->line_count() > first_line) {
      out->begin_line();
      emit_prefix(true);
    }
    need_gap = false;
  }
  void close_leaf() { need_gap = !in_tight_list(); }

  // -- inline content

  Style current_style() const {
    Style s = theme.text;
    if (heading == 1)
      s = overlay(s, theme.heading1);
    else if (heading == 2)
      s = overlay(s, theme.heading2);
    else if (heading >= 3)
      s = overlay(s, theme.heading3);
    if (header_cell) s = overlay(s, theme.strong);
    if (quote_depth > 0) s = overlay(s, theme.quote_text);
    if (em > 0) s = overlay(s, theme.emphasis);
    if (strong > 0) s = overlay(s, theme.strong);
    if (del > 0) s = overlay(s, theme.strikethrough);
    if (link > 0) s = overlay(s, theme.link);
    if (code_span > 0) s = overlay(s, theme.inline_code);
    return s;
  }

  void append(std::string_view t, const Style& style) { md::append_span(para, spans, t, style); }

  void flush_inline() {
    if (para.empty()) return;
    open_leaf();
    const int avail = std::max(1, width - prefix_width());
    screen::wrap(para, avail, ranges);
    for (const screen::LineRange& r : ranges) {
      out->begin_line();
      emit_prefix();
      md::add_spans(*out, para, spans, r.begin, r.end);
    }
    para.clear();
    spans.clear();
    close_leaf();
  }

  // -- leaf blocks drawn without inline content

  void emit_rule(int columns, const Style& style) {
    for (int i = 0; i < columns; ++i) out->add_run("─", style, 1);
  }

  // Draws [begin, end) of code_line in the colours of code_spans.
  void emit_code_line(std::size_t begin, std::size_t end, int pw) {
    out->begin_line();
    emit_prefix();
    out->set_fill(pw, theme.code_block);
    out->add_spaces(1, theme.code_block);
    md::add_spans(*out, code_line, code_spans, begin, end);
  }

  void code_append(std::string_view t, const Style& style) {
    md::append_span(code_line, code_spans, t, style);
  }

  // Code is kept verbatim: tabs become spaces and a line longer than the width is cut (not
  // word-wrapped) onto the next line. Tokens the highlighter finds are coloured; a character
  // takes the colour of its first byte, so a token edge inside one cannot split it.
  void flush_code() {
    in_code = false;
    open_leaf();
    const int pw = prefix_width();
    const int avail = std::max(1, width - pw - 2);  // a column of padding on each side
    if (!code_lang.empty() && !skip_label) {
      out->begin_line();
      emit_prefix();
      out->set_fill(pw, theme.code_block);
      out->add_spaces(1, theme.code_block);
      out->add_run(code_lang, theme.code_label);
    }
    std::string_view rest = code;
    if (!rest.empty() && rest.back() == '\n') rest.remove_suffix(1);
    std::span<const CodeToken> tokens;
    if (highlighter != nullptr && !code_lang.empty()) tokens = highlighter->highlight(code_lang, rest);
    std::size_t t = 0;
    for (std::size_t start = 0;;) {
      const std::size_t nl = rest.find('\n', start);
      const std::string_view piece =
          rest.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
      code_line.clear();
      code_spans.clear();
      Style style = theme.code_block;
      for (std::size_t i = 0; i < piece.size(); ++i) {
        const char c = piece[i];
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {  // not inside a character
          const std::size_t at = start + i;
          while (t < tokens.size() && tokens[t].end <= at) ++t;
          style = t < tokens.size() && tokens[t].begin <= at
                      ? overlay(theme.code_block,
                                theme.code_tokens[static_cast<std::size_t>(tokens[t].cls)])
                      : theme.code_block;
        }
        if (c == '\t') {
          code_append(std::string_view("    ").substr(code_line.size() % 4), style);
        } else if (c != '\r') {
          code_append(std::string_view(&c, 1), style);
        }
      }
      const std::string_view line = code_line;
      std::size_t seg = 0;
      int col = 0;
      for (std::size_t pos = 0; pos < line.size();) {
        const std::size_t end = screen::next_grapheme(line, pos);
        const int cw = screen::cluster_width(line.substr(pos, end - pos));
        if (col + cw > avail && col > 0) {
          emit_code_line(seg, pos, pw);
          seg = pos;
          col = 0;
        }
        col += cw;
        pos = end;
      }
      emit_code_line(seg, line.size(), pw);
      if (nl == std::string_view::npos) break;
      start = nl + 1;
    }
    code.clear();
    skip_label = false;
    close_leaf();
  }

  // -- md4c callbacks

  void push_item(const MD_BLOCK_LI_DETAIL* detail) {
    Container item;
    item.kind = ContainerKind::Item;
    Container* list = nullptr;
    for (auto it = containers.rbegin(); it != containers.rend(); ++it) {
      if (it->kind == ContainerKind::List) {
        list = &*it;
        break;
      }
    }
    std::string_view marker = "• ";
    char number[16];
    const bool task = detail != nullptr && detail->is_task != 0;
    if (list != nullptr && list->ordered) {
      const auto [ptr, ec] = std::to_chars(number, number + 10, list->next_number++);
      (void)ec;
      *ptr = '.';
      *(ptr + 1) = ' ';
      marker = std::string_view(number, static_cast<std::size_t>(ptr + 2 - number));
    } else if (task) {
      marker = std::string_view(number, 0);  // the box alone
    } else if (list_depth == 2) {
      marker = "◦ ";
    } else if (list_depth >= 3) {
      marker = "▪ ";
    }
    std::memcpy(item.marker, marker.data(), marker.size());
    item.marker_len = static_cast<int>(marker.size());
    if (task) {  // "[ ]" and "[x]" (md4c takes them out of the text)
      const bool done = detail->task_mark == 'x' || detail->task_mark == 'X';
      const std::string_view box = done ? "☑ " : "☐ ";
      std::memcpy(item.marker + marker.size(), box.data(), box.size());
      item.marker_len += static_cast<int>(box.size());
      item.task = done ? 2 : 1;
      item.task_at = static_cast<int>(marker.size());
    }
    item.marker_width =
        screen::display_width(std::string_view(item.marker, static_cast<std::size_t>(item.marker_len)));
    containers.push_back(item);
  }

  void enter_block(MD_BLOCKTYPE type, void* detail) {
    switch (type) {
      case MD_BLOCK_DOC:
        break;
      case MD_BLOCK_QUOTE:
        flush_inline();
        open_leaf();  // the gap before the quote has no bar
        containers.push_back(Container{ContainerKind::Quote});
        ++quote_depth;
        break;
      case MD_BLOCK_UL:
      case MD_BLOCK_OL: {
        flush_inline();
        Container list;
        list.kind = ContainerKind::List;
        if (type == MD_BLOCK_UL) {
          list.tight = static_cast<MD_BLOCK_UL_DETAIL*>(detail)->is_tight != 0;
        } else {
          const auto* d = static_cast<MD_BLOCK_OL_DETAIL*>(detail);
          list.tight = d->is_tight != 0;
          list.ordered = true;
          list.next_number = d->start;
        }
        containers.push_back(list);
        ++list_depth;
        break;
      }
      case MD_BLOCK_LI:
        flush_inline();
        push_item(static_cast<const MD_BLOCK_LI_DETAIL*>(detail));
        break;
      case MD_BLOCK_HR: {
        flush_inline();
        open_leaf();
        out->begin_line();
        emit_prefix();
        emit_rule(std::max(1, width - prefix_width()), theme.rule);
        close_leaf();
        break;
      }
      case MD_BLOCK_H:
        flush_inline();
        heading = static_cast<int>(static_cast<MD_BLOCK_H_DETAIL*>(detail)->level);
        break;
      case MD_BLOCK_CODE: {
        flush_inline();
        in_code = true;
        code.clear();
        const auto* d = static_cast<MD_BLOCK_CODE_DETAIL*>(detail);
        if (d->lang.text != nullptr)
          code_lang.assign(d->lang.text, d->lang.size);
        else
          code_lang.clear();
        break;
      }
      case MD_BLOCK_TABLE:
        flush_inline();
        open_leaf();
        in_table = true;
        table.clear();
        break;
      case MD_BLOCK_THEAD:
        in_thead = true;
        break;
      case MD_BLOCK_TBODY:
        break;
      case MD_BLOCK_TR:
        table.begin_row(in_thead);
        break;
      case MD_BLOCK_TH:
      case MD_BLOCK_TD: {
        header_cell = type == MD_BLOCK_TH;
        const MD_ALIGN a = static_cast<MD_BLOCK_TD_DETAIL*>(detail)->align;
        table.begin_cell(a == MD_ALIGN_LEFT     ? md::Align::Left
                         : a == MD_ALIGN_CENTER ? md::Align::Center
                         : a == MD_ALIGN_RIGHT  ? md::Align::Right
                                                : md::Align::Default,
                         para.size());
        break;
      }
      default:  // P, HTML
        flush_inline();
        break;
    }
  }

  void leave_block(MD_BLOCKTYPE type) {
    switch (type) {
      case MD_BLOCK_QUOTE:
        flush_inline();
        if (!containers.empty()) containers.pop_back();
        --quote_depth;
        need_gap = true;
        break;
      case MD_BLOCK_UL:
      case MD_BLOCK_OL:
        flush_inline();
        if (!containers.empty()) containers.pop_back();
        --list_depth;
        need_gap = !in_tight_list();
        break;
      case MD_BLOCK_LI:
        flush_inline();
        if (!containers.empty() && !containers.back().marker_shown) {  // an empty item
          open_leaf();
          out->begin_line();
          emit_prefix();
          close_leaf();
        }
        if (!containers.empty()) containers.pop_back();
        break;
      case MD_BLOCK_H:
        flush_inline();
        heading = 0;
        break;
      case MD_BLOCK_CODE:
        flush_code();
        break;
      case MD_BLOCK_TH:
      case MD_BLOCK_TD:
        table.end_cell(para.size());
        header_cell = false;
        break;
      case MD_BLOCK_TR:
      case MD_BLOCK_TBODY:
        break;
      case MD_BLOCK_THEAD:
        in_thead = false;
        break;
      case MD_BLOCK_TABLE:
        table.layout(para, spans, width - prefix_width(), *out, theme.table_border,
                     &Renderer::on_table_line, this);
        para.clear();
        spans.clear();
        in_table = false;
        close_leaf();
        break;
      default:  // DOC, P, HTML, HR, TBODY
        flush_inline();
        break;
    }
  }

  void enter_span(MD_SPANTYPE type, bool enter) {
    const int d = enter ? 1 : -1;
    switch (type) {
      case MD_SPAN_EM:
      case MD_SPAN_IMG:  // the alt text, in italics
        em += d;
        break;
      case MD_SPAN_STRONG:
        strong += d;
        break;
      case MD_SPAN_A:
      case MD_SPAN_WIKILINK:
        link += d;
        break;
      case MD_SPAN_CODE:
        code_span += d;
        break;
      case MD_SPAN_DEL:
        del += d;
        break;
      default:
        break;
    }
  }

  void text(MD_TEXTTYPE type, std::string_view t) {
    if (in_code) {
      if (type == MD_TEXT_NULLCHAR)
        code.append("\xEF\xBF\xBD");
      else
        code.append(t);
      return;
    }
    switch (type) {
      case MD_TEXT_NULLCHAR:
        append("\xEF\xBF\xBD", current_style());
        break;
      case MD_TEXT_BR:
        append("\n", current_style());
        break;
      case MD_TEXT_SOFTBR:
        append(" ", current_style());
        break;
      case MD_TEXT_ENTITY: {
        code_line.clear();
        decode_entity(t, code_line);
        append(code_line, current_style());
        break;
      }
      default:
        append(t, current_style());
        break;
    }
  }

  static void on_table_line(void* self) { static_cast<Renderer*>(self)->emit_prefix(); }
  static int on_enter_block(MD_BLOCKTYPE type, void* detail, void* self) {
    static_cast<Renderer*>(self)->enter_block(type, detail);
    return 0;
  }
  static int on_leave_block(MD_BLOCKTYPE type, void*, void* self) {
    static_cast<Renderer*>(self)->leave_block(type);
    return 0;
  }
  static int on_enter_span(MD_SPANTYPE type, void*, void* self) {
    static_cast<Renderer*>(self)->enter_span(type, true);
    return 0;
  }
  static int on_leave_span(MD_SPANTYPE type, void*, void* self) {
    static_cast<Renderer*>(self)->enter_span(type, false);
    return 0;
  }
  static int on_text(MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size, void* self) {
    auto* r = static_cast<Renderer*>(self);
    // md4c 0.4.8 can report text just past the end of a truncated input (an inline link at
    // the very end, as happens mid-stream) with an uninitialised length. Text in the input is
    // clamped to it; text starting just past it is dropped; md4c's own constant strings (line
    // breaks, indentation) are short.
    constexpr std::uintptr_t kPastEnd = 1 << 16;
    constexpr std::size_t kMaxConstant = 64;
    const auto at = reinterpret_cast<std::uintptr_t>(text);
    const auto begin = reinterpret_cast<std::uintptr_t>(r->src_begin);
    const auto end = reinterpret_cast<std::uintptr_t>(r->src_end);
    std::size_t n = size;
    if (at >= begin && at < end) {
      n = std::min<std::size_t>(n, end - at);
    } else if (at >= end && at - end < kPastEnd) {
      n = 0;
    } else {
      n = std::min(n, kMaxConstant);
    }
    if (n == 0) return 0;
    r->text(type, std::string_view(text, n));
    return 0;
  }
};

MarkdownLayout::MarkdownLayout(MarkdownTheme theme)
    : renderer_(std::make_unique<Renderer>(theme)) {}

MarkdownLayout::~MarkdownLayout() = default;
MarkdownLayout::MarkdownLayout(MarkdownLayout&&) noexcept = default;
MarkdownLayout& MarkdownLayout::operator=(MarkdownLayout&&) noexcept = default;

const MarkdownTheme& MarkdownLayout::theme() const { return renderer_->theme; }

void MarkdownLayout::set_highlighter(CodeHighlighter* h) { renderer_->highlighter = h; }

void MarkdownLayout::layout(std::string_view markdown, int width, TextLayout& out, bool continues,
                            bool reopened_code) {
  Renderer& r = *renderer_;
  r.reset(out, width, continues);
  r.skip_label = reopened_code;
  MD_PARSER parser{};
  parser.abi_version = 0;
  // No permissive autolinks: md4c 0.4.8 hands out text of garbage length after an inline link
  // followed by punctuation ("[a](http://b).") when they are on. Bare URLs still show as text.
  parser.flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_NOHTML | MD_FLAG_TASKLISTS;
  parser.enter_block = &Renderer::on_enter_block;
  parser.leave_block = &Renderer::on_leave_block;
  parser.enter_span = &Renderer::on_enter_span;
  parser.leave_span = &Renderer::on_leave_span;
  parser.text = &Renderer::on_text;
  // md4c 0.4.8 crashes (inside md_parse, intermittently) on an input that ends right after an
  // inline link, "[a](b)", which a streaming answer does all the time. A final newline changes
  // nothing in how CommonMark reads the text and keeps md4c off that path.
  std::string_view input = markdown;
  if (!input.empty() && input.back() != '\n') {
    r.terminated.assign(input);
    r.terminated.push_back('\n');
    input = r.terminated;
  }
  static constexpr char kEmpty[] = "";
  const char* data = input.empty() ? kEmpty : input.data();
  r.src_begin = data;
  r.src_end = data + input.size();
  md_parse(data, static_cast<MD_SIZE>(input.size()), &parser, &r);
  r.finish();
}

void layout_markdown(std::string_view markdown, int width, TextLayout& out,
                     const MarkdownTheme& theme) {
  MarkdownLayout layout(theme);
  layout.layout(markdown, width, out);
}

}  // namespace yollayah::tui::view
