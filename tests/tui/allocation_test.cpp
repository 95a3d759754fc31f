// The hot paths do not allocate once warm: decoding keys, drawing into a Buffer, diffing it.
#include "tui/screen/buffer.hpp"
#include "tui/screen/renderer.hpp"
#include "tui/screen/width.hpp"
#include "tui/term/input_decoder.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

// Counts heap allocations made by this thread while `t_counting` is set. Replacing the global
// operator new is the portable way to see every allocation; it forwards to malloc.
namespace {
thread_local bool t_counting = false;
std::atomic<long> g_allocations{0};

struct CountAllocations {
  CountAllocations() {
    g_allocations = 0;
    t_counting = true;
  }
  ~CountAllocations() { t_counting = false; }
  long count() const { return g_allocations.load(); }
};
}  // namespace

// noinline keeps gcc from pairing an inlined free() with a new-expression (-Wmismatched-new-delete).
[[gnu::noinline]] void* operator new(std::size_t size) {
  if (t_counting) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

using namespace yollayah::tui;

TEST(Allocation, DecodingKeysDoesNotAllocateOnceWarm) {
  term::InputDecoder decoder;
  std::vector<term::InputEvent> events;
  const std::string keys = "hello 中文 \x1b[A\x1b[1;5C\x1b[<64;10;5M\x1bOP\r\x7f\x03";
  decoder.feed(keys, events);  // warm: the decoder's buffer and the event vector grow once
  events.clear();
  CountAllocations counter;
  for (int i = 0; i < 100; ++i) {
    decoder.feed(keys, events);
    events.clear();
  }
  EXPECT_EQ(counter.count(), 0);
}

TEST(Allocation, DrawingAndDiffingAFrameDoesNotAllocateOnceWarm) {
  screen::Renderer renderer(screen::ColorMode::TrueColor);
  screen::Buffer buffer(200, 50);
  std::string out;
  std::vector<screen::LineRange> lines;
  const std::string text =
      "Streaming answer with CJK 日本語, emoji 😀👍🏽 and combining e\xcc\x81 marks, wrapped.";
  auto draw = [&](int frame) {
    buffer.clear();
    screen::Style style;
    style.fg = screen::Color::rgb(static_cast<std::uint8_t>(frame), 100, 200);
    screen::wrap(text, 30 + frame % 7, lines);
    int y = 0;
    for (const auto& line : lines) {
      buffer.put_text(0, y++, std::string_view(text).substr(line.begin, line.end - line.begin),
                      style);
    }
    renderer.render(buffer, out, screen::CursorPos{frame % 10, 40});
  };
  for (int i = 0; i < 3; ++i) draw(i);
  CountAllocations counter;
  for (int i = 3; i < 100; ++i) draw(i);
  EXPECT_EQ(counter.count(), 0);
}

}  // namespace

// ---- The conversation view: a steady frame over a long history does not allocate.
#include "tui/view/conversation.hpp"

namespace {

TEST(Allocation, SteadyConversationFrameDoesNotAllocate) {
  namespace view = yollayah::tui::view;
  std::vector<view::ChatEntry> entries;
  for (std::uint64_t k = 1; k <= 300; ++k) {
    view::ChatEntry e;
    e.key = k;
    e.role = k % 2 ? view::Role::User : view::Role::Assistant;
    e.text = k % 2 ? "a question about 日本語 and 😀"
                   : "# Answer\n\nSome **bold**, *italic* and `code`:\n\n- one\n- two\n\n"
                     "```cpp\nint main() { return 0; }\n```";
    if (k % 2 == 0) e.meta = "llama3.2 · 42.1 tok/s · 3.2 s";
    entries.push_back(std::move(e));
  }
  view::ConversationView conversation;
  screen::Buffer buffer(200, 50);
  screen::Renderer renderer(screen::ColorMode::TrueColor);
  std::string out;
  auto frame = [&](int scroll) {
    buffer.clear();
    conversation.set_scroll(scroll);
    conversation.draw(entries, buffer, view::Rect{0, 0, 200, 50});
    renderer.render(buffer, out);
  };
  for (int i = 0; i < 3; ++i) frame(i * 7);  // warm: every message laid out once
  const auto layouts = conversation.layouts_performed();
  CountAllocations counter;
  for (int i = 0; i < 50; ++i) frame(i % 2 ? 0 : 40);
  EXPECT_EQ(counter.count(), 0);
  EXPECT_EQ(conversation.layouts_performed(), layouts);
}

}  // namespace

#include "tui/view/avatar.hpp"

namespace {

TEST(Allocation, AvatarAdvancingAndDrawingDoesNotAllocateOnceWarm) {
  using namespace std::chrono_literals;
  using yollayah::tui::view::Avatar;
  namespace protocol = yollayah::protocol;
  const Avatar::Clock::time_point t0{};
  Avatar avatar(t0);
  avatar.apply(protocol::msg::AvatarSize{protocol::AvatarSize::Large}, t0);
  avatar.apply(protocol::msg::AvatarWander{true}, t0);
  const protocol::ConductorMessage thinking =
      protocol::msg::State{protocol::ConductorState::Thinking};
  const protocol::ConductorMessage love =
      protocol::msg::AvatarReact{protocol::AvatarReaction::Love, 300};
  yollayah::tui::screen::Buffer buffer(80, 24);
  const yollayah::tui::view::Rect area{0, 0, 80, 24};
  avatar.draw(buffer, area, t0);
  CountAllocations counter;
  for (int i = 1; i < 200; ++i) {
    const auto now = t0 + i * 37ms;
    if (i % 50 == 0) avatar.apply(i % 100 == 0 ? thinking : love, now);
    avatar.advance(now);
    (void)avatar.next_change(now);
    buffer.clear();
    avatar.draw(buffer, area, now);
  }
  EXPECT_EQ(counter.count(), 0);
}

}  // namespace
