// The history's chat commands (/history, /open, /search, /title, /export, /delete, /new, /retry)
// through a real session, its store and ollama-sim: what the surfaces see, what the store holds,
// and what context the model gets after switching; version-2 surfaces get /history and /search as
// data (HistoryList, SearchResults) and a jump to a message opens its branch.
#include "conductor/history_service.hpp"
#include "integration/harness.hpp"
#include "integration/history_support.hpp"
#include "support/sim_process.hpp"

#include <fstream>
#include <ranges>
#include <sstream>

namespace yollayah::test {
namespace {

// "alpha question" anywhere in the context makes the sim answer "Remembered alpha"; anything else
// gets "Plain answer".
std::vector<std::string> sim_args() {
  return {"--script", write_temp_file("Plain\n answer\n"), "--route",
          "alpha question=" + write_temp_file("Remembered\n alpha\n")};
}

ev::UserCommand command(std::string name, std::vector<std::string> args = {}) {
  return ev::UserCommand{"evt_cmd", std::move(name), std::move(args)};
}

std::size_t notes_with(const RecordingSurface& s, std::string_view needle) {
  std::size_t n = 0;
  for (const auto& m : s.all<msg::Message>())
    if (m.role == protocol::MessageRole::System && m.content.find(needle) != std::string::npos) ++n;
  return n;
}

std::string last_note(const RecordingSurface& s) {
  for (const auto& m : s.all<msg::Message>() | std::views::reverse)
    if (m.role == protocol::MessageRole::System) return m.content;
  return {};
}

bool notified(const RecordingSurface& s, std::string_view needle) {
  for (const auto& n : s.all<msg::Notify>())
    if (n.message.find(needle) != std::string::npos) return true;
  return false;
}

// Sends `text` and waits for its answer; returns the answer's text.
std::string ask(RecordingSurface& s, std::string text) {
  const auto before = s.count<msg::StreamEnd>();
  s.send(ev::UserMessage{"evt_msg", std::move(text)});
  EXPECT_TRUE(s.run_until_count<msg::StreamEnd>(before + 1));
  const auto ends = s.all<msg::StreamEnd>();
  return ends.empty() ? std::string() : ends.back().final_content;
}

// Sends a command and waits for one more system note containing `needle`.
bool run_command(RecordingSurface& s, ev::UserCommand c, std::string_view needle) {
  const auto before = notes_with(s, needle);
  s.send(std::move(c));
  return s.run_until([&](const RecordingSurface& r) { return notes_with(r, needle) > before; });
}

// /new, and its answer.
void start_new(RecordingSurface& s) {
  s.send(command("new"));
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return notified(r, "New conversation"); }));
}

// Asks `text`, then /retry, and waits for the second answer: two versions of one answer.
void ask_and_retry(RecordingSurface& s, const std::string& text) {
  ask(s, text);
  const auto ends = s.count<msg::StreamEnd>();
  s.send(command("retry"));
  ASSERT_TRUE(s.run_until_count<msg::StreamEnd>(ends + 1));
}

struct Fixture {
  explicit Fixture(std::vector<std::string> args = sim_args())
      : sim(std::move(args)), history(io.get_executor(), dir.file("history.db")), cut(io, sim.url()) {
    cut.conductor.set_history(&history, "test");
  }
  std::vector<store::ConversationSummary> list() {
    EXPECT_TRUE(await(io, history.store().flush()).has_value());
    auto l = await(io, history.store().list_conversations(50));
    return l ? *l : std::vector<store::ConversationSummary>{};
  }

  SimProcess sim;
  TempDir dir;
  asio::io_context io;
  conductor::HistoryService history;
  ConductorUnderTest cut;  // after the history: destroyed first
};

