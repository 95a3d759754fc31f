#include "support/sim_process.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>

namespace yollayah::test {

SimProcess::SimProcess(std::vector<std::string> args, const std::string& stderr_file) : child_(args, stderr_file) {}

SimProcess::~SimProcess() {
  const pid_t pid = child_.pid();
  const int status = child_.stop();
  if (status == -1) return;  // killed on purpose (kill_now)
  // ollama-sim exits 0 on SIGTERM (or dies of it, if it comes before the handler is set up). Any
  // other end is a crash or, in the asan build, a sanitizer report.
  const bool clean = (WIFEXITED(status) && WEXITSTATUS(status) == 0) || (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
  if (!clean) {
    ADD_FAILURE() << "ollama-sim (pid " << pid << ") ended badly: "
                  << (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                        : "signal " + std::to_string(WTERMSIG(status)))
                  << "; its stderr is above";
  }
}

std::string write_temp_file(const std::string& contents) {
  char path[] = "/tmp/yollayah-test-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  std::size_t off = 0;
  while (off < contents.size()) {
    ssize_t n = write(fd, contents.data() + off, contents.size() - off);
    if (n <= 0) break;
    off += static_cast<std::size_t>(n);
  }
  close(fd);
  return path;
}

}  // namespace yollayah::test
