// The conductord binary end to end: start-up beside a stale PID file (a dead PID, or one reused by
// another program) and refusal beside a live daemon's, a surface over the socket,
// SIGTERM in the middle of an answer (the surface gets Quit), and a clean exit that removes the
// socket and the PID file.
#include "transport/auth_token.hpp"
#include "transport/daemon_process.hpp"
#include "transport/socket_fixture.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

extern char** environ;

namespace yollayah::test {
namespace {

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

TEST(Conductord, SigtermMidStreamSendsQuitAndCleansUp) {
  SimProcess sim({"--seed", "7", "--tokens", "400", "--tokens-per-sec", "50"});
  TempDir dir;
  const std::string socket_path = dir.file("run/conductor.sock");
  const std::string pid_path = dir.file("conductor.pid");
  {
    std::ofstream stale(pid_path);  // a daemon that died without cleaning up
    stale << "999999\n";
  }
  DaemonProcess daemon({"--socket", socket_path, "--pid-file", pid_path, "--config", dir.file("none.toml")},
                       {"OLLAMA_HOST=" + sim.url(), "YOLLAYAH_MODEL=sim"});
  ASSERT_TRUE(daemon.ready()) << daemon.log();
  EXPECT_TRUE(exists(socket_path));
  {
    std::ifstream pid_file(pid_path);
    pid_t recorded = 0;
    pid_file >> recorded;
    EXPECT_EQ(recorded, daemon.pid());
  }

  const std::string token_path = transport::token_path_for(socket_path);
  auto token = transport::read_token_file(token_path);
  ASSERT_TRUE(token.has_value());
  struct stat st {};
  ASSERT_EQ(::stat(token_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  asio::io_context io;
  transport::UnixLink::Options with_token;
  with_token.auth_token = token;
  SocketSurface surface(io, with_token);
  ASSERT_TRUE(surface.connect(io, socket_path));
  // Headless: the daemon's config greets interactive surfaces, and this test wants its own turn.
  ASSERT_TRUE(surface.join(io, 2, protocol::SurfaceType::Kind::Headless));
  surface.send(ev::UserMessage{"evt_1", "tell me a long story"});
  ASSERT_TRUE(run_until(io, [&] { return surface.count<msg::Token>() >= 2; }));

  ASSERT_EQ(::kill(daemon.pid(), SIGTERM), 0);
  ASSERT_TRUE(run_until(io, [&] { return surface.closed(); }, 5s));
  EXPECT_EQ(surface.count<msg::Quit>(), 1u);
  EXPECT_EQ(daemon.wait_exit(5s), 0);
  EXPECT_FALSE(exists(socket_path));
  EXPECT_FALSE(exists(pid_path));
  EXPECT_FALSE(exists(token_path));
}

// Runs `yollayah ask --connect=SOCKET PROMPT`; returns its exit status and stdout.
std::pair<int, std::string> ask_over_socket(const std::string& socket_path, const std::string& prompt,
                                            const TempDir& dir) {
  const std::string out_path = dir.file("ask.out");
  std::vector<std::string> argv_s{std::string(YOLLAYAH_BIN_DIR) + "/yollayah", "ask", "--connect=" + socket_path, prompt};
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return {-1, "cannot spawn yollayah"};
  int status = -1;
  for (int i = 0; i < 1000 && ::waitpid(pid, &status, WNOHANG) != pid; ++i) ::usleep(10000);
  if (::kill(pid, 0) == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return {-1, "yollayah ask did not finish in 10 s"};
  }
  std::ifstream in(out_path);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1,
          std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>())};
}

TEST(Conductord, YollayahAskConnectStreamsTheAnswerThroughTheDaemon) {
  SimProcess sim({"--script", write_temp_file(script({"Through", " the", " socket"}))});
  TempDir dir;
  const std::string socket_path = dir.file("conductor.sock");
  DaemonProcess daemon({"--socket", socket_path, "--pid-file", dir.file("d.pid"), "--config", dir.file("none.toml")},
                       {"OLLAMA_HOST=" + sim.url(), "YOLLAYAH_MODEL=sim"});
  ASSERT_TRUE(daemon.ready()) << daemon.log();
  auto [first_rc, first_out] = ask_over_socket(socket_path, "hello", dir);
  EXPECT_EQ(first_rc, 0) << first_out;
  EXPECT_EQ(first_out, "Through the socket\n");
  auto [second_rc, second_out] = ask_over_socket(socket_path, "again", dir);  // the daemon serves the next one
  EXPECT_EQ(second_rc, 0) << second_out;
  EXPECT_EQ(second_out, "Through the socket\n");
  EXPECT_NE(daemon.log().find("surface 2 disconnected"), std::string::npos) << daemon.log();
}

TEST(Conductord, SighupAppliesTheReloadedConfigToTheLiveSession) {
  SimProcess sim({"--script", write_temp_file(script({"ok"}))});
  TempDir dir;
  const std::string socket_path = dir.file("conductor.sock");
  const std::string config_path = dir.file("conductor.toml");
  std::ofstream(config_path) << "[backend]\nmodel = \"first-model\"\n[conductor]\ngreet = false\n";
  DaemonProcess daemon({"--socket", socket_path, "--pid-file", dir.file("d.pid"), "--config", config_path},
                       {"OLLAMA_HOST=" + sim.url()});
  ASSERT_TRUE(daemon.ready()) << daemon.log();

  asio::io_context io;
  transport::UnixLink::Options with_token;
  with_token.auth_token = transport::read_token_file(transport::token_path_for(socket_path));
  SocketSurface surface(io, with_token);
  ASSERT_TRUE(surface.connect(io, socket_path));
  ASSERT_TRUE(surface.join(io, 2, protocol::SurfaceType::Kind::Headless));
  auto has_model = [&](const std::string& model) {
    for (const auto& info : surface.all<msg::SessionInfo>())
      if (info.model == model) return true;
    return false;
  };
  ASSERT_TRUE(run_until(io, [&] { return has_model("first-model"); }));

  std::ofstream(config_path) << "[backend]\nmodel = \"second-model\"\n[conductor]\ngreet = false\n";
  ASSERT_EQ(::kill(daemon.pid(), SIGHUP), 0);
  ASSERT_TRUE(run_until(io, [&] { return has_model("second-model"); }, 5s)) << daemon.log();

  // The next turn asks the model server for the new model.
  surface.send(ev::UserMessage{"evt_1", "hi"});
  ASSERT_TRUE(run_until(io, [&] { return surface.count<msg::StreamEnd>() >= 1; }));
  EXPECT_EQ(surface.all<msg::StreamEnd>()[0].metadata.model_id.value_or(""), "second-model");

  // A broken file is refused and the session keeps what it has.
  std::ofstream(config_path) << "[backend\nmodel = ";
  ASSERT_EQ(::kill(daemon.pid(), SIGHUP), 0);
  ASSERT_TRUE(run_until(io, [&] { return daemon.log().find("config reload failed") != std::string::npos; }, 5s))
      << daemon.log();
}

TEST(Conductord, RefusesToStartWhileAnotherOwnsTheSocket) {
  SimProcess sim;
  TempDir dir;
  const std::string socket_path = dir.file("conductor.sock");
  DaemonProcess first({"--socket", socket_path, "--pid-file", dir.file("a.pid"), "--config", dir.file("none.toml")},
                      {"OLLAMA_HOST=" + sim.url()});
  ASSERT_TRUE(first.ready()) << first.log();
  DaemonProcess second({"--socket", socket_path, "--pid-file", dir.file("b.pid"), "--config", dir.file("none.toml")},
                       {"OLLAMA_HOST=" + sim.url()});
  EXPECT_EQ(second.wait_exit(5s), 1);
  EXPECT_NE(second.log().find("already listening"), std::string::npos) << second.log();
  EXPECT_TRUE(exists(socket_path));  // the first daemon's socket is untouched
  EXPECT_FALSE(exists(dir.file("b.pid")));
}

// A child `sleep 30`, killed (by its PID) and reaped when the object goes.
class UnrelatedProcess {
 public:
  UnrelatedProcess() {
    std::vector<std::string> argv_s{"sleep", "30"};
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (::posix_spawnp(&pid_, "sleep", nullptr, nullptr, argv.data(), environ) != 0) pid_ = -1;
  }
  ~UnrelatedProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

TEST(Conductord, StartsWhenThePidFileNamesALiveUnrelatedProcess) {
  SimProcess sim;
  TempDir dir;
  UnrelatedProcess other;  // the PID a crashed daemon left behind, since reused
  ASSERT_GT(other.pid(), 0);
  const std::string pid_path = dir.file("conductor.pid");
  std::ofstream(pid_path) << other.pid() << "\n";
  DaemonProcess daemon(
      {"--socket", dir.file("conductor.sock"), "--pid-file", pid_path, "--config", dir.file("none.toml")},
      {"OLLAMA_HOST=" + sim.url()});
  ASSERT_TRUE(daemon.ready()) << daemon.log();
  EXPECT_EQ(::kill(other.pid(), 0), 0);  // still alive: the daemon did not mistake it for itself
  std::ifstream pid_file(pid_path);
  pid_t recorded = 0;
  pid_file >> recorded;
  EXPECT_EQ(recorded, daemon.pid());
}

TEST(Conductord, RefusesToStartWhenThePidFileNamesALiveConductord) {
  SimProcess sim;
  TempDir dir;
  const std::string pid_path = dir.file("conductor.pid");
  DaemonProcess first({"--socket", dir.file("a.sock"), "--pid-file", pid_path, "--config", dir.file("none.toml")},
                      {"OLLAMA_HOST=" + sim.url()});
  ASSERT_TRUE(first.ready()) << first.log();
  // Another socket, so only the PID file can tell that a daemon is already running.
  DaemonProcess second({"--socket", dir.file("b.sock"), "--pid-file", pid_path, "--config", dir.file("none.toml")},
                       {"OLLAMA_HOST=" + sim.url()});
  EXPECT_EQ(second.wait_exit(5s), 1);
  EXPECT_NE(second.log().find("already running (pid " + std::to_string(first.pid())), std::string::npos)
      << second.log();
  EXPECT_FALSE(exists(dir.file("b.sock")));
}

}  // namespace
}  // namespace yollayah::test
