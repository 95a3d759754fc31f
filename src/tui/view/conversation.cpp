#include "tui/view/conversation.hpp"

#include <algorithm>
#include <limits>
#include <utility>
#include <unordered_map>

#include "tui/screen/width.hpp"
#include "tui/view/theme.hpp"

namespace yollayah::tui::view {

using screen::Style;

namespace {

struct RoleLook {
  std::string_view label;
  Style label_style;
  Style text;
};

// Built per call, not cached: the palette is chosen at start-up (theme::use_palette).
RoleLook look(Role role) {
  const RoleLook kUser{"you", Style{theme::kTeal, {}, screen::kBold}, {}};
  const RoleLook kAssistant{"yolla", Style{theme::kAccent, {}, screen::kBold}, {}};
  const RoleLook kSystem{"info", Style{theme::kMuted, {}, 0},
                         Style{theme::kMuted, {}, screen::kDim | screen::kItalic}};
  const RoleLook kError{"error", Style{theme::kError, {}, screen::kBold},
                        Style{theme::kError, {}, 0}};
  switch (role) {
    case Role::User:
      return kUser;
    case Role::Assistant:
      return kAssistant;
    case Role::System:
      return kSystem;
    case Role::Error:
      break;
  }
  return kError;
}

Style separator_style() { return {theme::kMuted, {}, 0}; }
Style cursor_style() { return {theme::kAccent, {}, 0}; }
Style interrupted_style() { return {theme::kWarning, {}, screen::kDim}; }
constexpr Style kMeta{{}, {}, screen::kDim};
constexpr std::string_view kCursorGlyph = "▌";
constexpr int kLabelColumns = 5;  // the label, right-aligned, then " › "

// Draws "label ›" right-aligned in the gutter, or left-aligned on a line of its own.
void draw_label(screen::Buffer& buffer, int x, int y, int max_width, const RoleLook& lk,
                bool in_gutter) {
  int col = 0;
  if (in_gutter) col = std::max(0, kLabelColumns - screen::display_width(lk.label));
  if (col >= max_width) return;
  col += buffer.put_text(x + col, y, lk.label, lk.label_style, max_width - col);
  if (col + 2 > max_width) return;
  buffer.put_text(x + col, y, " ›", separator_style(), max_width - col);
}

}  // namespace

void ConversationView::invalidate() {
  for (Slot& s : cache_) {
    s.width = -1;
    s.stream.reset();
  }
}

int ConversationView::total() const {
  if (cache_.empty()) return 0;
  const long long t = sum_heights_ + static_cast<long long>(cache_.size()) - 1;
  return static_cast<int>(std::min<long long>(t, std::numeric_limits<int>::max()));
}

int ConversationView::total_lines(std::span<const ChatEntry> entries, int width) {
  sync(entries, width);
  return total();
}

void ConversationView::layout_entry(const ChatEntry& entry, int width, Slot& slot) {
  slot.key = entry.key;
  slot.revision = entry.revision;
  slot.width = width;
  slot.role = entry.role;
  slot.label_line = width < kMinWidthForGutter;
  const int content = std::max(1, width - (slot.label_line ? 0 : kGutterWidth));
  TextLayout& out = slot.layout;
  const RoleLook& lk = look(entry.role);
  if (entry.role == Role::Assistant && entry.streaming && incremental_) {
    layout_streaming(entry.text, content, slot);
  } else {
    slot.stream.reset();  // done streaming
    out.clear();
    if (entry.role == Role::Assistant) {
      markdown_.layout(entry.text, content, out);
    } else if (!entry.text.empty()) {
      layout_plain(entry.text, content, lk.text, out);
    }
    bytes_ += entry.text.size();
  }
  if (entry.streaming) {
    if (out.line_count() == 0 || out.current_width() + 1 > content) out.begin_line();
    out.add_run(kCursorGlyph, cursor_style(), 1);
  }
  if (entry.interrupted) {
    out.begin_line();
    out.add_run("⏹ interrupted", interrupted_style());
  }
  if (!entry.meta.empty()) layout_plain(entry.meta, content, kMeta, out);
  if (out.line_count() == 0) out.begin_line();
  slot.height = static_cast<int>(out.line_count()) + (slot.label_line ? 1 : 0);
  ++layouts_;
}

// Lays out the text of a streaming answer into slot.layout, keeping the lines of the complete
// blocks laid out before when the text only grew. The lines after `mark` (the tail, the cursor)
// are dropped and laid out again; the whole text is laid out again after any other change.
void ConversationView::layout_streaming(std::string_view text, int content_width, Slot& slot) {
  if (!slot.stream) slot.stream = std::make_unique<Stream>();
  Stream& st = *slot.stream;
  TextLayout& out = slot.layout;
  if (st.width == content_width && text.starts_with(st.text)) {
    out.truncate(st.mark);
  } else {
    out.clear();
    st.width = content_width;
    st.text.clear();
    st.kept = 0;
    st.reopen.clear();
    st.mark = out.mark();
    st.boundaries.reset();
  }
  st.text.append(text.substr(st.text.size()));
  st.boundaries.scan(text);
  if (const std::size_t cut = st.boundaries.last(); cut > st.kept) {
    layout_piece(text.substr(st.kept, cut - st.kept), content_width, st, out);
    st.kept = cut;
    st.reopen.assign(st.boundaries.reopen(text));
    st.mark = out.mark();
  }
  layout_piece(text.substr(st.kept), content_width, st, out);
}

// Lays out a piece of a streaming answer that starts at st.kept, after the pieces before it.
void ConversationView::layout_piece(std::string_view piece, int content_width, Stream& st,
                                    TextLayout& out) {
  bytes_ += piece.size();
  if (st.reopen.empty()) {
    markdown_.layout(piece, content_width, out, st.kept > 0);
    return;
  }
  // The piece goes on a code block: reopened, it continues it with no gap in between.
  st.scratch.assign(st.reopen);
  st.scratch += '\n';
  st.scratch.append(piece);
  markdown_.layout(st.scratch, content_width, out, false, true);
}

// Rebuilds the cache in the order of `entries`, keeping the layouts whose key is still there.
// Only needed when messages were inserted or removed somewhere other than the two ends.
void ConversationView::resync(std::span<const ChatEntry> entries) {
  constexpr std::size_t kTaken = std::numeric_limits<std::size_t>::max();
  std::deque<Slot> old;
  old.swap(cache_);
  std::unordered_map<std::uint64_t, std::size_t> index;
  index.reserve(old.size());
  for (std::size_t j = 0; j < old.size(); ++j) index.emplace(old[j].key, j);
  sum_heights_ = 0;
  for (const ChatEntry& e : entries) {
    auto it = index.find(e.key);
    if (it != index.end() && it->second != kTaken) {
      cache_.push_back(std::move(old[it->second]));
      it->second = kTaken;
    } else {
      cache_.emplace_back();
      cache_.back().key = e.key;
    }
    sum_heights_ += cache_.back().height;
  }
}

// Aligns the cache with `entries` (messages dropped at the front, appended at the back) and
// re-lays out the messages whose revision or width changed. Without changes this is one pass
// comparing two integers per message, and allocates nothing.
void ConversationView::sync(std::span<const ChatEntry> entries, int width) {
  if (entries.empty()) {
    cache_.clear();
    sum_heights_ = 0;
    return;
  }
  if (!cache_.empty() && cache_.front().key != entries.front().key) {
    // Dropped at the front (the app caps its history) when the new first message is near the
    // old front; anything else (older history loaded in front, say) keeps layouts by key.
    constexpr std::size_t kFrontWindow = 256;
    std::size_t drop = 0;
    const std::size_t window = std::min(cache_.size(), kFrontWindow);
    while (drop < window && cache_[drop].key != entries.front().key) ++drop;
    if (drop < window) {
      for (; drop > 0; --drop) {
        sum_heights_ -= cache_.front().height;
        cache_.pop_front();
      }
    } else {
      resync(entries);
    }
  }
  if (cache_.size() > entries.size()) {
    if (cache_[entries.size() - 1].key == entries.back().key) {  // dropped at the back
      while (cache_.size() > entries.size()) {
        sum_heights_ -= cache_.back().height;
        cache_.pop_back();
      }
    } else {
      resync(entries);
    }
  }
  while (cache_.size() < entries.size()) {
    cache_.emplace_back();
    cache_.back().key = entries[cache_.size() - 1].key;
  }
  auto it = cache_.begin();
  for (std::size_t i = 0; i < entries.size(); ++i, ++it) {
    const ChatEntry& e = entries[i];
    if (it->key != e.key) {
      resync(entries);
      it = cache_.begin() + static_cast<std::ptrdiff_t>(i);
    }
    Slot& s = *it;
    if (s.width != width || s.revision != e.revision) {
      sum_heights_ -= s.height;
      layout_entry(e, width, s);
      sum_heights_ += s.height;
    }
  }
}

// Lines below the message that was last at the previous draw: messages appended after it and
// its own growth. Walks only the appended messages.
int ConversationView::lines_added_at_bottom() const {
  if (!last_key_) return 0;
  long long added = 0;
  for (auto it = cache_.rbegin(); it != cache_.rend(); ++it) {
    if (it->key == *last_key_) {
      added += it->height - last_height_;
      return static_cast<int>(std::clamp<long long>(added, 0, std::numeric_limits<int>::max() / 2));
    }
    added += it->height + 1;
  }
  return 0;  // the old last message is gone: nothing to anchor to
}

// The scroll that puts the top of the entry with `key` on the first row: the lines below it, its
// own, less a screen. Unchanged when the entry is not there.
int ConversationView::focus_scroll(std::uint64_t key, int rows) const {
  long long below = 0;
  for (auto it = cache_.rbegin(); it != cache_.rend(); ++it) {
    if (it->key == key) return static_cast<int>(std::clamp<long long>(below + it->height - rows, 0, max_scroll_));
    below += it->height + 1;
  }
  return scroll_;
}

void ConversationView::draw_entry(const Slot& slot, screen::Buffer& buffer, Rect area,
                                  int top) const {
  const RoleLook& lk = look(slot.role);
  const int gutter = slot.label_line ? 0 : kGutterWidth;
  int row = top;
  if (slot.label_line) {
    if (row >= area.y && row < area.bottom()) {
      draw_label(buffer, area.x, row, area.width, lk, false);
    }
    ++row;
  }
  const std::size_t n = slot.layout.line_count();
  std::size_t first = row < area.y ? static_cast<std::size_t>(area.y - row) : 0;
  for (std::size_t li = first; li < n; ++li) {
    const int y = row + static_cast<int>(li);
    if (y >= area.bottom()) break;
    if (li == 0 && gutter > 0) draw_label(buffer, area.x, y, gutter, lk, true);
    slot.layout.draw_line(li, buffer, area.x + gutter, y, area.width - gutter);
  }
}

void ConversationView::draw(std::span<const ChatEntry> entries, screen::Buffer& buffer, Rect area) {
  const bool same_width = area.width == width_;
  width_ = area.width;
  on_screen_.clear();
  if (area.empty()) {
    scroll_ = std::clamp(scroll_, 0, max_scroll_);
    return;
  }
  buffer.fill(area.x, area.y, area.width, area.height, Style{});
  sync(entries, area.width);
  const int t = total();
  // Keep the lines on screen still while the user reads history: lines added at the bottom
  // push the scroll offset up by as much.
  if (scroll_ > 0 && same_width) scroll_ += lines_added_at_bottom();
  if (!cache_.empty()) {
    last_key_ = cache_.back().key;
    last_height_ = cache_.back().height;
  }
  max_scroll_ = std::max(0, t - area.height);
  if (focus_) scroll_ = focus_scroll(*std::exchange(focus_, std::nullopt), area.height);
  scroll_ = std::clamp(scroll_, 0, max_scroll_);

  // Short conversations start at the top; longer ones end at the bottom edge.
  int bottom = t <= area.height ? area.y + t : area.bottom() + scroll_;
  for (std::size_t i = cache_.size(); i-- > 0;) {
    const Slot& s = cache_[i];
    const int top = bottom - s.height;
    if (top < area.bottom()) {
      draw_entry(s, buffer, area, top);
      on_screen_.push_back(s.key);
    }
    bottom = top - 1;
    if (bottom <= area.y) break;
  }
}

}  // namespace yollayah::tui::view
