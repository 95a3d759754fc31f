// Conversations that last (issue 11), end to end with the real binaries against ollama-sim: what
// `yollayah ask` and conductord write to the history database (looked at with the sqlite3 CLI),
// `ask --continue` sending the earlier conversation as context, private mode leaving no file, a
// conductord restart keeping its conversation (kill -9 in the middle of answers: history_kill_test).
// Each test has its own XDG_DATA_HOME. Blocking waits are fine: the test thread, not an event loop.
#include "transport/auth_token.hpp"
#include "transport/history_world.hpp"
#include "transport/socket_fixture.hpp"

#include <signal.h>

#include <fstream>

namespace yollayah::test {
namespace {

const char* kMessages =
    "SELECT role || '|' || content || '|' || streaming || '|' || interrupted FROM messages ORDER BY created_ms, rowid";

TEST(HistoryPersist, AskKeepsTheQuestionAndTheTimedAnswerOnDisk) {
  SimProcess sim({"--script", write_temp_file(script({"Kept", " on", " disk"}))});
  World w;
  const Ran r = w.ask(sim.url(), {}, "a question to keep");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "Kept on disk\n");

  EXPECT_EQ(w.sql("SELECT surface || '|' || title || '|' || model FROM conversations"),
            "headless|a question to keep|yollayah");
  EXPECT_EQ(w.sql(kMessages), "user|a question to keep|0|0\nassistant|Kept on disk|0|0");
  // The answer's meta line: which server, how many tokens, how long.
  EXPECT_EQ(w.sql("SELECT token_count || '|' || (backend = '" + sim.url() + "') || '|' || (elapsed_ms IS NOT NULL) || "
                  "'|' || (first_token_ms IS NOT NULL) || '|' || cancelled FROM messages WHERE role = 'assistant'"),
            "3|1|1|1|0");
  // The answer follows the question.
  EXPECT_EQ(w.sql("SELECT count(*) FROM messages a JOIN messages q ON a.parent = q.rowid "
                  "WHERE a.role = 'assistant' AND q.role = 'user'"),
            "1");
  EXPECT_EQ(w.sql("PRAGMA integrity_check"), "ok");
}

TEST(HistoryPersist, AskContinueSendsTheEarlierConversationAsContext) {
  // The sim answers with the route's script only when a message of the request holds "zebra42".
  SimProcess sim({"--script", write_temp_file(script({"Plain", " answer"})), "--route",
                  "zebra42=" + write_temp_file(script({"The", " zebra", " remembered"}))});
  World w;
  Ran first = w.ask(sim.url(), {}, "remember zebra42");
  ASSERT_EQ(first.status, 0) << first.err;
  EXPECT_EQ(first.out, "The zebra remembered\n");

  // Without the earlier conversation the model cannot know the word.
  Ran fresh = w.ask(sim.url(), {"--no-history"}, "what was the word?");
  ASSERT_EQ(fresh.status, 0) << fresh.err;
  EXPECT_EQ(fresh.out, "Plain answer\n");

  Ran continued = w.ask(sim.url(), {"--continue"}, "what was the word?");
  ASSERT_EQ(continued.status, 0) << continued.err;
  EXPECT_EQ(continued.out, "The zebra remembered\n");

  // One conversation, four messages, each following the one before.
  EXPECT_EQ(w.sql("SELECT count(*) FROM conversations"), "1");
  EXPECT_EQ(w.sql(kMessages),
            "user|remember zebra42|0|0\nassistant|The zebra remembered|0|0\n"
            "user|what was the word?|0|0\nassistant|The zebra remembered|0|0");
  EXPECT_EQ(w.sql("SELECT count(*) FROM messages m JOIN messages p ON m.parent = p.rowid "
                  "WHERE p.rowid = (SELECT max(rowid) FROM messages x WHERE x.rowid < m.rowid)"),
            "3");

  // -c is the short form.
  Ran again = w.ask(sim.url(), {"-c"}, "and now?");
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(again.out, "The zebra remembered\n");
  EXPECT_EQ(w.sql("SELECT count(*) || '|' || count(DISTINCT conversation) FROM messages"), "6|1");
}

TEST(HistoryPersist, ContinueWithNothingEarlierStartsANewConversation) {
  SimProcess sim({"--script", write_temp_file(script({"Hello"}))});
  World w;
  Ran r = w.ask(sim.url(), {"--continue"}, "first ever");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "Hello\n");
  EXPECT_NE(r.err.find("no earlier conversation"), std::string::npos) << r.err;
  EXPECT_EQ(w.sql(kMessages), "user|first ever|0|0\nassistant|Hello|0|0");
}

