#include "support/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <stdexcept>

extern char** environ;

namespace yollayah::test {

ExecArgs::ExecArgs(std::vector<std::string> argv, const std::vector<std::string>& extra_env)
    : argv_s_(std::move(argv)), env_s_(extra_env) {
  if (argv_s_.empty()) throw std::invalid_argument("ExecArgs: no program");
  for (char** e = environ; *e; ++e) env_s_.emplace_back(*e);
  for (auto& a : argv_s_) argv_.push_back(a.data());
  argv_.push_back(nullptr);
  for (auto& e : env_s_) env_.push_back(e.data());
  env_.push_back(nullptr);
}

void ChildBase::ended(int wait_status) {
  pid_ = -1;
  exit_status_ = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
}

bool ChildBase::reap_if_ended() {
  if (pid_ <= 0) return true;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) != pid_) return false;
  ended(status);
  return true;
}

int ChildBase::wait_exit(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!reap_if_ended()) {
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    ::usleep(2000);
  }
  return exit_status_;
}

void ChildBase::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  ended(status);
}

ChildProcess::ChildProcess(std::vector<std::string> argv, const std::vector<std::string>& extra_env,
                           const Output& output)
    : output_(output) {
  const ExecArgs args(std::move(argv), extra_env);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (!output_.stdout_file.empty()) {
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, output_.stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  }
  if (!output_.stderr_file.empty()) {
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, output_.stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  }
  const int rc = ::posix_spawnp(&pid_, args.program().c_str(), &fa, nullptr, args.argv(), args.envp());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    pid_ = -1;
    throw std::runtime_error("cannot spawn " + args.program());
  }
}

std::string ChildProcess::out() const { return slurp(output_.stdout_file); }
std::string ChildProcess::err() const { return slurp(output_.stderr_file); }

PtyChild::PtyChild(std::vector<std::string> argv, const std::vector<std::string>& extra_env, int cols, int rows) {
  // Built before the fork: the child of a threaded process only calls async-signal-safe execve.
  const ExecArgs args(std::move(argv), extra_env);
  winsize ws{};
  ws.ws_col = static_cast<unsigned short>(cols);
  ws.ws_row = static_cast<unsigned short>(rows);
  pid_ = ::forkpty(&master_, nullptr, nullptr, &ws);
  if (pid_ < 0) throw std::runtime_error("forkpty failed");
  if (pid_ == 0) {
    ::execve(args.program().c_str(), args.argv(), args.envp());
    ::_exit(127);
  }
  ::fcntl(master_, F_SETFL, ::fcntl(master_, F_GETFL) | O_NONBLOCK | O_CLOEXEC);
  ::fcntl(master_, F_SETFD, FD_CLOEXEC);
}

PtyChild::~PtyChild() {
  kill9();
  if (master_ >= 0) ::close(master_);
}

void PtyChild::pump(std::chrono::milliseconds wait) {
  pollfd p{master_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(master_, buf, sizeof buf);
    if (n <= 0) break;  // EAGAIN, or EIO once the child is gone
    seen_.append(buf, static_cast<std::size_t>(n));
  }
}

bool PtyChild::wait_for(std::string_view text, std::chrono::milliseconds limit, bool redraw) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  auto next_redraw = std::chrono::steady_clock::now();
  while (seen_.find(text) == std::string::npos) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    if (redraw && now >= next_redraw) {
      type("\x0c");
      next_redraw = now + std::chrono::milliseconds(200);
    }
    pump(std::chrono::milliseconds(10));
  }
  return true;
}

void PtyChild::type(std::string_view bytes) {
  if (::write(master_, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
    throw std::runtime_error("write to the pty failed");
  }
}

std::string slurp(const std::string& path) {
  if (path.empty()) return {};
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace yollayah::test
