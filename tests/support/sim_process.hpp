// Spawns build/bin/ollama-sim on an ephemeral port for a test and stops it (by PID) afterwards.
// Blocking is fine here: this runs on the test's own thread, never on an event loop.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace yollayah::test {

class SimProcess {
 public:
  // Runs `ollama-sim --port 0 <args…>` and waits (up to 10 s) for "listening on 127.0.0.1:PORT".
  // `stderr_file`: where its stderr goes (default: the test's own stderr).
  explicit SimProcess(std::vector<std::string> args = {}, const std::string& stderr_file = {});
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string https_url() const { return "https://localhost:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }

  // Sends SIGKILL and reaps the process (the backend vanishing mid-stream).
  void kill_now();

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

// Writes `lines` to a fresh temporary file and returns its path (for --script).
std::string write_temp_file(const std::string& contents);

}  // namespace yollayah::test
