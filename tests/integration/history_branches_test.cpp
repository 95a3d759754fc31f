// Branches through a real session, its store and ollama-sim: /retry and edited questions as
// versions ("2/3" for version-2 surfaces), /branch and message ids, the picker's list.
#include "integration/history_commands_support.hpp"

#include <fstream>
#include <sstream>

namespace yollayah::test {
namespace {

using namespace history_commands;

TEST(HistoryBranches, ARetriedAnswerCarriesItsPositionToVersion2SurfacesOnly) {
  TwoVersions f;
  auto& v2 = f.v2;
  auto& v1 = f.v1;
  ask(v2, "alpha question");
  EXPECT_FALSE(v2.all<msg::StreamEnd>().back().metadata.branch.has_value());  // the only version
  ask_and_retry(v2, "again");  // a second exchange, retried: its answer is 2/2
  ASSERT_TRUE(v1.run_until_count<msg::StreamEnd>(v2.count<msg::StreamEnd>()));
  EXPECT_EQ(v2.all<msg::StreamEnd>().back().metadata.branch, protocol::Extension<protocol::BranchPosition>(protocol::BranchPosition{2, 2}));
  EXPECT_FALSE(v1.all<msg::StreamEnd>().back().metadata.branch.has_value());

  const auto ends = v2.count<msg::StreamEnd>();
  v2.send(command("retry"));
  ASSERT_TRUE(v2.run_until_count<msg::StreamEnd>(ends + 1));
  EXPECT_EQ(v2.all<msg::StreamEnd>().back().metadata.branch, protocol::Extension<protocol::BranchPosition>(protocol::BranchPosition{3, 3}));
}

TEST(HistoryBranches, ASwitchedBranchShowsEachAnswersPositionAndMetaLineInTheSnapshot) {
  TwoVersions f;
  auto& v2 = f.v2;
  auto& v1 = f.v1;
  ask_and_retry(v2, "alpha question");
  ASSERT_TRUE(run_command(v2, command("branch", {"prev"}), "Answer 1/2"));
  const auto shown = v2.all<msg::StateSnapshot>().back().conversation_history;
  ASSERT_EQ(shown.size(), 2u);
  EXPECT_FALSE(shown[0].branch.has_value());  // one question
  EXPECT_EQ(shown[1].branch, protocol::Extension<protocol::BranchPosition>(protocol::BranchPosition{1, 2}));
  ASSERT_TRUE(shown[1].metadata.has_value());
  EXPECT_TRUE(shown[1].metadata->model_id.has_value());

  ASSERT_TRUE(v1.run_until_count<msg::StateSnapshot>(v2.count<msg::StateSnapshot>()));
  const auto old = v1.all<msg::StateSnapshot>().back().conversation_history;
  ASSERT_EQ(old.size(), 2u);
  EXPECT_FALSE(old[1].branch.has_value());  // version 1: its bytes as before
  EXPECT_FALSE(old[1].metadata.has_value());
}

TEST(HistoryBranches, AnEditedQuestionIsASiblingOfTheOldOneAndTheModelGetsOnlyTheBranchShown) {
  Joined f;
  auto& s = f.s;
  EXPECT_EQ(ask(s, "hello"), "Plain answer");
  EXPECT_EQ(ask(s, "alpha question"), "Remembered alpha");
  // Without the old exchange in the context, the sim has no alpha to remember.
  EXPECT_EQ(edit_last(s, "beta question"), "Plain answer");

  const auto shown = s.all<msg::StateSnapshot>().back().conversation_history;
  ASSERT_GE(shown.size(), 3u);
  EXPECT_EQ(shown.back().content, "beta question");
  EXPECT_EQ(shown.back().branch, protocol::Extension<protocol::BranchPosition>(protocol::BranchPosition{2, 2}));

  const auto c = stored(f.io, f.history);
  ASSERT_EQ(c.messages.size(), 4u);
  EXPECT_EQ(c.messages[2].content, "beta question");
  EXPECT_EQ(c.messages[2].sibling_index, 2u);
  EXPECT_EQ(c.messages[2].sibling_count, 2u);
  EXPECT_EQ(c.messages[3].content, "Plain answer");
  ASSERT_FALSE(c.messages[2].prev_sibling.empty());
  auto old = await(f.io, f.history.store().load_conversation(c.summary.id, c.messages[2].prev_sibling));
  ASSERT_TRUE(old.has_value());
  ASSERT_EQ(old->messages.size(), 4u);
  EXPECT_EQ(old->messages[2].content, "alpha question");
  EXPECT_EQ(old->messages[2].parent, c.messages[2].parent);  // the same parent: the first answer
  EXPECT_EQ(old->messages[3].content, "Remembered alpha");
  EXPECT_EQ(c.summary.message_count, 6u);
}

// "alpha question", edited into "beta question", then /branch prev: the alpha branch is shown.
void back_to_the_question_before_an_edit(RecordingSurface& s) {
  ask(s, "alpha question");
  edit_last(s, "beta question");
  ASSERT_TRUE(run_command(s, command("branch", {"prev"}), "Question 1/2"));
}

TEST(HistoryBranches, BranchGoesBackToTheQuestionBeforeTheEditAndTheNextTurnFollowsIt) {
  Joined f;
  auto& s = f.s;
  ASSERT_NO_FATAL_FAILURE(back_to_the_question_before_an_edit(s));
  const auto shown = s.all<msg::StateSnapshot>().back().conversation_history;
  ASSERT_EQ(shown.size(), 2u);
  EXPECT_EQ(shown[0].content, "alpha question");
  EXPECT_EQ(shown[1].content, "Remembered alpha");
  ASSERT_TRUE(run_command(s, command("branch", {"next"}), "Question 2/2"));
  EXPECT_EQ(s.all<msg::StateSnapshot>().back().conversation_history[0].content, "beta question");
  ASSERT_TRUE(run_command(s, command("branch", {"prev"}), "Question 1/2"));
  EXPECT_EQ(ask(s, "and then?"), "Remembered alpha");  // the context is the old branch again
  const auto c = stored(f.io, f.history);
  ASSERT_EQ(c.messages.size(), 4u);
  EXPECT_EQ(c.messages[0].content, "alpha question");
  EXPECT_EQ(c.messages[2].content, "and then?");
}

TEST(HistoryBranches, ExportAfterASwitchWritesTheBranchShownNotTheNewest) {
  Joined f;
  auto& s = f.s;
  ASSERT_NO_FATAL_FAILURE(back_to_the_question_before_an_edit(s));
  const std::string path = f.dir.file("shown.md");
  ASSERT_TRUE(run_command(s, command("export", {path}), "Exported this conversation"));
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("alpha question"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("Remembered alpha"), std::string::npos) << text.str();
  EXPECT_EQ(text.str().find("beta question"), std::string::npos) << text.str();
}

TEST(HistoryBranches, BranchWithAnIdSwitchesAnOlderAnswerAfterFurtherTurnsAndBackWithWhatFollowedIt) {
  Joined f;
  auto& s = f.s;
  ask_and_retry(s, "alpha question");
  const std::string retried = last_answer_id(s);  // the session's id: said in this process
  ask(s, "second");
  ask(s, "third");
  ASSERT_TRUE(run_command(s, command("branch", {"prev", retried}), "Answer 1/2"));
  const auto snapshot = s.all<msg::StateSnapshot>().back();
  const auto& shown = snapshot.conversation_history;
  ASSERT_EQ(shown.size(), 2u);  // the first version had no turn after it
  EXPECT_EQ(shown[1].branch, protocol::Extension<protocol::BranchPosition>(protocol::BranchPosition{1, 2}));
  EXPECT_EQ(snapshot.focus, protocol::Extension<protocol::MessageId>(shown[1].id));

  // Now a stored id: the second version comes back with the turns that followed it.
  ASSERT_TRUE(run_command(s, command("branch", {"next", shown[1].id}), "Answer 2/2"));
  const auto again = s.all<msg::StateSnapshot>().back().conversation_history;
  ASSERT_EQ(again.size(), 6u);
  EXPECT_EQ(again[2].content, "second");
  EXPECT_EQ(again[4].content, "third");
  ASSERT_TRUE(run_command(s, command("branch", {"prev", again[1].id}), "Answer 1/2"));
  ask(s, "and then?");
  const auto c = stored(f.io, f.history);
  ASSERT_EQ(c.messages.size(), 4u);
  EXPECT_EQ(c.messages[1].sibling_index, 1u);  // the turn went on from the first version
  EXPECT_EQ(c.messages[2].content, "and then?");
}

TEST(HistoryBranches, BranchWithTheIdOfAnAnswerOfOneVersionSwitchesItsEditedQuestion) {
  Joined f;
  auto& s = f.s;
  ask(s, "alpha question");
  edit_last(s, "beta question");
  const std::string answer = last_answer_id(s);
  ask(s, "more");
  ASSERT_TRUE(run_command(s, command("branch", {"prev", answer}), "Question 1/2"));
  const auto shown = s.all<msg::StateSnapshot>().back().conversation_history;
  ASSERT_EQ(shown.size(), 2u);
  EXPECT_EQ(shown[0].content, "alpha question");
}

TEST(HistoryBranches, BranchWithoutAnIdSwitchesTheNewestMessageWithVersionsEvenBeforeTheLastTurn) {
  Joined f;
  auto& s = f.s;
  ask_and_retry(s, "alpha question");
  ask(s, "second");  // the last exchange has one version
  ASSERT_TRUE(run_command(s, command("branch", {"prev"}), "Answer 1/2"));
  const auto shown = s.all<msg::StateSnapshot>().back().conversation_history;
  ASSERT_EQ(shown.size(), 2u);
  EXPECT_EQ(shown[1].branch, protocol::Extension<protocol::BranchPosition>(protocol::BranchPosition{1, 2}));
  ASSERT_TRUE(run_command(s, command("branch", {"next"}), "Answer 2/2"));
  EXPECT_EQ(s.all<msg::StateSnapshot>().back().conversation_history.size(), 4u);
}

TEST(HistoryBranches, BranchWithAnIdNotInTheConversationSaysWhatToDoAndChangesNothing) {
  Joined f;
  auto& s = f.s;
  ask_and_retry(s, "alpha question");
  const auto snapshots = s.count<msg::StateSnapshot>();
  s.send(command("branch", {"prev", "msg_404"}));
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return notified(r, "There is no message msg_404"); }));
  EXPECT_EQ(s.count<msg::StateSnapshot>(), snapshots);
  ask(s, "and then?");  // still on the second version
  EXPECT_EQ(stored(f.io, f.history).messages[1].sibling_index, 2u);
}

