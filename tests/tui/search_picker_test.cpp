// /search in the TUI (issue 11): the Conductor's SearchResults in the history picker (the query on
// its title line, each match's conversation, date, role and snippet with the match emphasised),
// Enter asking the Conductor to open the match's conversation at its message, and a snapshot's
// focus scrolling the conversation so that message is on screen.
#include "tui/app/controller.hpp"

#include "controller_support.hpp"

#include <gtest/gtest.h>

namespace yollayah::tui::test {
namespace {

namespace msg = protocol::msg;
using app::Controller;
using screen::Buffer;

msg::SearchResults two_matches() {
  msg::SearchResults found;
  found.query = "salt";
  found.entries = {{"c-1", "m-4", "Kitchen notes", protocol::MessageRole::Assistant, 1700000009000ULL, "…a pinch of «salt» at the end…"},
                   {"c-2", "m-9", "", protocol::MessageRole::User, 1700000008000ULL, "why is the sea «salt»y?"}};
  return found;
}

// Row y as text, and the column each byte of it is drawn in.
struct Row {
  std::string text;
  std::vector<int> column;
};
Row row_of(const Buffer& b, int y) {
  Row r;
  for (int x = 0; x < b.width(); ++x) {
    const auto t = b.at(x, y).text();
    r.text += t;
    r.column.insert(r.column.end(), t.size(), x);
  }
  return r;
}

using SearchPicker = ReadyWith<two_matches>;

TEST_F(SearchPicker, SearchResultsOpenThePickerWithTheQueryAndEachMatchsConversationRoleAndSnippet) {
  ASSERT_TRUE(c.picker_open());
  ASSERT_EQ(c.picker_matches().size(), 2u);
  Buffer b(110, 30);
  c.draw(b, t0);
  const std::string screen = screen_text(b);
  for (const std::string_view part : {"Search \"salt\" · 2 matches", "› Kitchen notes · ", " · Yollayah", "(untitled) · ",
                                      " · you", "…a pinch of salt at the end…", "why is the sea salty?"})
    EXPECT_NE(screen.find(part), std::string::npos) << part << "\n" << screen;
  EXPECT_EQ(screen.find("«salt»"), std::string::npos) << screen;  // the marks are not drawn
}

TEST_F(SearchPicker, TheMatchedWordIsEmphasisedAndItsContextIsNot) {
  Buffer b(110, 30);
  c.draw(b, t0);
  for (int y = 0; y < b.height(); ++y) {
    const Row r = row_of(b, y);
    const auto at = r.text.find("pinch of salt");
    if (at == std::string::npos) continue;
    const int pinch = r.column[at];
    const int salt = r.column[at + std::string_view("pinch of ").size()];
    EXPECT_FALSE(b.at(pinch, y).style.attrs & screen::kBold);
    EXPECT_TRUE(b.at(salt, y).style.attrs & screen::kBold);
    EXPECT_TRUE(b.at(salt + 3, y).style.attrs & screen::kBold);
    EXPECT_FALSE(b.at(salt + 5, y).style.attrs & screen::kBold);  // " at the end"
    EXPECT_NE(b.at(salt, y).style.fg, b.at(pinch, y).style.fg);
    return;
  }
  FAIL() << "no snippet line:\n" << screen_text(b);
}

TEST_F(SearchPicker, EnterAsksToOpenTheChosenMatchsConversationAtItsMessage) {
  c.on_input(key(term::Key::Down), t0);
  EXPECT_TRUE(c.outbox().empty());
  c.on_input(ch(U'd'), t0);  // matches are not deleted from here
  EXPECT_FALSE(c.picker_asking());
  c.on_input(key(term::Key::Enter), t0);
  EXPECT_FALSE(c.picker_open());
  ASSERT_EQ(c.outbox().size(), 1u);
  const auto* open = std::get_if<protocol::ev::UserCommand>(&c.outbox()[0]);
  ASSERT_NE(open, nullptr);
  EXPECT_EQ(open->command, "open");
  EXPECT_EQ(open->args, (std::vector<std::string>{"c-2", "m-9"}));
}

TEST(SearchPickerEmpty, NoMatchSaysSoAndEnterSendsNothing) {
  Controller c;
  make_ready(c);
  c.on_message(msg::SearchResults{"nowhere", {}}, t0);
  Buffer b(100, 24);
  c.draw(b, t0);
  EXPECT_NE(screen_text(b).find("No message matches \"nowhere\"."), std::string::npos) << screen_text(b);
  c.on_input(key(term::Key::Enter), t0);
  EXPECT_TRUE(c.outbox().empty());
}

// A snapshot of 40 messages whose ids are "m-0".."m-39", each text naming its number.
msg::StateSnapshot long_conversation() {
  msg::StateSnapshot s;
  for (int i = 0; i < 40; ++i)
    s.conversation_history.push_back(protocol::SnapshotMessage{
        "m-" + std::to_string(i), i % 2 ? protocol::MessageRole::Assistant : protocol::MessageRole::User,
        "message number " + std::to_string(i) + " says something", {}, 1700000000000ULL});
  return s;
}

TEST(SnapshotFocus, ASnapshotWithAFocusScrollsTheConversationSoThatMessageIsOnScreen) {
  Controller c;
  make_ready(c);
  auto s = long_conversation();
  s.focus = "m-5";
  c.on_message(s, t0);
  Buffer b(100, 24);
  c.draw(b, t0);
  const std::string screen = screen_text(b);
  EXPECT_NE(screen.find("message number 5 says"), std::string::npos) << screen;
  EXPECT_EQ(screen.find("message number 39 says"), std::string::npos) << screen;  // scrolled up to it
  EXPECT_GT(c.scroll(), 0);
}

TEST(SnapshotFocus, WithoutAFocusTheSnapshotShowsTheNewestMessages) {
  Controller c;
  make_ready(c);
  c.on_message(long_conversation(), t0);
  Buffer b(100, 24);
  c.draw(b, t0);
  const std::string screen = screen_text(b);
  EXPECT_EQ(screen.find("message number 5 says"), std::string::npos) << screen;
  EXPECT_NE(screen.find("message number 39 says"), std::string::npos) << screen;
  EXPECT_EQ(c.scroll(), 0);
}

}  // namespace
}  // namespace yollayah::tui::test
