// Branches in the TUI (issue 11): "2/3" on the meta line of an answer that has other versions,
// ↑ on an empty box editing the last message (sent as a new branch), and the /history picker.
#include "tui/app/controller.hpp"

#include "controller_support.hpp"

#include <gtest/gtest.h>

namespace {

namespace ev = yollayah::protocol::ev;
namespace msg = yollayah::protocol::msg;
namespace protocol = yollayah::protocol;
using yollayah::protocol::ConductorState;
using yollayah::protocol::MessageRole;
using yollayah::tui::app::ChatState;
using yollayah::tui::app::Controller;
using yollayah::tui::screen::Buffer;
using yollayah::tui::term::Key;
using namespace yollayah::tui::test;

protocol::ResponseMetadata meta_of(std::string model) {
  protocol::ResponseMetadata m;
  m.model_id = std::move(model);
  m.tokens_per_second = 42.14f;
  m.elapsed_ms = 3200;
  return m;
}

// A conversation with one exchange: the user's "msg_1" and the answer "msg_2".
void one_exchange(Controller& c, std::string question = "first question") {
  c.on_message(msg::Message{"msg_1", MessageRole::User, std::move(question), {}}, t0);
  c.on_message(msg::Token{"msg_2", "an answer"}, t0);
  c.on_message(msg::StreamEnd{"msg_2", "an answer", meta_of("llama3.2")}, t0);
  c.on_message(msg::State{ConductorState::Ready}, t0);
  c.outbox().clear();
}

const ev::UserCommand* command_at(Controller& c, std::size_t i) {
  return i < c.outbox().size() ? std::get_if<ev::UserCommand>(&c.outbox()[i]) : nullptr;
}

TEST(BranchMeta, AStreamedAnswerWithOtherVersionsShowsItsPositionFirstOnTheMetaLine) {
  ChatState s;
  auto meta = meta_of("llama3.2");
  meta.branch = protocol::BranchPosition{2, 3};
  s.apply(msg::StreamEnd{"m1", "again", meta}, t0);
  ASSERT_EQ(s.entries().size(), 1u);
  EXPECT_EQ(s.entries()[0].meta, "2/3 · llama3.2 · 42.1 tok/s · 3.2 s");
}

TEST(BranchMeta, TheOnlyVersionShowsNoPosition) {
  auto meta = meta_of("llama3.2");
  meta.branch = protocol::BranchPosition{1, 1};
  EXPECT_EQ(yollayah::tui::app::format_metadata(meta), "llama3.2 · 42.1 tok/s · 3.2 s");
  meta.model_id.reset();
  meta.backend = "gpu-box";
  meta.branch = protocol::BranchPosition{1, 2};
  EXPECT_EQ(yollayah::tui::app::format_metadata(meta), "1/2 · gpu-box · 42.1 tok/s · 3.2 s");
}

TEST(BranchMeta, ARestoredSnapshotShowsEachAnswersMetaLineAndEachMessagesVersion) {
  ChatState s;
  msg::StateSnapshot snap;
  protocol::SnapshotMessage question{"q", MessageRole::User, "edited question", {}, 1};
  question.branch = protocol::BranchPosition{2, 2};
  protocol::SnapshotMessage answer{"a", MessageRole::Assistant, "third try", {}, 2};
  answer.branch = protocol::BranchPosition{3, 3};
  answer.metadata = meta_of("llama3.2");
  protocol::SnapshotMessage plain{"p", MessageRole::Assistant, "old style", {}, 3};  // from a version-1 Conductor
  snap.conversation_history = {question, answer, plain};
  s.apply(snap, t0);
  ASSERT_EQ(s.entries().size(), 3u);
  EXPECT_EQ(s.entries()[0].meta, "2/2");
  EXPECT_EQ(s.entries()[1].meta, "3/3 · llama3.2 · 42.1 tok/s · 3.2 s");
  EXPECT_EQ(s.entries()[2].meta, "");
}

TEST(BranchMeta, TheMetaLineIsDrawnUnderTheAnswer) {
  Controller c;
  make_ready(c);
  auto meta = meta_of("llama3.2");
  meta.branch = protocol::BranchPosition{2, 2};
  c.on_message(msg::StreamEnd{"m1", "again", meta}, t0);
  Buffer b(100, 20);
  c.draw(b, t0);
  EXPECT_NE(screen_text(b).find("2/2 · llama3.2 · 42.1 tok/s · 3.2 s"), std::string::npos) << screen_text(b);
}

TEST(EditLastMessage, UpOnAnEmptyBoxLoadsTheLastMessageAndEnterSendsItAsAnEditOfIt) {
  Controller c;
  make_ready(c);
  one_exchange(c);
  c.on_input(key(Key::Up), t0);
  EXPECT_EQ(c.input().text(), "first question");
  EXPECT_EQ(c.editing_message(), "msg_1");
  c.on_input(ch(U'u', yollayah::tui::term::kCtrl), t0);  // emptied to be typed again: still the edit
  EXPECT_TRUE(c.input().empty());
  EXPECT_EQ(c.editing_message(), "msg_1");
  type(c, "second question");
  c.on_input(key(Key::Enter), t0);
  ASSERT_EQ(c.outbox().size(), 1u);
  const auto* m = std::get_if<ev::UserMessage>(&c.outbox()[0]);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->content, "second question");
  EXPECT_EQ(m->edits, protocol::Extension<std::string>("msg_1"));
  EXPECT_EQ(c.editing_message(), "");
}