TEST(HistoryCommands, HistoryListsConversationsAndOpenSwitchesTheSessionAndTheModelsContext) {
  Fixture f;
  RecordingSurface s(f.io, f.cut.conductor);
  ASSERT_TRUE(s.join(1));  // /history as a note (a version-2 surface gets HistoryList)
  EXPECT_EQ(ask(s, "alpha question"), "Remembered alpha");
  start_new(s);
  EXPECT_EQ(ask(s, "beta question"), "Plain answer");  // the new conversation does not carry alpha

  ASSERT_TRUE(run_command(s, command("history"), "Recent conversations"));
  const std::string list = last_note(s);
  const auto beta = list.find("1. beta question");
  const auto alpha = list.find("2. alpha question");
  EXPECT_NE(beta, std::string::npos) << list;
  EXPECT_NE(alpha, std::string::npos) << list;
  EXPECT_NE(list.find("2 messages"), std::string::npos) << list;
  EXPECT_NE(list.find("open now"), std::string::npos) << list;

  const auto snapshots = s.count<msg::StateSnapshot>();
  ASSERT_TRUE(run_command(s, command("open", {"2"}), "Opened \"alpha question\""));
  ASSERT_GT(s.count<msg::StateSnapshot>(), snapshots);
  const auto shown = s.all<msg::StateSnapshot>().back().conversation_history;
  ASSERT_EQ(shown.size(), 2u);
  EXPECT_EQ(shown[0].content, "alpha question");
  EXPECT_EQ(shown[1].content, "Remembered alpha");

  // The context is the opened conversation, and the new turn is stored in it.
  EXPECT_EQ(ask(s, "and then?"), "Remembered alpha");
  const auto all = f.list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].title, "alpha question");
  EXPECT_EQ(all[0].message_count, 4u);
  EXPECT_EQ(all[1].message_count, 2u);
}

TEST(HistoryCommands, OpenTakesAnIdAndSaysWhenThereIsNoSuchConversation) {
  Fixture f;
  RecordingSurface s(f.io, f.cut.conductor);
  ASSERT_TRUE(s.join());
  ask(s, "alpha question");
  const auto id = f.list().at(0).id;
  start_new(s);
  ASSERT_TRUE(run_command(s, command("open", {id.substr(0, 30)}), "Opened \"alpha question\""));
  s.send(command("open", {"7"}));
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return notified(r, "no number 7"); }));
  s.send(command("open", {"ffffffff-nope"}));
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return notified(r, "no conversation ffffffff-nope"); }));
}

TEST(HistoryCommands, SearchShowsMatchesWithContextAndTheIdToOpen) {
  Fixture f;
  RecordingSurface s(f.io, f.cut.conductor);
  ASSERT_TRUE(s.join(1));  // /search as a note (a version-2 surface gets SearchResults)
  ask(s, "alpha question about sourdough starters");
  const auto id = f.list().at(0).id;
  ASSERT_TRUE(run_command(s, command("search", {"sourdough"}), "for \"sourdough\""));
  const std::string note = last_note(s);
  EXPECT_NE(note.find("1 match"), std::string::npos) << note;
  EXPECT_NE(note.find("«sourdough»"), std::string::npos) << note;
  EXPECT_NE(note.find("/open " + id), std::string::npos) << note;
  ASSERT_TRUE(run_command(s, command("search", {"nowhere"}), "No message matches \"nowhere\""));
}

TEST(HistoryCommands, TitleNamesTheConversationEvenBeforeItsFirstMessage) {
  Fixture f;
  RecordingSurface s(f.io, f.cut.conductor);
  ASSERT_TRUE(s.join());
  ASSERT_TRUE(run_command(s, command("title", {"Bread", "notes"}), "Title set: \"Bread notes\""));
  ask(s, "alpha question");
  EXPECT_EQ(f.list().at(0).title, "Bread notes");
  ASSERT_TRUE(run_command(s, command("title", {"Renamed"}), "Title set: \"Renamed\""));
  EXPECT_EQ(f.list().at(0).title, "Renamed");
}

