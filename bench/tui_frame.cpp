// bench/tui_frame: the cost of one TUI frame over a long conversation. 5,000 messages of mixed
// Markdown, a 200x50 screen; each frame draws the ConversationView (which clears its own area)
// into a screen::Buffer and diffs it with a screen::Renderer. Reports mean/p50/p99 frame time and
// heap allocations per frame for (a) a steady state, also with a whole-buffer clear first, (b) the
// last answer growing by one token per frame, from 0.5 KB and from 30 KB (to about 10 and 40 KB;
// prose, and one long code block), laid out incrementally as the app does and, for comparison,
// whole at every token, and (c) a steady state scrolled half-way up; plus the one-off cost of the
// first frame and of a resize (both lay out every message). Then (d) a conversation of tables and
// highlighted code blocks (issue 14): steady, with a table and with a code block streaming, the
// loading of the highlighter's language definitions and the cost of highlighting a block.
//
// --cold writes 16 MB between frames (untimed) so each frame starts with its buffers out of the
// caches, as in the app, whose loop sleeps between frames while other processes run.
//
//   build/bin/tui_frame [--frames N] [--messages M] [--cold] [--json FILE]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "tui/screen/buffer.hpp"
#include "tui/screen/renderer.hpp"
#include "tui/view/conversation.hpp"
#include "tui/view/highlight.hpp"

// Counts every heap allocation made through operator new while g_counting is set. md4c allocates
// with malloc and is not counted (it runs only when a message is laid out).
namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
}  // namespace