TEST(HistoryBranches, OnlyTheLastQuestionCanBeEditedAndAStaleEditAddsNothing) {
  Joined f;
  auto& s = f.s;
  ask(s, "alpha question");
  const std::string first = last_user_id(s);
  ask(s, "second");
  ev::UserMessage stale{"evt_edit", "no"};
  stale.edits = first;
  s.send(std::move(stale));
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return notified(r, "Only your last message can be edited"); }));
  EXPECT_EQ(stored(f.io, f.history).summary.message_count, 4u);  // nothing was added
}

TEST(HistoryBranches, HistoryGivesAVersion2SurfaceTheListAsDataAndAVersion1SurfaceTheNote) {
  TwoVersions f;
  auto& v2 = f.v2;
  auto& v1 = f.v1;
  ask(v2, "alpha question");
  start_new(v2);
  ask(v2, "beta question");

  v2.send(command("history"));
  ASSERT_TRUE(v2.run_until_count<msg::HistoryList>(1));
  const auto list = v2.all<msg::HistoryList>().back().entries;
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].title, "beta question");
  EXPECT_TRUE(list[0].current);
  EXPECT_EQ(list[0].message_count, 2u);
  EXPECT_EQ(list[1].first_line, "alpha question");
  EXPECT_FALSE(list[1].current);
  EXPECT_EQ(notes_with(v2, "Recent conversations"), 0u);  // no note for anyone
  EXPECT_EQ(notes_with(v1, "Recent conversations"), 0u);

  ASSERT_TRUE(run_command(v1, command("history"), "Recent conversations"));
  EXPECT_EQ(v1.count<msg::HistoryList>(), 0u);
}

TEST(HistoryBranches, APickersDeleteOfAWholeIdNeedsNoSecondQuestionButANumberStillDoes) {
  Joined f;
  auto& s = f.s;
  ask(s, "alpha question");
  start_new(s);
  ask(s, "beta question");
  auto all = f.list();
  ASSERT_EQ(all.size(), 2u);
  ASSERT_TRUE(run_command(s, command("delete", {all[1].id, "asked"}), "Deleted it."));
  EXPECT_EQ(f.list().size(), 1u);
  ASSERT_TRUE(run_command(s, command("delete", {"1", "asked"}), "Type /delete 1 confirm"));
  EXPECT_EQ(f.list().size(), 1u);
}

}  // namespace
}  // namespace yollayah::test
