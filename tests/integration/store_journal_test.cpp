// A Conductor writing its turns to the history store (issue 11) against ollama-sim: the agents'
// tasks with their output and the follow-up, a cancelled answer kept up to where it stopped, and a
// store that cannot write: one Notify, and the chat goes on.
#include "conductor/history_service.hpp"
#include "integration/harness.hpp"
#include "integration/history_support.hpp"
#include "support/sim_process.hpp"

#include <boost/asio/co_spawn.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace yollayah::test {
namespace {

std::string script(std::initializer_list<std::string> tokens) {
  std::string s;
  for (const auto& t : tokens) s += t + "\n";
  return s;
}

std::size_t stream_ends(const RecordingSurface& s) { return s.count<msg::StreamEnd>() + s.count<msg::StreamError>(); }

// A Conductor writing to a history in a temporary directory, and one surface that joined it. The
// Conductor and the surface stay alive while `io` runs the reads of a test: their coroutines are
// still on it, and running them after their objects were destroyed would be a use-after-free.
struct Journaled {
  explicit Journaled(const std::string& url)
      : history(io.get_executor(), dir.file("history.db")), cut(io, url), s(io, cut.conductor), joined(s.join()) {}
  TempDir dir;
  asio::io_context io;
  conductor::HistoryService history;
  ConductorUnderTest cut;
  bool history_set = (cut.conductor.set_history(&history, "test"), true);  // before the surface comes
  RecordingSurface s;
  bool joined;
};

TEST(StoreJournal, AgentTasksTheirOutputAndTheFollowUpAreRecorded) {
  SimProcess sim({"--script", write_temp_file(script({"On it!", "[yolla:task start backend-engineer Review the schema]"})),
                  "--route", "[Report from your helpers]=" + write_temp_file(script({"Uncle Marco says", " all is fine."})),
                  "--route", "You are Uncle Marco=" + write_temp_file(script({"The schema", " looks", " fine."}))});
  TempDir dir;
  asio::io_context io;
  conductor::HistoryService history(io.get_executor(), dir.file("history.db"));
  // The Conductor and the surface stay alive while `io` runs the reads below: their coroutines
  // are still on it, and running them after their objects were destroyed would be a use-after-free.
  ConductorUnderTest cut(io, sim.url());
  cut.conductor.set_history(&history, "test");
  RecordingSurface s(io, cut.conductor);
  ASSERT_TRUE(s.join());
  s.send(ev::UserMessage{"evt_msg", "Please have the schema reviewed"});
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return stream_ends(r) >= 2 && r.count<msg::TaskCompleted>() >= 1; }));
  const auto c = stored(io, history);
  EXPECT_EQ(c.summary.surface, "test");
  EXPECT_EQ(c.summary.title, "Please have the schema reviewed");
  EXPECT_EQ(c.system_prompt, "You are a test.");
  ASSERT_EQ(c.messages.size(), 3u);
  EXPECT_EQ(c.messages[0].role, protocol::MessageRole::User);
  EXPECT_EQ(c.messages[1].content, "On it!");  // the tag is the Conductor's, not the answer's
  EXPECT_EQ(c.messages[2].content, "Uncle Marco says all is fine.");
  EXPECT_EQ(c.messages[2].parent, std::optional<store::MessageId>(c.messages[1].id));
  for (std::size_t i = 1; i < 3; ++i) {
    EXPECT_FALSE(c.messages[i].streaming);
    EXPECT_FALSE(c.messages[i].meta.interrupted);
    EXPECT_EQ(c.messages[i].meta.model, "sim");
    EXPECT_GT(c.messages[i].meta.token_count, 0u);
  }

  auto tasks = await(io, history.store().tasks(c.summary.id));
  ASSERT_TRUE(tasks.has_value()) << tasks.error().message;
  ASSERT_EQ(tasks->size(), 1u);
  const auto& t = tasks->front();
  EXPECT_EQ(t.agent, "backend-engineer");
  EXPECT_EQ(t.description, "Review the schema");
  EXPECT_EQ(t.status, "done");
  EXPECT_EQ(t.output, "The schema looks fine.");
  EXPECT_EQ(t.message, std::optional<store::MessageId>(c.messages[1].id));  // the answer that started it
  EXPECT_TRUE(t.finished_ms.has_value());
}

