// Runs a tool (node, curl, promtool) as a child process from a gateway test's own thread, bounded
// by timeout(1), and gives its exit code and output.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace yollayah::test {

struct Run {
  int exit_code = -1;
  std::string output;
};

// Runs a shell command (bounded by timeout(1)), stdout and stderr together.
inline Run run(const std::string& command) {
  Run r;
  FILE* p = ::popen(("timeout 120 " + command + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline bool on_path(const std::string& tool) { return run("sh -c 'command -v " + tool + "'").exit_code == 0; }

inline std::string last_line(const std::string& s) {
  auto end = s.find_last_not_of('\n');
  if (end == std::string::npos) return {};
  auto start = s.rfind('\n', end);
  return s.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

// tests/npm: the pinned npm clients (scripts/setup runs npm ci there).
inline std::string npm_clients_dir() { return (std::filesystem::path(YOLLAYAH_SOURCE_DIR) / "tests" / "npm").string(); }
inline bool npm_clients_installed() {
  const std::string dir = npm_clients_dir();
  return std::filesystem::exists(dir + "/node_modules/openai/package.json") &&
         std::filesystem::exists(dir + "/node_modules/ollama/package.json");
}

}  // namespace yollayah::test
