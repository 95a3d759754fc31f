// build/bin/conductord as a child process of a test: spawned in the foreground with its log in a
// temp file, ready once it logged "ready on", killed (SIGKILL) when the object goes. Blocking
// waits are fine here: the test thread, not an event loop.
#pragma once

#include "transport/socket_fixture.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

extern char** environ;

namespace yollayah::test {

// Runs build/bin/conductord in the foreground and waits (up to 10 s) for its "ready on" log line.
// Blocking is fine: the test thread, not an event loop.
class DaemonProcess {
 public:
  DaemonProcess(std::vector<std::string> args, const std::vector<std::string>& extra_env) {
    std::vector<std::string> argv_s{std::string(YOLLAYAH_BIN_DIR) + "/conductord", "--log-level", "info"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_s(extra_env);
    for (char** e = environ; *e; ++e) env_s.emplace_back(*e);
    std::vector<char*> env;
    for (auto& e : env_s) env.push_back(e.data());
    env.push_back(nullptr);

    // stderr goes to a file: a pipe nobody reads would block (or SIGPIPE) the daemon's logging.
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int rc = ::posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), env.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("cannot spawn " + argv_s[0] + " (build the conductord target)");
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!ready() && std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (exit_status_ < 0 && ::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
        break;
      }
      ::usleep(5000);
    }
  }
  ~DaemonProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  bool ready() const { return log().find("ready on") != std::string::npos; }
  std::string log() const {
    std::ifstream in(log_path_);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  pid_t pid() const { return pid_; }

  // Waits (bounded) for the exit; returns the exit status, or -1 on timeout or a signal.
  int wait_exit(std::chrono::milliseconds timeout) {
    if (pid_ < 0) return exit_status_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      ::usleep(10000);
    }
    return -1;
  }

 private:
  TempDir log_dir_;
  std::string log_path_ = log_dir_.file("conductord.log");
  pid_t pid_ = -1;
  int exit_status_ = -1;
};

}  // namespace yollayah::test
