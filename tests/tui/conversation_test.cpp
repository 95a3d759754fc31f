// The conversation view: what lands on screen, the per-message layout cache, and scrolling.
#include "tui/view/conversation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "tui/screen/buffer.hpp"

namespace {

using namespace yollayah::tui;
using view::ChatEntry;
using view::ConversationView;
using view::Rect;
using view::Role;

std::string row(const screen::Buffer& b, int y) {
  std::string s;
  for (int x = 0; x < b.width(); ++x) s.append(b.at(x, y).text());
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

std::vector<std::string> rows(const screen::Buffer& b) {
  std::vector<std::string> out;
  for (int y = 0; y < b.height(); ++y) out.push_back(row(b, y));
  return out;
}

ChatEntry entry(std::uint64_t key, Role role, std::string text) {
  ChatEntry e;
  e.key = key;
  e.role = role;
  e.text = std::move(text);
  return e;
}

void touch(ChatEntry& e) { ++e.revision; }

TEST(Conversation, DrawsRolesInAGutterWithMarkdownForAnswers) {
  std::vector<ChatEntry> entries{entry(1, Role::User, "hello **there**"),
                                 entry(2, Role::Assistant, "hi **you**")};
  screen::Buffer b(30, 5);
  ConversationView view;
  view.draw(entries, b, Rect{0, 0, 30, 5});
  EXPECT_EQ(rows(b),
            (std::vector<std::string>{"  you › hello **there**", "", "yolla › hi you", "", ""}));
  EXPECT_TRUE(b.at(2, 0).style.attrs & screen::kBold);    // the label
  EXPECT_NE(b.at(2, 0).style.fg, b.at(0, 2).style.fg);    // each role has its colour
  EXPECT_FALSE(b.at(10, 0).style.attrs & screen::kBold);  // user text is plain
  EXPECT_TRUE(b.at(11, 2).style.attrs & screen::kBold);   // assistant text is Markdown
  EXPECT_FALSE(b.at(8, 2).style.attrs & screen::kBold);
}

TEST(Conversation, WrappedLinesHangUnderTheGutter) {
  std::vector<ChatEntry> entries{entry(1, Role::User, "one two three four five six")};
  screen::Buffer b(24, 3);
  ConversationView view;
  view.draw(entries, b, Rect{0, 0, 24, 3});
  EXPECT_EQ(rows(b),
            (std::vector<std::string>{"  you › one two three", "        four five six", ""}));
}

TEST(Conversation, NewestIsAtTheBottomWhenTheHistoryIsLong) {
  std::vector<ChatEntry> entries;
  for (std::uint64_t k = 1; k <= 10; ++k)
    entries.push_back(entry(k, Role::User, "m" + std::to_string(k)));
  screen::Buffer b(30, 5);
  ConversationView view;
  view.draw(entries, b, Rect{0, 0, 30, 5});
  EXPECT_EQ(rows(b), (std::vector<std::string>{"  you › m8", "", "  you › m9", "", "  you › m10"}));
  EXPECT_EQ(view.total_lines(entries, 30), 19);
  EXPECT_EQ(view.max_scroll(), 14);
}

TEST(Conversation, StreamingAnswerEndsWithACursor) {
  std::vector<ChatEntry> entries{entry(1, Role::Assistant, "partial *answ")};
  entries[0].streaming = true;
  screen::Buffer b(30, 2);
  ConversationView view;
  view.draw(entries, b, Rect{0, 0, 30, 2});
  EXPECT_EQ(row(b, 0), "yolla › partial *answ▌");
  entries[0].streaming = false;
  touch(entries[0]);
  view.draw(entries, b, Rect{0, 0, 30, 2});
  EXPECT_EQ(row(b, 0), "yolla › partial *answ");
}

TEST(Conversation, StreamingCursorShowsBeforeAnyText) {
  std::vector<ChatEntry> entries{entry(1, Role::Assistant, "")};
  entries[0].streaming = true;
  screen::Buffer b(30, 1);
  ConversationView view;
  view.draw(entries, b, Rect{0, 0, 30, 1});
  EXPECT_EQ(row(b, 0), "yolla › ▌");
}

TEST(Conversation, InterruptedAnswerAndMetaLineAreDim) {
  std::vector<ChatEntry> entries{entry(1, Role::Assistant, "cut sho")};
  entries[0].interrupted = true;
  entries[0].meta = "llama3.2 · 42.1 tok/s · 3.2 s";
  screen::Buffer b(40, 4);
  ConversationView view;
  view.draw(entries, b, Rect{0, 0, 40, 4});
  EXPECT_EQ(rows(b), (std::vector<std::string>{"yolla › cut sho", "        ⏹ interrupted",
                                               "        llama3.2 · 42.1 tok/s · 3.2 s", ""}));
  EXPECT_TRUE(b.at(10, 1).style.attrs & screen::kDim);
  EXPECT_TRUE(b.at(8, 2).style.attrs & screen::kDim);
  EXPECT_FALSE(b.at(8, 0).style.attrs & screen::kDim);
}

TEST(Conversation, ErrorsAreRedAndSystemNotesDim) {
  std::vector<ChatEntry> entries{entry(1, Role::Error, "backend down"),
                                 entry(2, Role::System, "model switched")};
  screen::Buffer b(30, 3);
  ConversationView view;
  view.draw(entries, b, Rect{0, 0, 30, 3});
  EXPECT_EQ(rows(b),
            (std::vector<std::string>{"error › backend down", "", " info › model switched"}));
  const screen::Color red = b.at(8, 0).style.fg;
  EXPECT_FALSE(red.is_default());
  EXPECT_GT(red.r, red.g);
  EXPECT_TRUE(b.at(8, 2).style.attrs & screen::kDim);
}

TEST(Conversation, CacheLaysOutOnlyWhatChanged) {
  std::vector<ChatEntry> entries;
  for (std::uint64_t k = 1; k <= 5; ++k)
    entries.push_back(entry(k, Role::Assistant, "msg *" + std::to_string(k) + "*"));
  screen::Buffer b(40, 10);
  ConversationView view;
  const Rect area{0, 0, 40, 10};
  view.draw(entries, b, area);
  EXPECT_EQ(view.layouts_performed(), 5u);
  view.draw(entries, b, area);
  EXPECT_EQ(view.layouts_performed(), 5u);  // nothing changed

  entries[4].text += " more";
  touch(entries[4]);
  view.draw(entries, b, area);
  EXPECT_EQ(view.layouts_performed(), 6u);  // only the changed one

  entries.push_back(entry(6, Role::User, "new"));
  view.draw(entries, b, area);
  EXPECT_EQ(view.layouts_performed(), 7u);  // only the appended one

  entries.erase(entries.begin(), entries.begin() + 2);  // the app caps its history
  view.draw(entries, b, area);
  EXPECT_EQ(view.layouts_performed(), 7u);
  EXPECT_EQ(row(b, 0), "yolla › msg 3");

  entries.erase(entries.begin() + 1);  // removed in the middle: the rest is kept
  view.draw(entries, b, area);
  EXPECT_EQ(view.layouts_performed(), 7u);
  EXPECT_EQ(row(b, 2), "yolla › msg 5 more");

  view.draw(entries, b, Rect{0, 0, 30, 10});  // a new width lays out everything once
  EXPECT_EQ(view.layouts_performed(), 10u);
  EXPECT_EQ(view.total_lines(entries, 30), 5);
  EXPECT_EQ(view.layouts_performed(), 10u);
}

TEST(Conversation, GrowingLastMessageLaysOutOnlyItself) {
  std::vector<ChatEntry> entries;
  for (std::uint64_t k = 1; k <= 100; ++k) entries.push_back(entry(k, Role::Assistant, "word"));
  entries.back().streaming = true;
  screen::Buffer b(40, 10);
  ConversationView view;
  view.draw(entries, b, Rect{0, 0, 40, 10});
  const auto before = view.layouts_performed();
  for (int i = 0; i < 20; ++i) {
    entries.back().text += " word";
    touch(entries.back());
    view.draw(entries, b, Rect{0, 0, 40, 10});
  }
  EXPECT_EQ(view.layouts_performed() - before, 20u);
  EXPECT_NE(row(b, 9).find("word▌"), std::string::npos);
}

TEST(Conversation, ScrollClampsAndShowsOlderLines) {
  std::vector<ChatEntry> entries;
  for (std::uint64_t k = 1; k <= 20; ++k)
    entries.push_back(entry(k, Role::User, "m" + std::to_string(k)));
  screen::Buffer b(30, 5);
  ConversationView view;
  view.set_scroll(1000);
  view.draw(entries, b, Rect{0, 0, 30, 5});
  EXPECT_EQ(view.max_scroll(), 39 - 5);
  EXPECT_EQ(view.scroll(), view.max_scroll());
  EXPECT_EQ(row(b, 0), "  you › m1");

  view.set_scroll(-3);
  EXPECT_EQ(view.scroll(), 0);
  view.scroll_by(2);
  view.draw(entries, b, Rect{0, 0, 30, 5});
  EXPECT_EQ(rows(b),
            (std::vector<std::string>{"  you › m17", "", "  you › m18", "", "  you › m19"}));
  EXPECT_EQ(row(b, 4), "  you › m19");
}

TEST(Conversation, ScrolledUpViewStaysStillWhileNewLinesArrive) {
  std::vector<ChatEntry> entries;
  for (std::uint64_t k = 1; k <= 20; ++k)
    entries.push_back(entry(k, Role::User, "m" + std::to_string(k)));
  screen::Buffer b(30, 5);
  ConversationView view;
  view.set_scroll(6);
  view.draw(entries, b, Rect{0, 0, 30, 5});
  const std::vector<std::string> before = rows(b);
  entries.push_back(entry(21, Role::Assistant, "a\n\nb"));
  entries.erase(entries.begin());
  view.draw(entries, b, Rect{0, 0, 30, 5});
  EXPECT_EQ(rows(b), before);
  EXPECT_EQ(view.scroll(), 6 + 4);

  view.set_scroll(0);  // following the bottom: new lines show
  view.draw(entries, b, Rect{0, 0, 30, 5});
  EXPECT_EQ(row(b, 4), "        b");
}

TEST(Conversation, OlderHistoryLoadedInFrontKeepsLayoutsAndView) {
  std::vector<ChatEntry> entries;
  for (std::uint64_t k = 1000; k < 1010; ++k)
    entries.push_back(entry(k, Role::User, "m" + std::to_string(k)));
  screen::Buffer b(30, 5);
  ConversationView view;
  view.set_scroll(3);
  view.draw(entries, b, Rect{0, 0, 30, 5});
  const std::vector<std::string> before = rows(b);
  const auto layouts = view.layouts_performed();
  for (std::uint64_t k = 0; k < 300; ++k)
    entries.insert(entries.begin(), entry(999 - k, Role::User, "old"));
  view.draw(entries, b, Rect{0, 0, 30, 5});
  EXPECT_EQ(view.layouts_performed() - layouts, 300u);  // only the new ones
  EXPECT_EQ(rows(b), before);
  EXPECT_EQ(view.scroll(), 3);
}

TEST(Conversation, NarrowAreaPutsTheLabelOnItsOwnLine) {
  std::vector<ChatEntry> entries{entry(1, Role::Assistant, "- a list item\n\n```\ncode\n```")};
  screen::Buffer b(20, 6);
  ConversationView view;
  view.draw(entries, b, Rect{0, 0, 20, 6});
  EXPECT_EQ(rows(b), (std::vector<std::string>{"yolla ›", "• a list item", "", " code", "", ""}));
}

TEST(Conversation, ClearsItsAreaOnlyAndRepairsWideClustersAtItsEdges) {
  screen::Buffer b(12, 2);
  b.put_text(0, 0, "x日本語yz", screen::Style{});  // 日 at 1-2, 本 at 3-4, 語 at 5-6
  b.put_text(0, 1, "keep", screen::Style{});
  ConversationView view;
  view.draw({}, b, Rect{2, 0, 4, 1});  // cuts 日 and 語 in half
  EXPECT_EQ(row(b, 0), "x      yz");
  EXPECT_EQ(b.at(1, 0).width(), 1);
  EXPECT_EQ(b.at(6, 0).width(), 1);
  EXPECT_EQ(row(b, 1), "keep");
}

TEST(Conversation, TinyAreasNeverCrash) {
  std::vector<ChatEntry> entries{entry(1, Role::User, "日本語 😀 text"),
                                 entry(2, Role::Assistant,
                                       "# H\n\n> q **b**\n\n1. x\n   - y\n\n```py\nlong line of "
                                       "code\n```\n| a | b |\n|-|-|\n|1|2|"),
                                 entry(3, Role::Error, "bad")};
  entries[1].streaming = true;
  entries[1].meta = "model · 1 tok/s";
  entries[2].interrupted = true;
  screen::Buffer b(30, 12);
  ConversationView view;
  for (Rect area : {Rect{2, 2, 20, 6}, Rect{0, 0, 1, 1}, Rect{5, 0, 1, 12}, Rect{0, 0, 2, 12},
                    Rect{0, 0, 30, 0}, Rect{0, 0, 0, 5}, Rect{25, 10, 20, 6}}) {
    for (int scroll : {0, 3, 1000}) {
      view.set_scroll(scroll);
      view.draw(entries, b, area);
      EXPECT_GE(view.scroll(), 0);
      EXPECT_LE(view.scroll(), view.max_scroll());
    }
  }
  // One column: everything is still there, one cluster per row at most.
  screen::Buffer one(1, 200);
  view.set_scroll(0);
  view.draw(entries, one, Rect{0, 0, 1, 200});
  EXPECT_EQ(row(one, 0), "y");
  EXPECT_GT(view.total_lines(entries, 1), 30);
}

}  // namespace

// ---- A streaming answer laid out only from its last complete block --------------------------

namespace {

constexpr std::string_view kStreamedAnswer =
    "# Reversing a list\n\nIntro with **bold**, `code` and enough words to wrap at a narrow "
    "width.\n\n## Steps\n\n1. First step\n2. Second step, with more words to wrap\n3. Third\n\n"
    "- bullet a\n- bullet b\n  continued\n\nSome text after the list.\n\n"
    "```cpp\nint main() {\n\n  return 0;  // a blank line above, inside the fence\n}\n```\n\n"
    "~~~\ntilde fence\n\n```\nnot a close\n~~~\n\n"
    "> a quote\n> on two lines\n\n> another quote\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    "---\n\nLoose list:\n\n- one\n\n- two\n\n    indented code\n\n      more\n\n"
    "1. ordered\n\n2. loose\n\n- item\n\n  ```\n  fenced in an item\n\n  still in it\n  ```\n\n"
    "Then a long block:\n\n```python\ndef f(x):\n\n\n    return x  # a comment long enough to "
    "be cut at narrow widths\n\tindented = 'by a tab'\n\n```\n\n"
    "  ```\n  indented fence\n\n   three spaces, one stripped\n  ```\n\n"
    "Final *paragraph* 日本語 😀 with [a link](https://example.com).\n\n```\nopen at the end\n\n\n";

// Splits `text` into pieces of 1 to 7 bytes, never inside a UTF-8 sequence.
std::vector<std::string> tokens(std::string_view text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  for (std::size_t i = 0; pos < text.size(); ++i) {
    std::size_t end = std::min(text.size(), pos + 1 + (i * 5) % 7);
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
    out.emplace_back(text.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

// Draws one message in two views: `incremental` as the app does, `whole` laying out the whole
// text each time. Returns whether they drew the same cells.
struct StreamPair {
  explicit StreamPair(int w) : width(w), a(w, kHeight), b(w, kHeight) {
    whole.set_incremental_streaming(false);
    entries.push_back(entry(1, Role::Assistant, ""));
    entries[0].streaming = true;
  }
  static constexpr int kHeight = 150;
  int width;
  ConversationView incremental, whole;
  std::vector<ChatEntry> entries;
  screen::Buffer a, b;

  ::testing::AssertionResult same(int draw_width = -1) {
    const int w = draw_width < 0 ? width : draw_width;
    incremental.draw(entries, a, Rect{0, 0, w, kHeight});
    whole.draw(entries, b, Rect{0, 0, w, kHeight});
    if (incremental.total_lines(entries, w) != whole.total_lines(entries, w)) {
      return ::testing::AssertionFailure() << "lines " << incremental.total_lines(entries, w)
                                           << " != " << whole.total_lines(entries, w);
    }
    for (int y = 0; y < kHeight; ++y) {
      for (int x = 0; x < a.width(); ++x) {
        if (!(a.at(x, y) == b.at(x, y))) {
          auto f = ::testing::AssertionFailure() << "row " << y << " column " << x << ":\n";
          for (int k = std::max(0, y - 8); k < std::min(kHeight, y + 4); ++k)
            f << k << (a.at(x, k) == b.at(x, k) ? "  " : "* ") << row(a, k) << "\n   " << row(b, k)
              << "\n";
          return f;
        }
      }
    }
    return ::testing::AssertionSuccess();
  }
  void append(std::string_view t) {
    entries[0].text += t;
    touch(entries[0]);
  }
};

}  // namespace

TEST(ConversationStreaming, IncrementalLayoutDrawsTheSameAsAWholeLayoutAtEveryStep) {
  for (int width : {20, 33, 80}) {
    StreamPair p(width);
    int step = 0;
    for (const std::string& t : tokens(kStreamedAnswer)) {
      p.append(t);
      ASSERT_TRUE(p.same()) << "width " << width << ", step " << step << ", text:\n"
                            << p.entries[0].text;
      ++step;
    }
    // Most of the answer was laid out once, not at every step.
    EXPECT_LT(p.incremental.bytes_laid_out() * 4, p.whole.bytes_laid_out()) << "width " << width;
    p.entries[0].streaming = false;  // the end of the stream: one whole layout
    touch(p.entries[0]);
    EXPECT_TRUE(p.same());
  }
}

TEST(ConversationStreaming, WholeAppendsMatchAFreshView) {
  // Big appends (a slow frame rate, or several tokens at once), then a fresh view of the result.
  StreamPair p(40);
  const std::string text(kStreamedAnswer);
  for (std::size_t pos = 0; pos < text.size(); pos += 97) {
    p.append(text.substr(pos, 97));
    ASSERT_TRUE(p.same()) << "at byte " << pos;
  }
  ConversationView fresh;
  screen::Buffer c(40, StreamPair::kHeight);
  fresh.draw(p.entries, c, Rect{0, 0, 40, StreamPair::kHeight});
  EXPECT_EQ(c, p.a);
}

TEST(ConversationStreaming, AnEditThatIsNotAnAppendLaysOutTheWholeText) {
  StreamPair p(30);
  for (const std::string& t : tokens(kStreamedAnswer.substr(0, 400))) p.append(t);
  ASSERT_TRUE(p.same());
  const auto bytes = p.incremental.bytes_laid_out();
  p.entries[0].text[2] = 'X';  // "# Xeversing": inside the kept blocks
  touch(p.entries[0]);
  EXPECT_TRUE(p.same());
  EXPECT_EQ(p.incremental.bytes_laid_out() - bytes, p.entries[0].text.size());
  EXPECT_NE(row(p.a, 0).find("Xeversing"), std::string::npos);

  p.entries[0].text.resize(150);  // cut short, then grows again
  touch(p.entries[0]);
  EXPECT_TRUE(p.same());
  for (const std::string& t : tokens(kStreamedAnswer.substr(150, 300))) {
    p.append(t);
    ASSERT_TRUE(p.same());
  }
}

TEST(ConversationStreaming, AWidthChangeLaysOutAgainAtTheNewWidth) {
  StreamPair p(60);
  for (const std::string& t : tokens(kStreamedAnswer.substr(0, 600))) p.append(t);
  ASSERT_TRUE(p.same());
  const auto layouts = p.incremental.layouts_performed();
  const auto bytes = p.incremental.bytes_laid_out();
  EXPECT_TRUE(p.same(25));
  EXPECT_EQ(p.incremental.layouts_performed(), layouts + 1);
  EXPECT_EQ(p.incremental.bytes_laid_out() - bytes, p.entries[0].text.size());
  p.append(" and more words after the resize");
  EXPECT_TRUE(p.same(25));
  EXPECT_TRUE(p.same(60));
}

TEST(ConversationStreaming, ATwentyKilobyteAnswerLaysOutOnlyItsTailPerAppend) {
  std::vector<ChatEntry> entries{entry(1, Role::User, "write a lot"),
                                 entry(2, Role::Assistant, "")};
  ChatEntry& answer = entries[1];
  answer.streaming = true;
  for (int i = 0; answer.text.size() < 20'000; ++i) {
    answer.text += "Paragraph " + std::to_string(i) +
                   " has **some** words that wrap across lines at this width, and `code`.\n\n";
  }
  ConversationView view;
  screen::Buffer b(80, 24);
  view.draw(entries, b, Rect{0, 0, 80, 24});
  const auto bytes = view.bytes_laid_out();
  const auto layouts = view.layouts_performed();
  const std::vector<std::string> pieces = tokens(kStreamedAnswer);
  for (int i = 0; i < 200; ++i) {
    answer.text += pieces[static_cast<std::size_t>(i) % pieces.size()];
    touch(answer);
    view.draw(entries, b, Rect{0, 0, 80, 24});
  }
  EXPECT_EQ(view.layouts_performed() - layouts, 200u);
  // A whole layout per append would be 200 x 20 KB = 4 MB.
  EXPECT_LT(view.bytes_laid_out() - bytes, 200u * 20'000u / 20u);
  EXPECT_NE(row(b, 23).find("▌"), std::string::npos);
}

// Typical blocks in any order, sometimes with no blank line between them (a table then takes the
// lines after it as rows, a paragraph takes a table as text), streamed in pieces of 1 to 9 bytes.
TEST(ConversationStreaming, RandomMixesOfTypicalBlocksMatchAWholeLayoutAtEveryStep) {
  static constexpr std::string_view kBlocks[] = {
      "A paragraph with **bold**, `code` and *emphasis* that wraps at narrow widths.\n",
      "# A heading\n",
      "## Smaller *heading*\n",
      "- a\n- b\n  continued\n",
      "1. one\n2. two\n",
      "- item\n\n  a second paragraph in it\n",
      "3. item with code:\n\n   ```sh\n   make\n\n   make test\n   ```\n",
      "```cpp\nint x;\n\nint y;  // a long comment that is cut at narrow widths\n```\n",
      "~~~\ntildes\n~~~\n",
      "````\n```\nnested ticks\n````\n",
      "> a quote\n> on two lines\n",
      "> ```\n> quoted code\n> ```\n",
      "| a | b |\n|---|---|\n| 1 | 2 |\n",
      "---\n",
      "    indented code\n",
      "Setext heading\n===\n",
      "~~struck~~ and 日本語 😀\n",
      "Here it is:\n```py\nprint(1)\n\nprint(2)\n```\n",
      "1. step\n   ```\n   code\n\n   ```\n2. next\n",
      "* star item\n\n  > quote in it\n",
      "#### h4 `code`\n",
      "Term with trailing spaces  \nhard break\n",
      "***\n",
  };
  std::uint32_t seed = 12345;
  auto next = [&seed](std::uint32_t n) {
    seed = seed * 1664525u + 1013904223u;
    return (seed >> 8) % n;
  };
  for (int round = 0; round < 100; ++round) {
    std::string text;
    for (int k = 0; k < 8; ++k) {
      text += kBlocks[next(std::size(kBlocks))];
      if (next(4) != 0) text += '\n';  // mostly a blank line between blocks
    }
    if (next(2) != 0) text += "```\nleft open\n\n";
    StreamPair p(next(2) != 0 ? 24 : 45);
    for (std::size_t pos = 0; pos < text.size();) {
      std::size_t end = std::min(text.size(), pos + 1 + next(9));
      while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
      p.append(std::string_view(text).substr(pos, end - pos));
      pos = end;
      ASSERT_TRUE(p.same()) << "round " << round << ", text:\n" << p.entries[0].text;
    }
  }
}
