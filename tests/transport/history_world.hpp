// One history test's world (issue 11): its own data, config and state directories with history on
// (ctest turns it off for the other tests), the database's path, and the sqlite3 CLI — a real
// peer — to look at it. Blocking waits: the test thread, not an event loop.
#pragma once

#include "support/child_process.hpp"
#include "transport/daemon_process.hpp"
#include "transport/socket_fixture.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace yollayah::test {

struct Ran {
  int status = -1;
  std::string out;
  std::string err;
};

class World {
 public:
  std::vector<std::string> env() const {
    return {"YOLLAYAH_NO_HISTORY=0", "XDG_DATA_HOME=" + dir.file("data"), "XDG_CONFIG_HOME=" + dir.file("config"),
            "XDG_STATE_HOME=" + dir.file("state")};
  }
  std::string db() const { return dir.file("data/ai-way/history.db"); }

  // Output files of a child's, numbered so that none overwrites an earlier one.
  ChildProcess::Output output(const std::string& name) const {
    const std::string stem = dir.file(name + std::to_string(++children_));
    return {stem + ".out", stem + ".err"};
  }

  // Runs a program to its end (killed after 20 s: -1).
  Ran run(std::vector<std::string> args, std::vector<std::string> extra_env = {}) const {
    auto e = env();
    e.insert(e.begin(), extra_env.begin(), extra_env.end());
    ChildProcess p(std::move(args), e, output("run"));
    Ran r;
    r.status = p.wait_exit(20s);
    p.kill9();
    r.out = p.out();
    r.err = p.err();
    return r;
  }
  Ran ask(const std::string& host, std::vector<std::string> flags, const std::string& prompt,
          std::vector<std::string> extra_env = {}) const {
    std::vector<std::string> args{std::string(YOLLAYAH_BIN_DIR) + "/yollayah", "ask", "--host", host};
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back(prompt);
    return run(std::move(args), std::move(extra_env));
  }
  // The sqlite3 CLI's answer, without the final line break.
  std::string sql(const std::string& query) const {
    Ran r = run({"sqlite3", "-batch", db(), query});
    while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
    return r.status == 0 ? r.out : "sqlite3 failed: " + r.err;
  }
  // For a process still running: its writes reach the disk on the store's thread, a moment after
  // the surface saw them. Polls (bounded) until `query` gives `expected`; returns the last answer.
  std::string sql_eventually(const std::string& query, const std::string& expected,
                             std::chrono::milliseconds limit = 10s) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    std::string got = sql(query);
    while (got != expected && std::chrono::steady_clock::now() < deadline) {
      ::usleep(10'000);
      got = sql(query);
    }
    return got;
  }
  bool db_exists() const {
    struct stat st {};
    return ::stat(db().c_str(), &st) == 0;
  }

  TempDir dir;

 private:
  mutable int children_ = 0;
};

// conductord with the test's world.
inline DaemonProcess daemon_in(const World& w, const std::string& socket_path, const std::string& host,
                        std::vector<std::string> extra_args = {}) {
  std::vector<std::string> args{"--socket", socket_path, "--pid-file", w.dir.file("d.pid"), "--config",
                                w.dir.file("none.toml"), "--host", host};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  return DaemonProcess(args, w.env());
}

inline Ran ask_connected(const World& w, const std::string& socket_path, const std::string& prompt) {
  return w.run({std::string(YOLLAYAH_BIN_DIR) + "/yollayah", "ask", "--connect=" + socket_path, prompt});
}

}  // namespace yollayah::test
