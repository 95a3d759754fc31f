// build/bin/conductord as a child process of a test: spawned in the foreground with its log in a
// temp file, ready once it logged "ready on", killed (SIGKILL) when the object goes. Blocking
// waits are fine here: the test thread, not an event loop.
#pragma once

#include "support/child_process.hpp"
#include "transport/socket_fixture.hpp"

#include <string>
#include <vector>

namespace yollayah::test {

// Runs build/bin/conductord in the foreground and waits (up to 10 s) for its "ready on" log line.
class DaemonProcess {
 public:
  DaemonProcess(std::vector<std::string> args, const std::vector<std::string>& extra_env)
      : child_(argv_with(std::move(args)), extra_env, {.stdout_file = {}, .stderr_file = log_path_}) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!ready() && !child_.reap_if_ended() && std::chrono::steady_clock::now() < deadline) ::usleep(5000);
  }

  bool ready() const { return log().find("ready on") != std::string::npos; }
  std::string log() const { return child_.err(); }
  pid_t pid() const { return child_.pid(); }

  // Waits (bounded) for the exit; returns the exit status, or -1 on timeout or a signal.
  int wait_exit(std::chrono::milliseconds timeout) { return child_.wait_exit(timeout); }
  // SIGKILL and reap: a crash in the middle of whatever it was doing.
  void kill9() { child_.kill9(); }

 private:
  static std::vector<std::string> argv_with(std::vector<std::string> args) {
    std::vector<std::string> argv{std::string(YOLLAYAH_BIN_DIR) + "/conductord", "--log-level", "info"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  TempDir log_dir_;
  std::string log_path_ = log_dir_.file("conductord.log");
  ChildProcess child_;  // last: its log file's path exists first
};

}  // namespace yollayah::test
