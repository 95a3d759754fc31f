// conductord with `[gateway] record = true`, end to end with the real binaries: a chat that curl
// sends to its HTTP listener is in the history database (the sqlite3 CLI), and `yollayah history
// list` says it came from the API; with the history off nothing is stored and the log says why.
#include "gateway/run_tool.hpp"
#include "transport/auth_token.hpp"
#include "transport/history_world.hpp"

#include <signal.h>

#include <fstream>

namespace yollayah::test {
namespace {

const char* kMessages =
    "SELECT role || '|' || content || '|' || streaming || '|' || interrupted FROM messages ORDER BY created_ms, rowid";

// conductord in `w` with [gateway] record = true and an HTTP listener on a free port.
DaemonProcess recording_daemon(const World& w, const std::string& socket_path, const std::string& host,
                               std::vector<std::string> extra_args = {}) {
  std::ofstream(w.dir.file("record.toml")) << "[gateway]\nrecord = true\n";
  std::vector<std::string> args{"--socket", socket_path, "--pid-file", w.dir.file("d.pid"), "--config",
                                w.dir.file("record.toml"), "--host", host, "--http", "127.0.0.1:0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  return DaemonProcess(args, w.env());
}

// A non-streaming /api/chat through the daemon's listener (its URL and token are beside the socket).
Run curl_chat(const std::string& socket_path, const std::string& question) {
  std::ifstream url_file(socket_path.substr(0, socket_path.rfind('/')) + "/gateway.url");
  std::string base;
  std::getline(url_file, base);
  const auto token = transport::read_token_file(transport::token_path_for(socket_path)).value_or("");
  return run("curl -sS --max-time 30 -H 'Authorization: Bearer " + token +
             "' -d '{\"model\":\"m\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"" + question +
             "\"}]}' " + base + "/api/chat");
}

TEST(GatewayRecordDaemon, ACurlChatIsInTheHistoryAndHistoryListSaysItCameFromTheApi) {
  if (!on_path("curl")) GTEST_SKIP() << "curl is not installed (scripts/setup installs it)";
  SimProcess sim({"--script", write_temp_file(script({"Salt", " from", " rocks"}))});
  World w;
  const std::string socket_path = w.dir.file("conductor.sock");
  auto daemon = recording_daemon(w, socket_path, sim.url());
  ASSERT_TRUE(daemon.ready()) << daemon.log();

  const auto reply = curl_chat(socket_path, "why is the sea salty?");
  ASSERT_EQ(reply.exit_code, 0) << reply.output;
  EXPECT_NE(reply.output.find("Salt from rocks"), std::string::npos) << reply.output;
  EXPECT_EQ(w.sql_eventually(kMessages, "user|why is the sea salty?|0|0\nassistant|Salt from rocks|0|0"),
            "user|why is the sea salty?|0|0\nassistant|Salt from rocks|0|0");
  EXPECT_EQ(w.sql("SELECT surface || '|' || title || '|' || model FROM conversations"), "api:ollama|why is the sea salty?|m");

  const Ran list = w.run({std::string(YOLLAYAH_BIN_DIR) + "/yollayah", "history", "list"});
  ASSERT_EQ(list.status, 0) << list.err;
  EXPECT_NE(list.out.find("why is the sea salty?"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("from api:ollama"), std::string::npos) << list.out;
  ASSERT_EQ(::kill(daemon.pid(), SIGTERM), 0);
  EXPECT_EQ(daemon.wait_exit(10s), 0) << daemon.log();
}

TEST(GatewayRecordDaemon, WithTheHistoryOffRecordStoresNothingAndTheLogSaysWhy) {
  if (!on_path("curl")) GTEST_SKIP() << "curl is not installed (scripts/setup installs it)";
  SimProcess sim({"--script", write_temp_file(script({"Not", " kept"}))});
  World w;
  const std::string socket_path = w.dir.file("conductor.sock");
  auto daemon = recording_daemon(w, socket_path, sim.url(), {"--no-history"});
  ASSERT_TRUE(daemon.ready()) << daemon.log();
  const auto reply = curl_chat(socket_path, "secret");
  ASSERT_EQ(reply.exit_code, 0) << reply.output;
  EXPECT_NE(reply.output.find("Not kept"), std::string::npos) << reply.output;
  EXPECT_NE(daemon.log().find("record is on but the history is off"), std::string::npos) << daemon.log();
  ASSERT_EQ(::kill(daemon.pid(), SIGTERM), 0);
  EXPECT_EQ(daemon.wait_exit(10s), 0);
  EXPECT_FALSE(w.db_exists());
}

}  // namespace
}  // namespace yollayah::test