TEST(HistoryPersist, PrivateModeKeepsNothingOnDisk) {
  SimProcess sim({"--script", write_temp_file(script({"Not", " kept"}))});
  {
    World w;
    Ran r = w.ask(sim.url(), {"--no-history"}, "secret one");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "Not kept\n");
    EXPECT_FALSE(w.db_exists());
  }
  {
    World w;
    Ran r = w.ask(sim.url(), {}, "secret two", {"YOLLAYAH_NO_HISTORY=1"});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "Not kept\n");
    EXPECT_FALSE(w.db_exists());
  }
  for (const char* toml : {"[conductor]\nhistory = false\n", "[history]\nenabled = false\n"}) {
    World w;
    std::filesystem::create_directories(w.dir.file("config/ai-way"));
    std::ofstream(w.dir.file("config/ai-way/conductor.toml")) << toml;
    Ran r = w.ask(sim.url(), {}, "secret three");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "Not kept\n");
    EXPECT_FALSE(w.db_exists()) << toml;
  }
  {
    World w;
    Ran r = w.ask(sim.url(), {"--no-history", "--continue"}, "which one?");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("--continue needs the history"), std::string::npos) << r.err;
    EXPECT_FALSE(w.db_exists());
  }
}

TEST(HistoryPersist, ConductordRestartKeepsItsConversationForASurfaceThatComesBack) {
  SimProcess sim({"--script", write_temp_file(script({"Plain", " answer"})), "--route",
                  "zebra42=" + write_temp_file(script({"The", " zebra", " remembered"}))});
  World w;
  const std::string socket_path = w.dir.file("conductor.sock");
  {
    auto daemon = daemon_in(w, socket_path, sim.url());
    ASSERT_TRUE(daemon.ready()) << daemon.log();
    Ran r = ask_connected(w, socket_path, "remember zebra42");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "The zebra remembered\n");
    ASSERT_EQ(::kill(daemon.pid(), SIGTERM), 0);
    ASSERT_EQ(daemon.wait_exit(10s), 0) << daemon.log();
  }
  auto daemon = daemon_in(w, socket_path, sim.url());
  ASSERT_TRUE(daemon.ready()) << daemon.log();
  EXPECT_NE(daemon.log().find("history: continuing conversation"), std::string::npos) << daemon.log();

  // A surface that joins the restarted daemon gets the conversation in its StateSnapshot.
  asio::io_context io;
  transport::UnixLink::Options with_token;
  with_token.auth_token = transport::read_token_file(transport::token_path_for(socket_path));
  SocketSurface surface(io, with_token);
  ASSERT_TRUE(surface.connect(io, socket_path));
  ASSERT_TRUE(surface.join(io, 2, protocol::SurfaceType::Kind::Headless));
  ASSERT_TRUE(run_until(io, [&] { return surface.count<msg::StateSnapshot>() >= 1; }));
  const auto history = surface.all<msg::StateSnapshot>().front().conversation_history;
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].content, "remember zebra42");
  EXPECT_EQ(history[1].content, "The zebra remembered");

  // And the model gets it as context: the route matches an earlier message.
  Ran r = ask_connected(w, socket_path, "what was the word?");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "The zebra remembered\n");
  EXPECT_EQ(w.sql_eventually("SELECT count(*) FROM messages WHERE streaming = 0", "4"), "4");
  EXPECT_EQ(w.sql("SELECT count(*) || '|' || min(surface) FROM conversations"), "1|daemon");
}

TEST(HistoryPersist, ConductordNoHistoryKeepsNothingOnDisk) {
  SimProcess sim({"--script", write_temp_file(script({"Not", " kept"}))});
  World w;
  const std::string socket_path = w.dir.file("conductor.sock");
  auto daemon = daemon_in(w, socket_path, sim.url(), {"--no-history"});
  ASSERT_TRUE(daemon.ready()) << daemon.log();
  Ran r = ask_connected(w, socket_path, "secret");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "Not kept\n");
  ASSERT_EQ(::kill(daemon.pid(), SIGTERM), 0);
  EXPECT_EQ(daemon.wait_exit(10s), 0);
  EXPECT_FALSE(w.db_exists());
}

}  // namespace
}  // namespace yollayah::test
