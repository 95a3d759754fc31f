// The history's chat commands (/history, /open, /search, /title, /export, /delete, /new, /retry)
// through a real session, its store and ollama-sim: what the surfaces see, what the store holds,
// and what context the model gets after switching.
#include "integration/history_commands_support.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace yollayah::test {
namespace {

using namespace history_commands;

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

TEST(HistoryCommands, ExportOverAnExistingFileSaysItReplacedItAndToADirectoryFailsClearly) {
  Joined f;
  auto& s = f.s;
  ask(s, "alpha question");
  const std::string path = f.dir.file("chat.md");
  ASSERT_TRUE(run_command(s, command("export", {path}), "Exported this conversation"));
  EXPECT_EQ(last_note(s).find("replaced"), std::string::npos) << last_note(s);
  ASSERT_TRUE(run_command(s, command("export", {path}), "Exported this conversation"));
  EXPECT_NE(last_note(s).find("it replaced the file that was there"), std::string::npos) << last_note(s);

  s.send(command("export", {f.dir.file("")}));
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return notified(r, "Is a directory"); }));
  EXPECT_TRUE(std::filesystem::is_directory(f.dir.file("")));
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

}  // namespace
}  // namespace yollayah::test
