// What the benchmarks share: ollama-sim as a child process (started on an ephemeral port, stopped
// by PID when the object goes away) and a temporary directory.
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace yollayah::bench {

class SimChild {
 public:
  // `args` are ollama-sim flags (--port 0 is added).
  explicit SimChild(const std::vector<std::string>& flags) {
    std::vector<std::string> args;
    args.reserve(flags.size() + 4);
    args.emplace_back(YOLLAYAH_BIN_DIR "/ollama-sim");
    args.emplace_back("--port");
    args.emplace_back("0");
    args.emplace_back("--exit-with-parent");
    for (const auto& f : flags) args.push_back(f);
    const std::string& bin = args.front();
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    const int rc = ::posix_spawn(&pid_, bin.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    if (rc != 0) {
      ::close(out[0]);
      throw std::runtime_error("cannot start " + bin);
    }
    std::string line;  // "listening on 127.0.0.1:PORT"
    char c;
    while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
    ::close(out[0]);
    const auto colon = line.rfind(':');
    if (colon == std::string::npos) throw std::runtime_error("ollama-sim said: " + line);
    port_ = static_cast<std::uint16_t>(std::stoi(line.substr(colon + 1)));
  }
  ~SimChild() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  SimChild(const SimChild&) = delete;
  SimChild& operator=(const SimChild&) = delete;

  std::uint16_t port() const { return port_; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
};

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
