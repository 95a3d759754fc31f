// Conversations that last (issue 11), end to end with the real binaries against ollama-sim: what
// `yollayah ask` and conductord write to the history database (looked at with the sqlite3 CLI),
// `ask --continue` sending the earlier conversation as context, private mode leaving no file, a
// conductord restart keeping its conversation, and kill -9 of conductord in the middle of answers.
// Each test has its own XDG_DATA_HOME. Blocking waits are fine: the test thread, not an event loop.
#include "transport/auth_token.hpp"
#include "transport/daemon_process.hpp"
#include "transport/socket_fixture.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

extern char** environ;

namespace yollayah::test {
namespace {

// A child process with stdout and stderr in files; SIGKILLed and reaped if still running when the
// object goes.
class Spawned {
 public:
  Spawned(const std::vector<std::string>& argv_s, const std::vector<std::string>& extra_env, const TempDir& dir,
          const std::string& name)
      : out_path_(dir.file(name + ".out")), err_path_(dir.file(name + ".err")) {
    std::vector<std::string> args(argv_s);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    // The test's variables first: getenv() finds the first of two entries with one name.
    std::vector<std::string> env_s(extra_env);
    for (char** e = environ; *e; ++e) env_s.emplace_back(*e);
    std::vector<char*> env;
    for (auto& e : env_s) env.push_back(e.data());
    env.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int rc = ::posix_spawnp(&pid_, argv[0], &fa, nullptr, argv.data(), env.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("cannot spawn " + args[0]);
  }
  ~Spawned() { kill9(); }
  Spawned(const Spawned&) = delete;
  Spawned& operator=(const Spawned&) = delete;

  // The exit status, or -1 when it had to be killed after `limit`.
  int wait(std::chrono::milliseconds limit = 20s) {
    if (pid_ < 0) return status_;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return status_;
      }
      ::usleep(5000);
    }
    kill9();
    return -1;
  }
  void kill9() {
    if (pid_ < 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  std::string out() const { return slurp(out_path_); }
  std::string err() const { return slurp(err_path_); }

 private:
  static std::string slurp(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::string out_path_, err_path_;
  pid_t pid_ = -1;
  int status_ = -1;
};

struct Ran {
  int status = -1;
  std::string out;
  std::string err;
};

// One test's world: its own data and config directories, history on (ctest turns it off for the
// other tests), and the database's path.
class World {
 public:
  std::vector<std::string> env() const {
    return {"YOLLAYAH_NO_HISTORY=0", "XDG_DATA_HOME=" + dir.file("data"), "XDG_CONFIG_HOME=" + dir.file("config"),
            "XDG_STATE_HOME=" + dir.file("state")};
  }
  std::string db() const { return dir.file("data/ai-way/history.db"); }

  Ran run(std::vector<std::string> args, std::vector<std::string> extra_env = {}) const {
    auto e = env();
    e.insert(e.begin(), extra_env.begin(), extra_env.end());
    Spawned p(args, e, dir, "run" + std::to_string(++runs_));
    Ran r;
    r.status = p.wait();
    r.out = p.out();
    r.err = p.err();
    return r;
  }
  Ran ask(const std::string& host, std::vector<std::string> flags, const std::string& prompt,
          std::vector<std::string> extra_env = {}) const {
    std::vector<std::string> args{std::string(YOLLAYAH_BIN_DIR) + "/yollayah", "ask", "--host", host};
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back(prompt);
    return run(std::move(args), std::move(extra_env));
  }
  // The sqlite3 CLI's answer, without the final line break.
  std::string sql(const std::string& query) const {
    Ran r = run({"sqlite3", "-batch", db(), query});
    while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
    return r.status == 0 ? r.out : "sqlite3 failed: " + r.err;
  }
  // For a daemon still running: its writes reach the disk on the store's thread, a moment after
  // the surface saw the answer end. Polls (bounded) until `query` gives `expected`.
  std::string sql_eventually(const std::string& query, const std::string& expected) const {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    std::string got = sql(query);
    while (got != expected && std::chrono::steady_clock::now() < deadline) {
      ::usleep(20'000);
      got = sql(query);
    }
    return got;
  }
  bool db_exists() const {
    struct stat st {};
    return ::stat(db().c_str(), &st) == 0;
  }

  TempDir dir;

 private:
  mutable int runs_ = 0;
};

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

// conductord with the test's world.
DaemonProcess daemon_in(const World& w, const std::string& socket_path, const std::string& host,
                        std::vector<std::string> extra_args = {}) {
  std::vector<std::string> args{"--socket", socket_path, "--pid-file", w.dir.file("d.pid"), "--config",
                                w.dir.file("none.toml"), "--host", host};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  return DaemonProcess(args, w.env());
}

Ran ask_connected(const World& w, const std::string& socket_path, const std::string& prompt) {
  return w.run({std::string(YOLLAYAH_BIN_DIR) + "/yollayah", "ask", "--connect=" + socket_path, prompt});
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

// kill -9 of conductord while an answer streams, in a bounded loop: after every restart each
// committed message is there, the cut answers are there up to their last checkpoint, marked
// interrupted, and the database passes its integrity check.
TEST(HistoryPersist, KillNineOfConductordMidAnswerLosesNoCommittedMessage) {
  constexpr int kCycles = 10;
  // Answers of 400 tokens at 40 a second: every one is still streaming when the daemon dies.
  SimProcess sim({"--seed", "11", "--tokens", "400", "--tokens-per-sec", "40"});
  World w;
  const std::string socket_path = w.dir.file("conductor.sock");
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "cycle " << cycle;
    auto daemon = daemon_in(w, socket_path, sim.url());
    ASSERT_TRUE(daemon.ready()) << daemon.log();
    const std::string question = "question number " + std::to_string(cycle);
    Spawned ask({std::string(YOLLAYAH_BIN_DIR) + "/yollayah", "ask", "--connect=" + socket_path, question}, w.env(),
                w.dir, "ask" + std::to_string(cycle));
    // Until the answer's first checkpoint is on disk or, every third cycle, a later one (the text
    // grows at about 40 tokens a second and reaches the disk at most once a second).
    const auto wait_until = std::chrono::steady_clock::now() + 15s;
    const std::string streaming = "SELECT count(*) FROM messages WHERE streaming = 1 AND length(content) > " +
                                  std::string(cycle % 3 == 2 ? "100" : "0");
    while (w.sql(streaming) != "1" && std::chrono::steady_clock::now() < wait_until) ::usleep(50'000);
    ASSERT_EQ(w.sql(streaming), "1") << "cycle " << cycle << "\nask: " << ask.err() << "\n" << daemon.log();
    ASSERT_EQ(::kill(daemon.pid(), SIGKILL), 0);
    daemon.wait_exit(5s);
    ask.kill9();

    // What a process that crashed left: every question, every answer so far with text.
    EXPECT_EQ(w.sql("PRAGMA integrity_check"), "ok") << "cycle " << cycle;
    EXPECT_EQ(w.sql("SELECT count(*) FROM messages WHERE role = 'user'"), std::to_string(cycle + 1));
    EXPECT_EQ(w.sql("SELECT content FROM messages WHERE role = 'user' ORDER BY rowid DESC LIMIT 1"), question);
    EXPECT_EQ(w.sql("SELECT count(*) FROM messages WHERE role = 'assistant' AND length(content) > 0"),
              std::to_string(cycle + 1));
  }
  // The next start marks the answers the dead daemons left streaming as interrupted.
  auto daemon = daemon_in(w, socket_path, sim.url());
  ASSERT_TRUE(daemon.ready()) << daemon.log();
  EXPECT_EQ(w.sql("SELECT count(*) FROM conversations"), "1");
  EXPECT_EQ(w.sql("SELECT count(*) FROM messages WHERE role = 'assistant' AND streaming = 0 AND interrupted = 1"),
            std::to_string(kCycles));
  EXPECT_EQ(w.sql("SELECT count(*) FROM messages WHERE streaming = 1"), "0");
  EXPECT_EQ(w.sql("PRAGMA integrity_check"), "ok");
}

}  // namespace
}  // namespace yollayah::test
