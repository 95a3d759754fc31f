// ollama-sim as a child process on an ephemeral port, for tests and benchmarks alike (no GoogleTest
// here: the benchmarks use it too). Blocking: it runs on the caller's own thread, never on a loop.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace yollayah::test {

class SimChild {
 public:
  // Runs `ollama-sim --port 0 --exit-with-parent <flags…>` and waits (up to 10 s) for its
  // "listening on 127.0.0.1:PORT" line; throws std::runtime_error when it does not come.
  // `stderr_file`: where its stderr goes (default: the caller's own stderr).
  explicit SimChild(const std::vector<std::string>& flags = {}, const std::string& stderr_file = {});
  ~SimChild();  // SIGTERM, then reaps it
  SimChild(const SimChild&) = delete;
  SimChild& operator=(const SimChild&) = delete;

  std::uint16_t port() const { return port_; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string url() const { return "http://" + host(); }
  std::string https_url() const { return "https://localhost:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }

  // Sends SIGKILL and reaps the process (the backend vanishing mid-stream).
  void kill_now();
  // Sends SIGTERM and reaps the process; returns its wait status (-1 when it was already gone).
  int stop();

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace yollayah::test
