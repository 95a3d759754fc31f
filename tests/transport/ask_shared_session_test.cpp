// `yollayah ask --connect` in a conductord session shared with other surfaces: each ask prints its
// own answer (the Ack names the answer's id), and the answers of the agents its answer started,
// then Yollayah's follow-up.
#include "transport/daemon_process.hpp"
#include "transport/socket_fixture.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

extern char** environ;

namespace yollayah::test {
namespace {

// `yollayah ask --connect=SOCKET [flags] PROMPT` as a child process, its stdout in a file.
class AskProcess {
 public:
  AskProcess(const std::string& socket_path, const std::string& prompt, const std::string& out_path,
             std::vector<std::string> flags = {})
      : out_path_(out_path) {
    std::vector<std::string> argv_s{std::string(YOLLAYAH_BIN_DIR) + "/yollayah", "ask", "--connect=" + socket_path};
    for (auto& f : flags) argv_s.push_back(std::move(f));
    argv_s.push_back(prompt);
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (::posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
  }
  ~AskProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  // Waits (at most `timeout`) for the exit; returns the exit status and stdout.
  std::pair<int, std::string> wait(std::chrono::milliseconds timeout = 15s) {
    int status = -1;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (pid_ > 0 && std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      ::usleep(10000);
    }
    if (pid_ > 0) return {-1, "yollayah ask did not finish in time"};
    std::ifstream in(out_path_);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1,
            std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>())};
  }

 private:
  std::string out_path_;
  pid_t pid_ = -1;
};

std::string words(const std::string& word, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += word + " \n";
  return write_temp_file(s);
}

TEST(AskSharedSession, TwoAsksASecondApartEachPrintTheirOwnAnswer) {
  // 30 tokens at 20/s: the first answer still streams when the second ask arrives.
  SimProcess sim({"--tokens-per-sec", "20", "--route", "second question=" + words("SECOND", 30), "--route",
                  "first question=" + words("FIRST", 30)});
  TempDir dir;
  const std::string socket_path = dir.file("conductor.sock");
  DaemonProcess daemon({"--socket", socket_path, "--pid-file", dir.file("d.pid"), "--config", dir.file("none.toml")},
                       {"OLLAMA_HOST=" + sim.url(), "YOLLAYAH_MODEL=sim"});
  ASSERT_TRUE(daemon.ready()) << daemon.log();
  AskProcess first(socket_path, "first question", dir.file("first.out"));
  ::usleep(1'000'000);  // the test thread; a second apart, as a user would
  AskProcess second(socket_path, "second question", dir.file("second.out"));
  auto [first_rc, first_out] = first.wait(20s);
  auto [second_rc, second_out] = second.wait(20s);
  EXPECT_EQ(first_rc, 0) << first_out;
  EXPECT_EQ(second_rc, 0) << second_out;
  std::string expected_first, expected_second;
  for (int i = 0; i < 30; ++i) expected_first += "FIRST ";
  for (int i = 0; i < 30; ++i) expected_second += "SECOND ";
  EXPECT_EQ(first_out, expected_first + "\n");
  EXPECT_EQ(second_out, expected_second + "\n");
}

TEST(AskSharedSession, AskPrintsTheAgentsAnswersUnderHeadingsThenTheFollowUp) {
  SimProcess sim({"--script", write_temp_file(script({"Asking Uncle Marco.", "[yolla:task start backend-engineer Review it]"})),
                  "--route", "[Report from your helpers]=" + write_temp_file(script({"Marco", " approves."})), "--route",
                  "You are Uncle Marco=" + write_temp_file(script({"Looks", " good."}))});
  TempDir dir;
  const std::string socket_path = dir.file("conductor.sock");
  DaemonProcess daemon({"--socket", socket_path, "--pid-file", dir.file("d.pid"), "--config", dir.file("none.toml")},
                       {"OLLAMA_HOST=" + sim.url(), "YOLLAYAH_MODEL=sim"});
  ASSERT_TRUE(daemon.ready()) << daemon.log();
  {
    AskProcess ask(socket_path, "review my code", dir.file("a.out"));
    auto [rc, out] = ask.wait();
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(out, "Asking Uncle Marco.\n\n## Uncle Marco\n\nLooks good.\n\n## Yollayah\n\nMarco approves.\n");
  }
  {
    AskProcess ask(socket_path, "review my code again", dir.file("b.out"), {"--quiet-agents"});
    auto [rc, out] = ask.wait();
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(out, "Asking Uncle Marco.\n\nMarco approves.\n");
  }
}

}  // namespace
}  // namespace yollayah::test
