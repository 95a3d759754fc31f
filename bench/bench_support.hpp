// What the benchmarks share: ollama-sim as a child process (tests/support's, started on an
// ephemeral port, stopped by PID when the object goes away) and a temporary directory.
#pragma once

#include "support/sim_child.hpp"

#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace yollayah::bench {

// ollama-sim as a child process: the one the tests use (tests/support/sim_child.hpp).
using test::SimChild;

// CPU time of a clock (a thread's, from pthread_getcpuclockid, or CLOCK_THREAD_CPUTIME_ID), in seconds.
inline double cpu_seconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// A fresh directory under /tmp, removed with everything in it when the object goes away.
struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/yolla-bench-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path;
};

// The flags for a deterministic stream of `tokens` tokens, paced at `rate` per second (0: as fast
// as it can).
inline std::vector<std::string> seeded_stream(std::size_t tokens, std::size_t rate = 0) {
  return {"--seed", "1", "--tokens", std::to_string(tokens), "--tokens-per-sec", std::to_string(rate)};
}

}  // namespace yollayah::bench