TEST(HistoryCommands, ExportWritesMarkdownWithEachAnswersMetaLineAndSaysWhere) {
  Fixture f;
  RecordingSurface s(f.io, f.cut.conductor);
  ASSERT_TRUE(s.join());
  ask(s, "alpha question");
  const std::string path = f.dir.file("out/chat.md");
  ASSERT_TRUE(run_command(s, command("export", {path}), "Exported this conversation"));
  EXPECT_NE(last_note(s).find("to " + path + " ("), std::string::npos) << last_note(s);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("alpha question"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("Remembered alpha"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("*sim"), std::string::npos) << text.str();  // the meta line, in italics

  // Without a file it goes to the data directory, and says so.
  ::setenv("XDG_DATA_HOME", f.dir.file("data").c_str(), 1);
  ASSERT_TRUE(run_command(s, command("export"), "Exported this conversation"));
  const std::string note = last_note(s);
  EXPECT_NE(note.find(f.dir.file("data")), std::string::npos) << note;
  ::unsetenv("XDG_DATA_HOME");
}

TEST(HistoryCommands, DeleteAsksFirstAndDeletesOnlyWhatItAskedAbout) {
  Fixture f;
  RecordingSurface s(f.io, f.cut.conductor);
  ASSERT_TRUE(s.join(1));  // /history as a note (a version-2 surface gets HistoryList)
  ask(s, "alpha question");
  start_new(s);
  ask(s, "beta question");
  ASSERT_TRUE(run_command(s, command("history"), "Recent conversations"));

  ASSERT_TRUE(run_command(s, command("delete", {"2"}), "Delete \"alpha question\""));
  EXPECT_NE(last_note(s).find("/delete 2 confirm"), std::string::npos) << last_note(s);
  EXPECT_EQ(f.list().size(), 2u);  // asking deletes nothing

  // A confirm for another one than asked about asks again.
  ASSERT_TRUE(run_command(s, command("delete", {"1", "confirm"}), "Nothing deleted yet"));
  EXPECT_NE(last_note(s).find("conversation you are in"), std::string::npos) << last_note(s);
  EXPECT_EQ(f.list().size(), 2u);

  ASSERT_TRUE(run_command(s, command("delete", {"2"}), "Delete \"alpha question\""));
  ASSERT_TRUE(run_command(s, command("delete", {"2", "confirm"}), "Deleted it."));
  auto left = f.list();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].title, "beta question");

  // The one in use: a new conversation takes its place.
  ASSERT_TRUE(run_command(s, command("delete", {"1"}), "conversation you are in"));
  ASSERT_TRUE(run_command(s, command("delete", {"1", "confirm"}), "Deleted the conversation you were in"));
  EXPECT_TRUE(f.list().empty());
  EXPECT_EQ(ask(s, "gamma question"), "Plain answer");
  left = f.list();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].title, "gamma question");
}

TEST(HistoryCommands, RetryAnswersAgainAsANewBranchAndKeepsTheOldOne) {
  Fixture f;
  RecordingSurface s(f.io, f.cut.conductor);
  ASSERT_TRUE(s.join());
  ask_and_retry(s, "alpha question");
  // The surfaces show one answer: the new one.
  const auto shown = s.all<msg::StateSnapshot>().back().conversation_history;
  ASSERT_EQ(shown.size(), 1u);
  EXPECT_EQ(shown[0].content, "alpha question");

  ASSERT_TRUE(await(f.io, f.history.store().flush()).has_value());
  const auto c = stored(f.io, f.history);
  ASSERT_EQ(c.messages.size(), 2u);
  EXPECT_EQ(c.messages[1].content, "Remembered alpha");
  EXPECT_EQ(c.messages[1].sibling_index, 2u);
  EXPECT_EQ(c.messages[1].sibling_count, 2u);
  EXPECT_EQ(c.summary.message_count, 3u);
}

TEST(HistoryCommands, BranchSwitchesBetweenTheVersionsOfTheLastAnswerAndTheNextTurnFollowsTheOneShown) {
  Fixture f;
  RecordingSurface s(f.io, f.cut.conductor);
  ASSERT_TRUE(s.join());
  ask_and_retry(s, "alpha question");
  s.send(command("branch", {"next"}));
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return notified(r, "This is answer 2/2: there is no later version."); }));

  ASSERT_TRUE(run_command(s, command("branch", {"prev"}), "Answer 1/2"));
  const auto shown = s.all<msg::StateSnapshot>().back().conversation_history;
  ASSERT_EQ(shown.size(), 2u);
  EXPECT_EQ(shown[1].role, protocol::MessageRole::Assistant);
  ASSERT_TRUE(run_command(s, command("branch", {"next"}), "Answer 2/2"));
  ASSERT_TRUE(run_command(s, command("branch", {"prev"}), "Answer 1/2"));

  ask(s, "and then?");
  const auto c = stored(f.io, f.history);
  ASSERT_EQ(c.messages.size(), 4u);
  EXPECT_EQ(c.messages[1].sibling_index, 1u);  // the turn went on from the first version
  EXPECT_EQ(c.messages[1].sibling_count, 2u);
  EXPECT_EQ(c.messages[2].content, "and then?");
}

