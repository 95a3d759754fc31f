// /search through a real session, its store and ollama-sim: the matches as data for version-2
// surfaces and a note for version-1 ones, and a jump that opens the branch holding the message.
#include "integration/history_commands_support.hpp"

namespace yollayah::test {
namespace {

using namespace history_commands;

TEST(HistorySearch, AVersion2SurfaceGetsTheMatchesAsDataAndAVersion1SurfaceTheNote) {
  TwoVersions f;
  auto& v2 = f.v2;
  auto& v1 = f.v1;
  ask(v2, "alpha question about sourdough starters");
  const auto c = stored(f.io, f.history);
  ASSERT_EQ(c.messages.size(), 2u);

  v2.send(command("search", {"sourdough"}));
  ASSERT_TRUE(v2.run_until_count<msg::SearchResults>(1));
  const auto found = v2.all<msg::SearchResults>().back();
  EXPECT_EQ(found.query, "sourdough");
  ASSERT_EQ(found.entries.size(), 1u);
  const auto& e = found.entries[0];
  EXPECT_EQ(e.conversation_id, c.summary.id);
  EXPECT_EQ(e.message_id, c.messages[0].id);
  EXPECT_EQ(e.conversation_title, "alpha question about sourdough starters");
  EXPECT_EQ(e.role, protocol::MessageRole::User);
  EXPECT_EQ(e.created_ms, c.messages[0].created_ms);
  EXPECT_NE(e.snippet.find("about «sourdough» starters"), std::string::npos) << e.snippet;
  EXPECT_EQ(notes_with(v2, "for \"sourdough\""), 0u);  // no note for anyone
  EXPECT_EQ(notes_with(v1, "for \"sourdough\""), 0u);

  v2.send(command("search", {"nowhere"}));
  ASSERT_TRUE(v2.run_until_count<msg::SearchResults>(2));
  EXPECT_TRUE(v2.all<msg::SearchResults>().back().entries.empty());

  ASSERT_TRUE(run_command(v1, command("search", {"sourdough"}), "1 match for \"sourdough\""));
  EXPECT_NE(last_note(v1).find("«sourdough»"), std::string::npos) << last_note(v1);
  EXPECT_EQ(v1.count<msg::SearchResults>(), 0u);
}

TEST(HistorySearch, AJumpOpensTheConversationOnTheBranchThatHoldsTheMessageAndNamesItAsTheFocus) {
  TwoVersions f;
  auto& v2 = f.v2;
  auto& v1 = f.v1;
  ask_and_retry(v2, "alpha question");  // the first answer is now on the branch not shown
  const auto retried = stored(f.io, f.history);
  ASSERT_EQ(retried.messages.size(), 2u);
  const std::string second_answer = retried.messages[1].id;  // the store's ids, which /search gives
  const std::string first_answer = retried.messages[1].prev_sibling;
  ASSERT_FALSE(first_answer.empty());
  const auto alpha = retried.summary.id;
  start_new(v2);
  ask(v2, "beta question");

  v2.send(command("search", {"remembered"}));
  ASSERT_TRUE(v2.run_until_count<msg::SearchResults>(1));
  const auto found = v2.all<msg::SearchResults>().back().entries;
  ASSERT_EQ(found.size(), 2u);  // both versions of the answer, newest first
  EXPECT_EQ(found[0].message_id, second_answer);
  EXPECT_EQ(found[1].message_id, first_answer);
  EXPECT_EQ(found[1].conversation_id, alpha);
  EXPECT_EQ(found[1].role, protocol::MessageRole::Assistant);

  // What the picker's Enter sends.
  const auto snapshots = v2.count<msg::StateSnapshot>();
  ASSERT_TRUE(run_command(v2, command("open", {alpha, first_answer}), "Opened \"alpha question\""));
  ASSERT_GT(v2.count<msg::StateSnapshot>(), snapshots);
  const auto snapshot = v2.all<msg::StateSnapshot>().back();
  EXPECT_EQ(snapshot.focus, protocol::Extension<protocol::MessageId>(first_answer));
  ASSERT_EQ(snapshot.conversation_history.size(), 2u);
  EXPECT_EQ(snapshot.conversation_history[0].content, "alpha question");
  EXPECT_EQ(snapshot.conversation_history[1].id, first_answer);
  EXPECT_EQ(snapshot.conversation_history[1].branch,
            protocol::Extension<protocol::BranchPosition>(protocol::BranchPosition{1, 2}));
  ASSERT_TRUE(v1.run_until_count<msg::StateSnapshot>(v2.count<msg::StateSnapshot>()));
  EXPECT_FALSE(v1.all<msg::StateSnapshot>().back().focus.has_value());  // version 1: its bytes as before

  // The session is on that branch: the next turn follows the first answer.
  ask(v2, "and then?");
  const auto c = stored(f.io, f.history);
  EXPECT_EQ(c.summary.id, alpha);
  ASSERT_EQ(c.messages.size(), 4u);
  EXPECT_EQ(c.messages[1].id, first_answer);
  EXPECT_EQ(c.messages[2].content, "and then?");

  // A jump within the conversation it is in goes to the other branch, without "you are in it".
  ASSERT_TRUE(run_command(v2, command("open", {alpha, second_answer}), "Opened \"alpha question\""));
  const auto back = v2.all<msg::StateSnapshot>().back();
  EXPECT_EQ(back.focus, protocol::Extension<protocol::MessageId>(second_answer));
  ASSERT_EQ(back.conversation_history.size(), 2u);
  EXPECT_EQ(back.conversation_history[1].id, second_answer);
}

TEST(HistorySearch, AJumpToAMessageTheConversationDoesNotHoldChangesNothing) {
  Joined f;
  auto& s = f.s;
  ask(s, "alpha question");
  const auto id = stored(f.io, f.history).summary.id;
  start_new(s);
  const auto snapshots = s.count<msg::StateSnapshot>();
  s.send(command("open", {id, "no-such-message"}));
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return notified(r, "no message no-such-message"); }));
  EXPECT_EQ(s.count<msg::StateSnapshot>(), snapshots);
}

}  // namespace
}  // namespace yollayah::test
