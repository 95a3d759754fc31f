#include "tui/view/conversation.hpp"

#include "tui/screen/width.hpp"
#include "tui/view/theme.hpp"

#include <algorithm>
#include <limits>
#include <unordered_map>

namespace yollayah::tui::view {

using screen::Style;

namespace {

struct RoleLook {
  std::string_view label;
  Style label_style;
  Style text;
};

const RoleLook& look(Role role) {
  static const RoleLook kUser{"you", Style{theme::kTeal, {}, screen::kBold}, {}};
  static const RoleLook kAssistant{"yolla", Style{theme::kAccent, {}, screen::kBold}, {}};
  static const RoleLook kSystem{"info", Style{theme::kMuted, {}, 0},
                                Style{theme::kMuted, {}, screen::kDim | screen::kItalic}};
  static const RoleLook kError{"error", Style{theme::kError, {}, screen::kBold},
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

constexpr Style kSeparator{theme::kMuted, {}, 0};
constexpr Style kCursor{theme::kAccent, {}, 0};
constexpr Style kInterrupted{theme::kWarning, {}, screen::kDim};
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
  buffer.put_text(x + col, y, " ›", kSeparator, max_width - col);
}

}  // namespace

void ConversationView::invalidate() {
  for (Slot& s : cache_) s.width = -1;
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
  out.clear();
  const RoleLook& lk = look(entry.role);
  if (entry.role == Role::Assistant) {
    markdown_.layout(entry.text, content, out);
  } else if (!entry.text.empty()) {
    layout_plain(entry.text, content, lk.text, out);
  }
  if (entry.streaming) {
    if (out.line_count() == 0 || out.current_width() + 1 > content) out.begin_line();
    out.add_run(kCursorGlyph, kCursor, 1);
  }
  if (entry.interrupted) {
    out.begin_line();
    out.add_run("⏹ interrupted", kInterrupted);
  }
  if (!entry.meta.empty()) layout_plain(entry.meta, content, kMeta, out);
  if (out.line_count() == 0) out.begin_line();
  slot.height = static_cast<int>(out.line_count()) + (slot.label_line ? 1 : 0);
  ++layouts_;
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
    while (!cache_.empty() && cache_.front().key != entries.front().key) {
      removed_front_ += cache_.front().height + 1;
      sum_heights_ -= cache_.front().height;
      cache_.pop_front();
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

void ConversationView::draw(std::span<const ChatEntry> entries, screen::Buffer& buffer,
                            Rect area) {
  const bool same_width = area.width == width_;
  const int before = last_total_;
  width_ = area.width;
  if (area.empty()) {
    scroll_ = std::clamp(scroll_, 0, max_scroll_);
    return;
  }
  buffer.fill(area.x, area.y, area.width, area.height, Style{});
  sync(entries, area.width);
  const int t = total();
  // Keep the lines on screen still while the user reads history: lines added at the bottom
  // push the scroll offset up by as much. Lines dropped at the front do not move anything.
  if (scroll_ > 0 && same_width && before >= 0) {
    const long long grown = static_cast<long long>(t) - before + removed_front_;
    scroll_ = static_cast<int>(std::clamp<long long>(scroll_ + grown, 0, std::numeric_limits<int>::max()));
  }
  removed_front_ = 0;
  last_total_ = t;
  max_scroll_ = std::max(0, t - area.height);
  scroll_ = std::clamp(scroll_, 0, max_scroll_);

  // Short conversations start at the top; longer ones end at the bottom edge.
  int bottom = t <= area.height ? area.y + t : area.bottom() + scroll_;
  for (std::size_t i = cache_.size(); i-- > 0;) {
    const Slot& s = cache_[i];
    const int top = bottom - s.height;
    if (top < area.bottom()) draw_entry(s, buffer, area, top);
    bottom = top - 1;
    if (bottom <= area.y) break;
  }
}

}  // namespace yollayah::tui::view