[[gnu::noinline]] void* operator new(std::size_t size) {
  if (g_counting.load(std::memory_order_relaxed)) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

using namespace yollayah::tui;

bool g_cold = false;

// Pushes the frame's buffers out of the caches (--cold).
void evict_caches() {
  static std::vector<unsigned char> scratch(16u << 20);
  static unsigned char round = 0;
  ++round;
  for (std::size_t i = 0; i < scratch.size(); i += 64) scratch[i] = round;
}
using Clock = std::chrono::steady_clock;

constexpr int kWidth = 200;
constexpr int kHeight = 50;

const char* const kQuestions[] = {
    "How do I reverse a linked list in C++?",
    "what's the difference between a mutex and a semaphore, and when would I pick one over the "
    "other in an embedded system?",
    "日本語で簡単な挨拶を教えてください 🙏",
    "Explain **why** my build fails:\n\n    error: undefined reference to `main'",
    "ok thanks!",
};

const char* const kAnswers[] = {
    "# Reversing a linked list\n\nWalk the list once and flip each `next` pointer:\n\n"
    "```cpp\nNode* reverse(Node* head) {\n  Node* prev = nullptr;\n  while (head) {\n"
    "    Node* next = head->next;\n    head->next = prev;\n    prev = head;\n    head = next;\n"
    "  }\n  return prev;\n}\n```\n\nIt runs in **O(n)** time and *O(1)* space.",
    "A **mutex** is about *ownership*; a **semaphore** is about *counting*.\n\n"
    "- A mutex is locked and unlocked by the same thread.\n"
    "- A semaphore can be signalled from an ISR, which makes it the usual choice for handing "
    "work from an interrupt to a task.\n- Priority inheritance exists for mutexes only.\n\n"
    "> Rule of thumb: protect data with a mutex, signal events with a semaphore.\n\n"
    "See [the FreeRTOS docs](https://www.freertos.org) for details.",
    "いくつか紹介します：\n\n1. **こんにちは** — hello\n2. **おはよう** — good morning\n"
    "3. **ありがとう** — thank you 😊\n\n| 日本語 | English |\n|---|---|\n| はい | yes |\n"
    "| いいえ | no |",
    "The linker cannot find `main`. Usually one of:\n\n1. The file with `main` is not in the "
    "target's sources.\n2. `main` is inside a namespace.\n3. You are building a library as an "
    "executable.\n\nCheck `CMakeLists.txt`:\n\n```cmake\nadd_executable(app main.cpp)\n```",
    "You're welcome! Happy hacking. 🚀",
};

const char* const kTokens[] = {
    "The",         " quick", " **brown**", " fox",   " jumps",  " over",     " the",    " `lazy`",
    " dog.",       "\n\n",   "- an",       " item",  "\n",      "- another", " one",    "\n\n",
    "```py\n",     "print(", "42",         ")\n",    "```\n\n", "日本",      "語",      " 😀",
    " *emphasis*", " and",   " more",      " words", " to",     " wrap",     " across", " lines",
};

const char* const kCodeTokens[] = {
    "    total", " +=", " weight", "(item", ".size", "())", "  #", " 日本", " 😀", "\n",
    "    if", " total", " >", " limit", ":", "\n", "        return", " None", "\n", "\n",
};

// Answers that fill a screen with tables and highlighted code.
const char* const kRichAnswers[] = {
    "| language | typing | speed | notes |\n|:---|:---:|---:|---|\n"
    "| Python | dynamic | 1× | `pip install`, batteries included 🐍 |\n"
    "| Rust | static | 40× | **borrow checker**, `cargo` |\n"
    "| Go | static | 30× | goroutines, `go mod` |\n"
    "| C++ | static | 45× | templates, *many* build systems |\n"
    "| 日本語 | — | — | wide characters in a cell |",
    "```python\ndef fetch(urls: list[str]) -> dict[str, int]:\n"
    "    \"\"\"Sizes of the pages.\"\"\"\n    sizes = {}\n    for url in urls:  # one by one\n"
    "        body = get(url, timeout=2.5)\n        sizes[url] = len(body)\n    return sizes\n```\n\n"
    "```rust\nfn main() {\n    let v: Vec<u32> = (1..=10).collect();\n"
    "    println!(\"{}\", v.iter().sum::<u32>()); // 55\n}\n```",
    "- [x] write the parser\n- [ ] add tests\n\n```bash\nfor f in *.md; do\n"
    "  echo \"$f\" | wc -c  # bytes\ndone\n```\n\n| key | value |\n|---|---:|\n| a | 1 |\n"
    "| b | 22 |",
};

std::vector<view::ChatEntry> make_rich_conversation(int messages) {
  std::vector<view::ChatEntry> entries;
  for (int i = 0; i < messages; ++i) {
    view::ChatEntry e;
    e.key = static_cast<std::uint64_t>(i + 1);
    e.role = i % 2 == 0 ? view::Role::User : view::Role::Assistant;
    e.text = i % 2 == 0 ? "show me a table and some code"
                        : kRichAnswers[static_cast<std::size_t>(i / 2) % std::size(kRichAnswers)];
    entries.push_back(std::move(e));
  }
  return entries;
}

// `unit` repeated up to `bytes`, cut into tokens of 1 to 6 bytes (never inside a character).
std::vector<std::string> tokenise(const std::string& unit, std::size_t bytes) {
  std::string all;
  while (all.size() < bytes) all += unit;
  std::vector<std::string> out;
  for (std::size_t pos = 0, i = 0; pos < all.size(); ++i) {
    std::size_t end = std::min(all.size(), pos + 1 + (i * 5) % 6);
    while (end < all.size() && (static_cast<unsigned char>(all[end]) & 0xC0) == 0x80) ++end;
    out.push_back(all.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

std::vector<view::ChatEntry> make_conversation(int messages) {
  std::vector<view::ChatEntry> entries;
  entries.reserve(static_cast<std::size_t>(messages));
  for (int i = 0; i < messages; ++i) {
    view::ChatEntry e;
    e.key = static_cast<std::uint64_t>(i + 1);
    const std::size_t pick = static_cast<std::size_t>(i / 2) % std::size(kAnswers);
    if (i % 2 == 0) {
      e.role = view::Role::User;
      e.text = kQuestions[pick];
    } else {
      e.role = view::Role::Assistant;
      e.text = kAnswers[pick];
      e.meta = "llama3.2 · 42.1 tok/s · 3.2 s";
    }
    if (i % 97 == 0) {
      e.role = view::Role::System;
      e.text = "model switched to llama3.2";
      e.meta.clear();
    }
    entries.push_back(std::move(e));
  }
  return entries;
}

struct Stats {
  double mean_us = 0, p50_us = 0, p99_us = 0, max_us = 0;
  double allocs_per_frame = 0;
  long frames = 0;
};

Stats summarise(std::vector<double>& us, long allocations) {
  Stats s;
  s.frames = static_cast<long>(us.size());
  if (us.empty()) return s;
  std::sort(us.begin(), us.end());
  double sum = 0;
  for (double v : us) sum += v;
  s.mean_us = sum / static_cast<double>(us.size());
  s.p50_us = us[us.size() / 2];
  s.p99_us = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  s.max_us = us.back();
  s.allocs_per_frame = static_cast<double>(allocations) / static_cast<double>(us.size());
  return s;
}

struct Bench {
  std::vector<view::ChatEntry> entries;
  view::ConversationView view;
  screen::Buffer buffer{kWidth, kHeight};
  screen::Renderer renderer{screen::ColorMode::TrueColor};
  std::string out;

  bool clear = false;  // also clear the whole buffer each frame (the view clears its own area)

  double frame_us(int width = kWidth) {
    const auto t0 = Clock::now();
    if (clear) buffer.clear();
    view.draw(entries, buffer, view::Rect{0, 0, width, kHeight});
    renderer.render(buffer, out);
    return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
  }

  // Runs `frames` frames, calling before(i) ahead of each (untimed).
  template <class F>
  Stats run(int frames, F&& before) {
    std::vector<double> us;
    us.reserve(static_cast<std::size_t>(frames));
    long allocations = 0;
    for (int i = 0; i < frames; ++i) {
      before(i);
      if (g_cold) evict_caches();
      g_allocations = 0;
      g_counting = true;
      const double t = frame_us();
      g_counting = false;
      allocations += g_allocations.load();
      us.push_back(t);
    }
    return summarise(us, allocations);
  }
};

struct StreamCase {
  const char* name;
  std::string start;
  bool incremental;
  bool code = false;  // tokens of code, inside a fenced block
  Stats stats{};
  std::uint64_t layouts = 0, bytes = 0;
  std::size_t final_bytes = 0;
};

void print(const char* name, const Stats& s) {
  std::printf(
      "  %-26s mean %8.1f us   p50 %8.1f us   p99 %8.1f us   max %8.1f us   allocs/frame %.2f\n",
      name, s.mean_us, s.p50_us, s.p99_us, s.max_us, s.allocs_per_frame);
}

void json_stats(std::FILE* f, const char* name, const Stats& s, bool last = false) {
  std::fprintf(f,
               "  \"%s\": {\"frames\": %ld, \"mean_us\": %.2f, \"p50_us\": %.2f, \"p99_us\": %.2f, "
               "\"max_us\": %.2f, \"allocs_per_frame\": %.3f}%s\n",
               name, s.frames, s.mean_us, s.p50_us, s.p99_us, s.max_us, s.allocs_per_frame,
               last ? "" : ",");
}

}  // namespace

int main(int argc, char** argv) {
  int frames = 2000;
  int messages = 5000;
  std::string json;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--frames" && i + 1 < argc)
      frames = std::max(1, std::atoi(argv[++i]));
    else if (a == "--messages" && i + 1 < argc)
      messages = std::max(1, std::atoi(argv[++i]));
    else if (a == "--json" && i + 1 < argc)
      json = argv[++i];
    else if (a == "--cold")
      g_cold = true;
    else {
      std::fprintf(stderr, "usage: %s [--frames N] [--messages M] [--cold] [--json FILE]\n", argv[0]);
      return 2;
    }
  }

  // The highlighter's language definitions load on a thread of their own from the first layout
  // on; wait for them so that every case below is measured with colours.
  view::CodeHighlighter* highlighter = view::default_highlighter();
  if (highlighter != nullptr) highlighter->wait_ready();
  const double load_ms = highlighter != nullptr ? highlighter->load_ms() : 0.0;

  Bench b;
  b.entries = make_conversation(messages);

  const double cold_ms = b.frame_us() / 1000.0;  // lays out every message
  for (int i = 0; i < 10; ++i) b.frame_us();     // warm caches
  const auto layouts_before = b.view.layouts_performed();

  const Stats steady = b.run(frames, [](int) {});
  const bool steady_cached = b.view.layouts_performed() == layouts_before;

  b.clear = true;
  const Stats steady_clear = b.run(frames, [](int) {});
  b.clear = false;

  const int total = b.view.total_lines(b.entries, kWidth);
  const Stats scrolled = b.run(frames, [&](int) { b.view.set_scroll(total / 2); });
  b.view.set_scroll(0);

  // The last answer streams, one token per frame: from a short answer and from a long one, laid
  // out from its last complete block (as the app does) and whole at every token.
  std::string long_answer;
  while (long_answer.size() < 30'000) {
    for (const char* a : kAnswers) (long_answer += a) += "\n\n";
  }
  std::string long_code = "Here it is:\n\n```python\n";
  while (long_code.size() < 30'000) {
    for (const char* t : kCodeTokens) long_code += t;
  }
  view::ChatEntry& last = b.entries.back();
  StreamCase cases[] = {{"streaming (+1 token/frame)", kAnswers[1], true},
                        {"  same, whole layout", kAnswers[1], false},
                        {"streaming 40 KB answer", long_answer, true},
                        {"  same, whole layout", long_answer, false},
                        {"streaming 40 KB code block", long_code, true, true},
                        {"  same, whole layout", long_code, false, true}};
  for (StreamCase& c : cases) {
    b.view.set_incremental_streaming(c.incremental);
    last.role = view::Role::Assistant;
    last.text = c.start;
    last.meta.clear();
    last.streaming = true;
    ++last.revision;
    b.frame_us();
    const auto layouts0 = b.view.layouts_performed();
    const auto bytes0 = b.view.bytes_laid_out();
    c.stats = b.run(frames, [&](int i) {
      const auto k = static_cast<std::size_t>(i);
      last.text +=
          c.code ? kCodeTokens[k % std::size(kCodeTokens)] : kTokens[k % std::size(kTokens)];
      ++last.revision;
    });
    c.layouts = b.view.layouts_performed() - layouts0;
    c.bytes = b.view.bytes_laid_out() - bytes0;
    c.final_bytes = last.text.size();
  }
  b.view.set_incremental_streaming(true);
  const Stats& streaming = cases[0].stats;
  const auto stream_layouts = cases[0].layouts;

  const double resize_ms = b.frame_us(kWidth - 1) / 1000.0;  // every message laid out again

  // (d) Tables and highlighted code: 400 messages, every answer a table or code blocks.
  Bench rich;
  rich.entries = make_rich_conversation(400);
  const double rich_cold_ms = rich.frame_us() / 1000.0;
  for (int i = 0; i < 10; ++i) rich.frame_us();
  const auto rich_layouts = rich.view.layouts_performed();
  const Stats rich_steady = rich.run(frames, [](int) {});
  const bool rich_cached = rich.view.layouts_performed() == rich_layouts;
  const double rich_resize_ms = rich.frame_us(kWidth - 1) / 1000.0;
  rich.frame_us();
  // A table growing by a token per frame (a new table every 30 rows), then a code block (closed
  // and a new one opened every 40 lines).
  std::string table_unit = "\n\n| # | item | price | note |\n|---:|:---|---:|:---:|\n";
  for (int r = 0; r < 30; ++r) table_unit += "| 12 | `widget` | 3.50 | **ok** 😀 |\n";
  std::string code_unit = "\n\n```python\n";
  for (int r = 0; r < 40; ++r)  // lines that differ, so that the highlighter's cache misses
    code_unit += "    total_" + std::to_string(r) + " += weight(item)  # 'why' 42\n";
  code_unit += "```\n";
  struct RichCase {
    const char* name;
    std::vector<std::string> tokens;
    Stats stats{};
  } rich_cases[] = {{"streaming a table", tokenise(table_unit, 40'000)},
                    {"streaming a code block", tokenise(code_unit, 40'000)}};
  // Each repetition of the code unit numbered apart too.
  for (std::size_t i = 0, unit = 0; i < rich_cases[1].tokens.size(); ++i) {
    if (rich_cases[1].tokens[i].find("```") != std::string::npos) ++unit;
    if (rich_cases[1].tokens[i].find("total_") != std::string::npos)
      rich_cases[1].tokens[i] += std::to_string(unit);
  }
  const std::uint64_t highlights0 = highlighter != nullptr ? highlighter->highlights_performed() : 0;
  view::ChatEntry& rich_last = rich.entries.back();
  for (RichCase& c : rich_cases) {
    rich_last.text = "Here:";
    rich_last.streaming = true;
    ++rich_last.revision;
    rich.frame_us();
    c.stats = rich.run(frames, [&](int i) {
      rich_last.text += c.tokens[static_cast<std::size_t>(i) % c.tokens.size()];
      ++rich_last.revision;
    });
  }
  const std::uint64_t stream_highlights =
      highlighter != nullptr ? highlighter->highlights_performed() - highlights0 : 0;
  // One block of the largest size highlighted on the loop, cache missed on purpose.
  double block_ms = 0;
  std::size_t block_bytes = 0;
  if (highlighter != nullptr) {
    std::string block;
    for (int i = 0; block.size() + 64 < view::CodeHighlighter::kMaxBytes; ++i)
      block += "    total += weight(item_" + std::to_string(i) + ")  # 'why' 42\n";
    block_bytes = block.size();
    const auto t0 = Clock::now();
    highlighter->highlight("python", block);
    block_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  }

  std::printf("tui_frame: %d messages, %dx%d, %d frames per case (draw + diff)%s\n", messages, kWidth,
              kHeight, frames, g_cold ? ", caches evicted before each frame" : "");
  std::printf("  first frame (lays out all): %.2f ms   resize frame: %.2f ms   total lines: %d\n",
              cold_ms, resize_ms, total);
  print("steady (following bottom)", steady);
  print("steady + Buffer::clear()", steady_clear);
  print("steady (scrolled half-way)", scrolled);
  for (const StreamCase& c : cases) {
    print(c.name, c.stats);
    std::printf("  %-26s %.0f bytes laid out/frame, answer %zu -> %zu bytes\n", "",
                static_cast<double>(c.bytes) / frames, c.start.size(), c.final_bytes);
  }
  std::printf("  layouts: steady %s, streaming %llu for %d frames\n",
              steady_cached ? "none" : "SOME (cache miss!)",
              static_cast<unsigned long long>(stream_layouts), frames);
  std::printf("tables and highlighted code: 400 messages, %dx%d (highlighter %s)\n", kWidth, kHeight,
              highlighter != nullptr ? "on" : "OFF");
  std::printf("  first frame (lays out all): %.2f ms   resize frame: %.2f ms\n", rich_cold_ms,
              rich_resize_ms);
  print("steady, tables + code", rich_steady);
  for (const RichCase& c : rich_cases) print(c.name, c.stats);
  std::printf("  layouts: steady %s; blocks highlighted while streaming: %llu in %d frames\n",
              rich_cached ? "none" : "SOME (cache miss!)",
              static_cast<unsigned long long>(stream_highlights), 2 * frames);
  std::printf("  language definitions loaded (own thread): %.1f ms; one %zu-byte block: %.2f ms\n",
              load_ms, block_bytes, block_ms);

  if (!json.empty()) {
    std::FILE* f = std::fopen(json.c_str(), "w");
    if (f == nullptr) {
      std::fprintf(stderr, "cannot write %s\n", json.c_str());
      return 1;
    }
    std::fprintf(f,
                 "{\n  \"benchmark\": \"tui_frame\",\n  \"messages\": %d,\n  \"width\": %d,\n"
                 "  \"height\": %d,\n  \"first_frame_ms\": %.3f,\n  \"resize_frame_ms\": %.3f,\n"
                 "  \"steady_relayouts\": %s,\n  \"streaming_layouts\": %llu,\n",
                 messages, kWidth, kHeight, cold_ms, resize_ms, steady_cached ? "0" : "-1",
                 static_cast<unsigned long long>(stream_layouts));
    json_stats(f, "steady", steady);
    json_stats(f, "steady_with_buffer_clear", steady_clear);
    json_stats(f, "scrolled", scrolled);
    json_stats(f, "streaming", streaming);
    json_stats(f, "streaming_whole_layout", cases[1].stats);
    json_stats(f, "streaming_40k", cases[2].stats);
    json_stats(f, "streaming_40k_whole_layout", cases[3].stats);
    json_stats(f, "streaming_40k_code", cases[4].stats);
    json_stats(f, "streaming_40k_code_whole_layout", cases[5].stats);
    json_stats(f, "rich_steady", rich_steady);
    json_stats(f, "rich_streaming_table", rich_cases[0].stats);
    json_stats(f, "rich_streaming_code", rich_cases[1].stats);
    std::fprintf(f, "  \"rich_first_frame_ms\": %.3f,\n  \"highlighter_load_ms\": %.3f,\n"
                 "  \"highlight_block_bytes\": %zu,\n  \"highlight_block_ms\": %.3f\n",
                 rich_cold_ms, load_ms, block_bytes, block_ms);
    std::fprintf(f, "}\n");
    std::fclose(f);
  }
  return steady_cached && steady.allocs_per_frame == 0 && rich_cached &&
                 rich_steady.allocs_per_frame == 0
             ? 0
             : 1;
}
