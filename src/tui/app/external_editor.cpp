#include "tui/app/external_editor.hpp"

#include "core/run_on.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/result.hpp>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

extern char** environ;

namespace yollayah::tui::app {

namespace asio = boost::asio;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
// Without pidfd_open (a kernel before 5.3) the child is polled this often.
constexpr std::chrono::milliseconds kPollInterval{50};

struct TempFile {
  std::string path;
  std::string error;  // set when it could not be written
};

std::string errno_text(int err) { return std::strerror(err); }

// On the helper thread: a new 0600 file (mkstemps) holding `text`.
TempFile write_temp(const std::string& text) {
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir && *dir ? dir : "/tmp") + "/yollayah-message-XXXXXX.md";
  const int fd = ::mkstemps(path.data(), 3);
  if (fd < 0) return {{}, "could not create a temporary file: " + errno_text(errno)};
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(path.c_str());
      return {{}, "could not write the temporary file: " + errno_text(err)};
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return {std::move(path), {}};
}

// On the helper thread: the file's contents, and the file removed.
boost::system::result<std::string> read_back(const std::string& path, bool keep_text) {
  std::string text;
  boost::system::error_code failed;
  if (keep_text) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) failed.assign(errno, boost::system::system_category());
    std::array<char, 8192> buf{};
    while (fd >= 0) {
      const ssize_t n = ::read(fd, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) failed.assign(errno, boost::system::system_category());
      if (n <= 0) break;
      text.append(buf.data(), static_cast<std::size_t>(n));
    }
    if (fd >= 0) ::close(fd);
  }
  ::unlink(path.c_str());
  if (failed) return failed;
  return text;
}

std::string describe_status(int status, const std::string& command) {
  if (WIFEXITED(status)) {
    const int code = WEXITSTATUS(status);
    if (code == 127 || code == 126) return "no editor ran (" + command + "): set $VISUAL or $EDITOR; the message is unchanged";
    return "the editor exited with status " + std::to_string(code) + "; the message is unchanged";
  }
  if (WIFSIGNALED(status)) return "the editor was stopped by signal " + std::to_string(WTERMSIG(status)) + "; the message is unchanged";
  return "the editor did not finish; the message is unchanged";
}

// The child: `sh -c 'exec CMD "$1"' yollayah-editor FILE` on the terminal, in a process group of
// its own that becomes the terminal's foreground group (when it is a terminal), with default
// signal dispositions and an empty mask.
boost::system::result<pid_t> spawn_editor(const std::string& command, const std::string& path, int in_fd, int out_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_adddup2(&actions, in_fd, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 2);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (::isatty(in_fd)) {
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawn_file_actions_addtcsetpgrp_np(&actions, 0);
  }
  posix_spawnattr_setflags(&attr, flags);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE, SIGCHLD, SIGWINCH, SIGHUP, SIGTERM}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigdefault(&attr, &defaults);

  const std::string script = "exec " + command + " \"$1\"";
  std::array<char*, 6> argv{const_cast<char*>("sh"), const_cast<char*>("-c"), const_cast<char*>(script.c_str()),
                            const_cast<char*>("yollayah-editor"), const_cast<char*>(path.c_str()), nullptr};
  pid_t pid = -1;
  const int err = ::posix_spawn(&pid, "/bin/sh", &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0) return boost::system::error_code(err, boost::system::system_category());
  return pid;
}

// Gives the terminal back to our process group. We are in the background until this returns, so
// SIGTTOU is blocked around it (it would stop us otherwise).
void take_terminal_back(int in_fd) {
  if (!::isatty(in_fd)) return;
  sigset_t ttou, old;
  sigemptyset(&ttou);
  sigaddset(&ttou, SIGTTOU);
  pthread_sigmask(SIG_BLOCK, &ttou, &old);
  ::tcsetpgrp(in_fd, ::getpgrp());
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

// Reaps `pid` if it has exited: WNOHANG, so it never waits.
bool reap(pid_t pid, int& status) {
  return ::waitpid(pid, &status, WNOHANG) == pid;  // async-ok: WNOHANG returns at once
}

asio::awaitable<int> wait_for_exit(asio::any_io_executor ex, pid_t pid) {
  int status = 0;
  // The syscall itself: glibc 2.36's <sys/pidfd.h> declares pidfd_open without C linkage.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd >= 0) {
    asio::posix::stream_descriptor readable(ex, pidfd);  // readable once the child has exited
    while (!reap(pid, status)) {
      auto [ec] = co_await readable.async_wait(asio::posix::descriptor_base::wait_read, kAwait);
      if (ec && ec != asio::error::interrupted) break;
    }
    co_return status;
  }
  asio::steady_timer timer(ex);
  while (!reap(pid, status)) {
    timer.expires_after(kPollInterval);
    co_await timer.async_wait(kAwait);
  }
  co_return status;
}

}  // namespace

std::string editor_command() {
  for (const char* name : {"VISUAL", "EDITOR"}) {
    const char* v = std::getenv(name);
    if (v != nullptr && std::strspn(v, " \t") < std::strlen(v)) return v;
  }
  return "vi";
}

ExternalEditor::ExternalEditor(asio::any_io_executor executor) : executor_(std::move(executor)) {}

ExternalEditor::~ExternalEditor() = default;

void ExternalEditor::terminate() {
  if (child_ > 0) ::kill(child_, SIGTERM);
}

asio::awaitable<EditorResult> ExternalEditor::edit(std::string text, std::string command, int in_fd, int out_fd) {
  if (!files_) files_ = std::make_unique<asio::thread_pool>(1);
  // Ends in a newline, as editors expect of a text file; edit() drops it again.
  if (!text.empty() && text.back() != '\n') text += '\n';
  auto write_job = [t = std::move(text)] { return write_temp(t); };
  TempFile file = co_await core::run_on<TempFile>(*files_, std::move(write_job));
  if (!file.error.empty()) co_return EditorResult{std::nullopt, file.error};

  EditorResult result;
  int status = -1;
  auto pid = spawn_editor(command, file.path, in_fd, out_fd);
  if (!pid) {
    result.problem = "could not start the editor: " + pid.error().message();
  } else {
    child_ = *pid;
    status = co_await wait_for_exit(executor_, *pid);
    child_ = -1;
    take_terminal_back(in_fd);
    if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) result.problem = describe_status(status, command);
  }
  const bool keep = result.problem.empty();
  auto read_job = [path = file.path, keep] { return read_back(path, keep); };
  auto back = co_await core::run_on<boost::system::result<std::string>>(*files_, std::move(read_job));
  if (!keep) co_return result;
  if (!back) co_return EditorResult{std::nullopt, "could not read the edited message: " + back.error().message()};
  std::string edited = std::move(*back);
  if (!edited.empty() && edited.back() == '\n') edited.pop_back();
  co_return EditorResult{std::move(edited), {}};
}

}  // namespace yollayah::tui::app