TEST(EditLastMessage, TheFirstUpRecallsTheSentMessageFromTheBoxsHistoryTooAndTheNextOneIsNoEdit) {
  Controller c;
  make_ready(c);
  type(c, "older");
  c.on_input(key(Key::Enter), t0);
  type(c, "first question");
  c.on_input(key(Key::Enter), t0);
  one_exchange(c);  // the Conductor echoes it as msg_1
  c.on_input(key(Key::Up), t0);
  EXPECT_EQ(c.input().text(), "first question");
  EXPECT_EQ(c.editing_message(), "msg_1");
  c.on_input(key(Key::Up), t0);  // further back: an older message, sent as a new one
  EXPECT_EQ(c.input().text(), "older");
  EXPECT_EQ(c.editing_message(), "");
  c.on_input(key(Key::Enter), t0);
  ASSERT_EQ(c.outbox().size(), 1u);
  EXPECT_FALSE(std::get<ev::UserMessage>(c.outbox()[0]).edits.has_value());
}

// A ready TUI after one exchange, whose box holds an edit of the question (↑ was pressed).
class Editing : public ::testing::Test {
 protected:
  Editing() {
    make_ready(c);
    one_exchange(c);
    c.on_input(key(Key::Up), t0);
  }
  Controller c;
};

TEST_F(Editing, AClearedBoxOrANewConversationIsNoEditAnyMore) {
  ASSERT_EQ(c.editing_message(), "msg_1");
  c.on_input(key(Key::Escape), t0);  // clears the box
  EXPECT_TRUE(c.input().empty());
  EXPECT_EQ(c.editing_message(), "");
  c.on_input(key(Key::Up), t0);
  ASSERT_EQ(c.editing_message(), "msg_1");
  c.on_message(msg::StateSnapshot{}, t0);  // /open, /new: the message is gone from the screen
  EXPECT_EQ(c.editing_message(), "");
  EXPECT_FALSE(c.input().empty());
}

TEST_F(Editing, WhileAnAnswerStreamsTheEditStaysInTheBox) {
  ASSERT_EQ(c.editing_message(), "msg_1");
  c.on_message(msg::State{ConductorState::Responding}, t0);
  c.on_message(msg::Token{"msg_9", "busy"}, t0);
  c.on_input(key(Key::Enter), t0);
  EXPECT_TRUE(c.outbox().empty());
  EXPECT_EQ(c.input().text(), "first question");
}