TEST(StoreJournal, ACancelledAnswerIsKeptUpToWhereItStoppedAndMarkedCancelled) {
  SimProcess sim({"--seed", "5", "--tokens", "200", "--tokens-per-sec", "50"});
  Journaled w(sim.url());
  ASSERT_TRUE(w.joined);
  auto& s = w.s;
  s.send(ev::UserMessage{"evt_msg", "tell me a long story"});
  ASSERT_TRUE(s.run_until_count<msg::Token>(5));
  s.send(ev::CancelResponse{"evt_cancel"});
  ASSERT_TRUE(s.run_until_count<msg::StreamEnd>(1));
  const std::string streamed = s.all<msg::StreamEnd>()[0].final_content;
  const auto c = stored(w.io, w.history);
  ASSERT_EQ(c.messages.size(), 2u);
  const auto& answer = c.messages[1];
  EXPECT_FALSE(streamed.empty());
  EXPECT_EQ(answer.content, streamed);
  EXPECT_TRUE(answer.meta.cancelled);
  EXPECT_TRUE(answer.meta.interrupted);
  EXPECT_FALSE(answer.streaming);
}

// The journal hands an answer to the store in pieces, only what came since the last one (at once,
// then once a second), and the store appends each: the row ends as the whole answer.
TEST(StoreJournal, AnAnswerHandedOverInPiecesIsStoredWhole) {
  SimProcess sim({"--seed", "7", "--tokens", "100", "--tokens-per-sec", "40", "--ttft-ms", "0"});  // 2.5 s
  Journaled w(sim.url());
  ASSERT_TRUE(w.joined);
  auto& s = w.s;
  s.send(ev::UserMessage{"evt_msg", "tell me a story"});
  ASSERT_TRUE(s.run_until_count<msg::StreamEnd>(1, std::chrono::seconds(20)));
  const std::string streamed = s.all<msg::StreamEnd>()[0].final_content;
  const auto c = stored(w.io, w.history);
  ASSERT_EQ(c.messages.size(), 2u);
  EXPECT_GE(w.history.store().stats().checkpoint_writes, 2u);  // pieces, not only the finish
  EXPECT_GT(streamed.size(), 100u);
  EXPECT_EQ(c.messages[1].content, streamed);
  EXPECT_FALSE(c.messages[1].streaming);
  EXPECT_FALSE(c.messages[1].meta.interrupted);
}

TEST(StoreJournal, AStoreThatCannotWriteIsOneNotifyAndTheChatGoesOn) {
  SimProcess sim({"--script", write_temp_file(script({"Still", " here"}))});
  TempDir dir;
  // A regular file where the history's directory should be: no one, root included, can create it.
  std::ofstream(dir.file("not-a-dir")) << "x";
  asio::io_context io;
  conductor::HistoryService history(io.get_executor(), dir.file("not-a-dir/history.db"));
  ConductorUnderTest cut(io, sim.url());
  cut.conductor.set_history(&history, "test");
  RecordingSurface s(io, cut.conductor);
  ASSERT_TRUE(s.join());
  s.send(ev::UserMessage{"evt_1", "hello"});
  ASSERT_TRUE(s.run_until_count<msg::StreamEnd>(1));
  s.send(ev::UserMessage{"evt_2", "hello again"});
  ASSERT_TRUE(s.run_until_count<msg::StreamEnd>(2));
  EXPECT_EQ(s.all<msg::StreamEnd>()[1].final_content, "Still here");

  // The store reports from its own thread: the notice may come after both answers.
  auto history_notices = [](const RecordingSurface& r) {
    std::size_t n = 0;
    for (const auto& m : r.all<msg::Notify>()) n += m.title.value_or("") == "History not saved";
    return n;
  };
  ASSERT_TRUE(s.run_until([&](const RecordingSurface& r) { return history_notices(r) >= 1; }));
  s.run_until([](const RecordingSurface&) { return false; }, std::chrono::milliseconds(200));  // no second one
  EXPECT_EQ(history_notices(s), 1u);
  for (const auto& n : s.all<msg::Notify>()) {
    if (n.title.value_or("") == "History not saved") {
      EXPECT_NE(n.message.find("not-a-dir/history.db"), std::string::npos) << n.message;
    }
  }
}

}  // namespace
}  // namespace yollayah::test
