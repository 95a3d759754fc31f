// The conversation view: what lands on screen, the per-message layout cache, and scrolling.
#include "tui/view/conversation.hpp"

#include <gtest/gtest.h>

#include <string>
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
