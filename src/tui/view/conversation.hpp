// The conversation: chat messages laid out (Markdown for answers), cached per message, and drawn
// newest at the bottom with scrolling. A steady frame walks only the visible messages and does
// not allocate; a streaming answer lays out only what follows its last complete block.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tui/screen/buffer.hpp"
#include "tui/view/markdown.hpp"
#include "tui/view/markdown_boundaries.hpp"
#include "tui/view/rect.hpp"

namespace yollayah::tui::view {

enum class Role : std::uint8_t { User, Assistant, System, Error };

// One message as the app holds it. `revision` must change whenever text, flags or meta do: the
// view re-lays out a message only when its (key, revision) or the width changes.
struct ChatEntry {
  std::uint64_t key = 0;  // unique and stable for the message's life
  Role role = Role::User;
  std::string text;
  bool streaming = false;    // a cursor follows the text
  bool interrupted = false;  // the answer was stopped
  std::string meta;          // e.g. "llama3.2 · 42.1 tok/s · 3.2 s", drawn dim below
  std::uint64_t revision = 0;
};

class ConversationView {
 public:
  // Below this width the role label gets a line of its own instead of a gutter.
  static constexpr int kGutterWidth = 8;
  static constexpr int kMinWidthForGutter = 24;

  ConversationView() = default;
  explicit ConversationView(MarkdownTheme theme) : markdown_(theme) {}

  // Draws `entries` (oldest first) into `area`: newest at the bottom, `scroll()` lines up from
  // it (clamped). Clears the area first. While scrolled up, new lines arriving at the bottom do
  // not move what is on screen.
  void draw(std::span<const ChatEntry> entries, screen::Buffer& buffer, Rect area);

  // Lines the entries take at `width` columns, gaps between messages included.
  int total_lines(std::span<const ChatEntry> entries, int width);

  // Lines scrolled up from the bottom; 0 follows the newest message.
  int scroll() const { return scroll_; }
  void set_scroll(int lines) { scroll_ = lines < 0 ? 0 : lines; }
  void scroll_by(int lines) { set_scroll(scroll_ + lines); }  // positive: towards older
  // The largest useful scroll() as of the last draw.
  int max_scroll() const { return max_scroll_; }
  // At the next draw, scrolls so that the entry with `key` starts at the top (or as near as the
  // conversation's end allows); nothing if it is not there by then.
  void focus(std::uint64_t key) { focus_ = key; }
  // The keys of the entries the last draw showed at least one line of, newest first: what the
  // user is looking at (Alt+←/→ switches the versions of one of them).
  const std::vector<std::uint64_t>& keys_on_screen() const { return on_screen_; }

  // Messages laid out since construction (tests and benchmarks check the cache with it). A
  // streaming answer laid out again only from its last complete block counts as one.
  std::uint64_t layouts_performed() const { return layouts_; }
  // Bytes of message text laid out since construction: how much work the layouts were.
  std::uint64_t bytes_laid_out() const { return bytes_; }
  // Off: a streaming answer is laid out whole each time it changes (tests and benchmarks
  // compare against it). On by default.
  void set_incremental_streaming(bool on) { incremental_ = on; }
  // Forgets every cached layout (e.g. after a theme change).
  void invalidate();

 private:
  // A streaming answer as last laid out: `layout` holds its first `kept` bytes up to `mark`,
  // laid out once; only the text after them is laid out again when it grows.
  struct Stream {
    int width = -1;
    std::string text;  // the whole text last laid out, to tell an append from an edit
    std::size_t kept = 0;
    std::string reopen;  // the code fence `kept` is inside of, if any (MarkdownBoundaries)
    std::string scratch;
    TextLayout::Mark mark;
    MarkdownBoundaries boundaries;
  };

  struct Slot {
    std::uint64_t key = 0;
    std::uint64_t revision = 0;
    int width = -1;  // -1: not laid out
    int height = 0;  // lines, the label line included
    bool label_line = false;
    Role role = Role::User;
    TextLayout layout;
    std::unique_ptr<Stream> stream;  // only while the message streams
  };

  void sync(std::span<const ChatEntry> entries, int width);
  void resync(std::span<const ChatEntry> entries);
  void layout_entry(const ChatEntry& entry, int width, Slot& slot);
  void layout_streaming(std::string_view text, int content_width, Slot& slot);
  void layout_piece(std::string_view piece, int content_width, Stream& stream, TextLayout& out);
  void draw_entry(const Slot& slot, screen::Buffer& buffer, Rect area, int top) const;
  int total() const;
  int lines_added_at_bottom() const;
  int focus_scroll(std::uint64_t key, int rows) const;

  MarkdownLayout markdown_;
  std::deque<Slot> cache_;  // cache_[i] belongs to entries[i]
  long long sum_heights_ = 0;
  int width_ = -1;
  int scroll_ = 0;
  int max_scroll_ = 0;
  std::optional<std::uint64_t> focus_;  // an entry to bring on screen at the next draw
  std::vector<std::uint64_t> on_screen_;
  // The newest message at the last draw, to keep the view still while scrolled up.
  std::optional<std::uint64_t> last_key_;
  int last_height_ = 0;
  std::uint64_t layouts_ = 0;
  std::uint64_t bytes_ = 0;
  bool incremental_ = true;
};

}  // namespace yollayah::tui::view