// A restored conversation: a first exchange whose answer "a-1" has two versions, ten long ones
// after it, then a live exchange whose answer "msg_51" was retried (2/3). The screen shows a part.
class BranchKeys : public ::testing::Test {
 protected:
  BranchKeys() {
    make_ready(c);
    msg::StateSnapshot snap;
    snap.conversation_history.push_back({"q-1", MessageRole::User, "first question", {}, 1});
    protocol::SnapshotMessage first{"a-1", MessageRole::Assistant, "first answer", {}, 2};
    first.branch = protocol::BranchPosition{2, 2};
    snap.conversation_history.push_back(first);
    std::string words;
    for (int i = 0; i < 150; ++i) words += "word ";
    for (int i = 0; i < 10; ++i) {
      snap.conversation_history.push_back({"q-" + std::to_string(i + 2), MessageRole::User, "more?", {}, 3});
      snap.conversation_history.push_back({"a-" + std::to_string(i + 2), MessageRole::Assistant, words, {}, 4});
    }
    c.on_message(snap, t0);
    c.on_message(msg::Message{"msg_50", MessageRole::User, "last question", {}}, t0);
    auto meta = meta_of("llama3.2");
    meta.branch = protocol::BranchPosition{2, 3};
    c.on_message(msg::StreamEnd{"msg_51", "last answer", meta}, t0);
    c.outbox().clear();
    c.draw(b, t0);
  }
  // Alt+← (the view drawn first, as the terminal would be), and the arguments it sent.
  std::vector<std::string> alt_left() {
    c.draw(b, t0);
    c.outbox().clear();
    c.on_input(key(Key::Left, yollayah::tui::term::kAlt), t0);
    const auto* sent = command_at(c, 0);
    EXPECT_NE(sent, nullptr);
    if (!sent) return {};
    EXPECT_EQ(sent->command, "branch");
    return sent->args;
  }
  Controller c;
  Buffer b{80, 20};
};

TEST_F(BranchKeys, AltLeftAtTheBottomSendsTheIdOfTheNewestAnswerWithVersions) {
  EXPECT_EQ(alt_left(), (std::vector<std::string>{"prev", "msg_51"}));
}

TEST_F(BranchKeys, AltLeftScrolledUpSendsTheIdOfTheAnswerWithVersionsOnScreen) {
  c.on_input(key(Key::Home, yollayah::tui::term::kCtrl), t0);  // the top: the first exchange
  EXPECT_EQ(alt_left(), (std::vector<std::string>{"prev", "a-1"}));
}

TEST_F(BranchKeys, WithNoMessageOnScreenThatHasVersionsAltLeftSendsNoId) {
  c.on_input(key(Key::Home, yollayah::tui::term::kCtrl), t0);
  c.draw(b, t0);
  c.on_input(key(Key::PageDown), t0);
  c.draw(b, t0);
  c.on_input(key(Key::PageDown), t0);  // among the long answers, none of which has versions
  EXPECT_EQ(alt_left(), (std::vector<std::string>{"prev"}));
}

TEST(BranchKeysState, AnEditedQuestionOnScreenIsTheOneWhoseVersionsAreAskedFor) {
  ChatState s;
  msg::StateSnapshot snap;
  protocol::SnapshotMessage question{"q", MessageRole::User, "edited question", {}, 1};
  question.branch = protocol::BranchPosition{2, 2};
  snap.conversation_history = {question, {"a", MessageRole::Assistant, "its only answer", {}, 2}};
  s.apply(snap, t0);
  ASSERT_EQ(s.entries().size(), 2u);
  const std::vector<std::uint64_t> both{s.entries()[1].key, s.entries()[0].key};
  EXPECT_EQ(s.newest_with_versions(both), std::optional<std::string>("q"));
  const std::vector<std::uint64_t> answer_only{s.entries()[1].key};
  EXPECT_EQ(s.newest_with_versions(answer_only), std::nullopt);
}

msg::HistoryList three_conversations() {
  msg::HistoryList list;
  list.entries = {{"c-1", "Salt and pepper", 1, 1700000009000ULL, "llama3.2", 4, "what goes with salt?", true},
                  {"c-2", "Tides", 1, 1700000008000ULL, "qwen", 2, "why are there tides?", false},
                  {"c-3", "", 1, 1700000007000ULL, "", 1, "an untitled one", false}};
  return list;
}

// A ready TUI with the picker open on three conversations.
using Picker = ReadyWith<three_conversations>;

