// ollama-sim for a test: a SimChild whose end fails the test when the sim crashed or, in the asan
// build, printed a sanitizer report (nobody would notice it otherwise: it is only in the output).
#pragma once

#include "support/sim_child.hpp"

#include <string>
#include <vector>

namespace yollayah::test {

class SimProcess {
 public:
  // Runs `ollama-sim --port 0 <args…>` (see SimChild).
  explicit SimProcess(std::vector<std::string> args = {}, const std::string& stderr_file = {});
  ~SimProcess();
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  std::uint16_t port() const { return child_.port(); }
  std::string url() const { return child_.url(); }
  std::string https_url() const { return child_.https_url(); }
  pid_t pid() const { return child_.pid(); }

  // Sends SIGKILL and reaps the process (the backend vanishing mid-stream).
  void kill_now() { child_.kill_now(); }

 private:
  SimChild child_;
};

// Writes `lines` to a fresh temporary file and returns its path (for --script).
std::string write_temp_file(const std::string& contents);

}  // namespace yollayah::test
