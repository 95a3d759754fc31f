// A program of the build (or on PATH) as a child of a test: argv and environment built once, run
// with its output in files or on a pseudo-terminal, SIGKILLed and reaped if still running when the
// object goes. Blocking waits: the test's own thread, never an event loop. No GoogleTest here.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace yollayah::test {

// argv and envp as the exec family wants them, alive as long as the object. The extra variables
// come first: getenv() finds the first of two entries with one name.
class ExecArgs {
 public:
  ExecArgs(std::vector<std::string> argv, const std::vector<std::string>& extra_env);
  ExecArgs(const ExecArgs&) = delete;
  ExecArgs& operator=(const ExecArgs&) = delete;

  char* const* argv() const { return argv_.data(); }
  char* const* envp() const { return env_.data(); }
  const std::string& program() const { return argv_s_.front(); }

 private:
  std::vector<std::string> argv_s_, env_s_;
  std::vector<char*> argv_, env_;
};

// The common end of a child: wait for it (bounded), or kill it.
class ChildBase {
 public:
  ChildBase(const ChildBase&) = delete;
  ChildBase& operator=(const ChildBase&) = delete;

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }
  // Waits (bounded) for the exit: its status, or -1 after a signal or when `limit` passed (the
  // child then still runs).
  int wait_exit(std::chrono::milliseconds limit);
  // Reaps the child if it has ended, without waiting; true when it has.
  bool reap_if_ended();
  // SIGKILL, then reaps it (the crash the history must survive).
  void kill9();

 protected:
  ChildBase() = default;
  ~ChildBase() { kill9(); }
  void ended(int wait_status);

  pid_t pid_ = -1;
  int exit_status_ = -1;
};

// stdin from /dev/null, stdout and stderr to files (a pipe nobody reads would block the child's
// logging). Empty paths keep the test's own.
class ChildProcess : public ChildBase {
 public:
  struct Output {
    std::string stdout_file;
    std::string stderr_file;
  };
  // posix_spawnp: argv[0] may be a name on PATH (sqlite3). Throws std::runtime_error when it
  // cannot start.
  ChildProcess(std::vector<std::string> argv, const std::vector<std::string>& extra_env, const Output& output);
  // Whatever the output files hold now.
  std::string out() const;
  std::string err() const;

 private:
  Output output_;
};

// A child on a pseudo-terminal of `cols` x `rows`, for the TUI: what it draws is read into a
// buffer by pump(), keys go in with type().
class PtyChild : public ChildBase {
 public:
  PtyChild(std::vector<std::string> argv, const std::vector<std::string>& extra_env, int cols, int rows);
  ~PtyChild();

  // Reads what is there, waiting up to `wait` for the first bytes.
  void pump(std::chrono::milliseconds wait);
  // Waits (bounded) until the screen output since the last clear_screen() contains `text`. Frames
  // are diffs, so a word may arrive in pieces; with `redraw` a Ctrl+L every 200 ms makes the TUI
  // send it whole.
  bool wait_for(std::string_view text, std::chrono::milliseconds limit, bool redraw = false);
  void clear_screen() { seen_.clear(); }
  void type(std::string_view bytes);
  const std::string& seen() const { return seen_; }

 private:
  int master_ = -1;
  std::string seen_;
};

// Everything in the file at `path` (empty when there is none).
std::string slurp(const std::string& path);

}  // namespace yollayah::test