TEST_F(Picker, AHistoryListOpensThePickerWithEachConversationsTitleModelAndCount) {
  ASSERT_TRUE(c.picker_open());
  Buffer b(110, 30);
  c.draw(b, t0);
  const std::string screen = screen_text(b);
  EXPECT_NE(screen.find("› Salt and pepper"), std::string::npos) << screen;
  EXPECT_NE(screen.find("llama3.2 · 4 messages · open now"), std::string::npos) << screen;
  EXPECT_NE(screen.find("Tides"), std::string::npos) << screen;
  EXPECT_NE(screen.find("why are there tides?"), std::string::npos) << screen;
  EXPECT_NE(screen.find("an untitled one"), std::string::npos) << screen;
}

TEST_F(Picker, KeysMoveTheSelectionAndEnterOpensTheChosenConversation) {
  c.on_input(key(Key::Down), t0);
  c.on_input(key(Key::Down), t0);
  c.on_input(key(Key::Down), t0);  // stops at the last
  EXPECT_EQ(c.picker_selected(), 2u);
  c.on_input(key(Key::Home), t0);
  EXPECT_EQ(c.picker_selected(), 0u);
  c.on_input(key(Key::End), t0);
  EXPECT_EQ(c.picker_selected(), 2u);
  c.on_input(key(Key::PageUp), t0);
  EXPECT_EQ(c.picker_selected(), 0u);
  c.on_input(key(Key::Down), t0);
  EXPECT_TRUE(c.outbox().empty());  // moving sends nothing
  c.on_input(key(Key::Enter), t0);
  EXPECT_FALSE(c.picker_open());
  const auto* open = command_at(c, 0);
  ASSERT_NE(open, nullptr);
  EXPECT_EQ(open->command, "open");
  EXPECT_EQ(open->args, (std::vector<std::string>{"c-2"}));
}

TEST(PickerPages, ThePageScrollsToKeepTheSelectionInView) {
  Controller c;
  make_ready(c);
  msg::HistoryList list;
  for (int i = 0; i < 40; ++i)
    list.entries.push_back({"id-" + std::to_string(i), "Talk " + std::to_string(i), 1, 2, "m", 2, "", false});
  c.on_message(list, t0);
  Buffer b(100, 24);
  c.draw(b, t0);
  EXPECT_NE(screen_text(b).find("Talk 0"), std::string::npos);
  c.on_input(key(Key::End), t0);
  c.draw(b, t0);
  const std::string screen = screen_text(b);
  EXPECT_NE(screen.find("› Talk 39"), std::string::npos) << screen;
  EXPECT_EQ(screen.find("Talk 0 "), std::string::npos) << screen;
  EXPECT_NE(screen.find("40/40"), std::string::npos) << screen;
}

TEST_F(Picker, DAsksFirstAndYDeletesTheChosenConversation) {
  c.on_input(key(Key::Down), t0);
  c.on_input(ch(U'd'), t0);
  ASSERT_TRUE(c.picker_asking());
  Buffer b(110, 30);
  c.draw(b, t0);
  EXPECT_NE(screen_text(b).find("Delete «Tides»? y/n"), std::string::npos) << screen_text(b);
  EXPECT_TRUE(c.outbox().empty());
  c.on_input(ch(U'n'), t0);  // anything but y keeps it
  EXPECT_FALSE(c.picker_asking());
  EXPECT_TRUE(c.outbox().empty());
  c.on_input(ch(U'd'), t0);
  c.on_input(ch(U'y'), t0);
  const auto* del = command_at(c, 0);
  ASSERT_NE(del, nullptr);
  EXPECT_EQ(del->command, "delete");
  EXPECT_EQ(del->args, (std::vector<std::string>{"c-2", "asked"}));
  EXPECT_TRUE(c.picker_open());
  ASSERT_EQ(c.picker_entries().size(), 2u);
  EXPECT_EQ(c.picker_entries()[1].id, "c-3");
}

TEST_F(Picker, EscClosesItAndKeysGoBackToTheInputBox) {
  type(c, "x");  // taken by the picker, not typed
  EXPECT_TRUE(c.input().empty());
  c.on_input(key(Key::Escape), t0);
  EXPECT_FALSE(c.picker_open());
  EXPECT_TRUE(c.outbox().empty());
  type(c, "x");
  EXPECT_EQ(c.input().text(), "x");
}

}  // namespace