TEST(HistoryCommands, OpenAndNewWaitUntilTheAnswerIsFinished) {
  Fixture f({"--seed", "5", "--tokens", "200", "--tokens-per-sec", "50"});
  RecordingSurface s(f.io, f.cut.conductor);
  ASSERT_TRUE(s.join());
  s.send(ev::UserMessage{"evt_msg", "tell me a long story"});
  ASSERT_TRUE(s.run_until_count<msg::Token>(3));
  s.send(command("new"));
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return notified(r, "/new waits until the answer is finished"); }));
  s.send(command("open", {"1"}));
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return notified(r, "/open waits until the answer is finished"); }));
  s.send(ev::CancelResponse{"evt_cancel"});
  ASSERT_TRUE(s.run_until_count<msg::StreamEnd>(1));
}

TEST(HistoryCommands, WithHistoryOffEachCommandSaysSoAndSessionInfoTellsVersion2Surfaces) {
  SimProcess sim(sim_args());
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());  // no set_history: history is off
  RecordingSurface v2(io, cut.conductor);
  ASSERT_TRUE(v2.join(2));
  RecordingSurface v1(io, cut.conductor);
  ASSERT_TRUE(v1.join(1));
  ASSERT_FALSE(v2.all<msg::SessionInfo>().empty());
  EXPECT_EQ(v2.all<msg::SessionInfo>().back().history, protocol::Extension<bool>(false));
  ASSERT_FALSE(v1.all<msg::SessionInfo>().empty());
  EXPECT_FALSE(v1.all<msg::SessionInfo>().back().history.has_value());  // version 1 keeps its bytes

  for (const char* name : {"history", "open", "search", "title", "export", "delete"}) {
    ASSERT_TRUE(run_command(v2, command(name, {"1"}), std::string("History is off, so /") + name)) << name;
    EXPECT_NE(last_note(v2).find("--no-history"), std::string::npos);
  }
  // /new and /retry need no store.
  EXPECT_EQ(ask(v2, "alpha question"), "Remembered alpha");
  const auto ends = v2.count<msg::StreamEnd>();
  v2.send(command("retry"));
  ASSERT_TRUE(v2.run_until_count<msg::StreamEnd>(ends + 1));
  EXPECT_EQ(v2.all<msg::StreamEnd>().back().final_content, "Remembered alpha");
}

TEST(HistoryCommands, WithHistoryOnSessionInfoCarriesNoHistoryField) {
  Fixture f;
  RecordingSurface s(f.io, f.cut.conductor);
  ASSERT_TRUE(s.join());
  ASSERT_FALSE(s.all<msg::SessionInfo>().empty());
  EXPECT_FALSE(s.all<msg::SessionInfo>().back().history.has_value());
}

// ---- branches: "2/3", edited questions, the picker's list ------------------------------------

// A store, a session and a version-2 surface that has joined.
struct Joined : Fixture {
  Joined() { EXPECT_TRUE(s.join()); }
  RecordingSurface s{io, cut.conductor};
};

// The same with a version-1 surface beside it.
struct TwoVersions : Fixture {
  TwoVersions() {
    EXPECT_TRUE(v2.join(2));
    EXPECT_TRUE(v1.join(1));
  }
  RecordingSurface v2{io, cut.conductor};
  RecordingSurface v1{io, cut.conductor};
};

// The id the session gave the last user message (what a surface edits).
std::string last_user_id(const RecordingSurface& s) {
  for (const auto& m : s.all<msg::Message>() | std::views::reverse)
    if (m.role == protocol::MessageRole::User) return m.id;
  return {};
}

// Sends `text` as an edit of the last user message and waits for its answer.
std::string edit_last(RecordingSurface& s, std::string text) {
  ev::UserMessage m{"evt_edit", std::move(text)};
  m.edits = last_user_id(s);
  const auto before = s.count<msg::StreamEnd>();
  s.send(std::move(m));
  EXPECT_TRUE(s.run_until_count<msg::StreamEnd>(before + 1));
  const auto ends = s.all<msg::StreamEnd>();
  return ends.empty() ? std::string() : ends.back().final_content;
}

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

TEST(HistoryBranches, BranchGoesBackToTheQuestionBeforeTheEditAndTheNextTurnFollowsIt) {
  Joined f;
  auto& s = f.s;
  ask(s, "alpha question");
  edit_last(s, "beta question");
  ASSERT_TRUE(run_command(s, command("branch", {"prev"}), "Question 1/2"));
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

// The id of the last answer the surface saw end.
std::string last_answer_id(const RecordingSurface& s) {
  const auto ends = s.all<msg::StreamEnd>();
  return ends.empty() ? std::string() : ends.back().message_id;
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
