#include "store_support.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

extern char** environ;

namespace yollayah::store::test {

namespace fs = std::filesystem;

void run(asio::io_context& io, asio::awaitable<void> task) {
  auto wrapped = [](asio::awaitable<void> t) -> asio::awaitable<bool> {
    co_await std::move(t);
    co_return true;
  };
  run(io, wrapped(std::move(task)));
}

bool run_until(asio::io_context& io, const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(10));
  }
  return done();
}

HistoryStore::Options options_for(const std::string& path, asio::io_context& io, std::vector<StoreEvent>* events) {
  HistoryStore::Options o;
  o.path = path;
  o.retry_initial = std::chrono::milliseconds(50);
  o.retry_max = std::chrono::milliseconds(200);
  if (events) {
    o.events = io.get_executor();
    o.on_event = [events](const StoreEvent& e) { events->push_back(e); };
  }
  return o;
}

Peek::Peek(const std::string& path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
    throw std::runtime_error("cannot open " + path);
  sqlite3_busy_timeout(db_, 5000);
}

Peek::~Peek() { sqlite3_close_v2(db_); }

std::int64_t Peek::integer(const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
    throw std::runtime_error(std::string(sqlite3_errmsg(db_)) + " in " + sql);
  std::int64_t v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
  sqlite3_finalize(s);
  return v;
}

std::string Peek::text(const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
    throw std::runtime_error(std::string(sqlite3_errmsg(db_)) + " in " + sql);
  std::string v;
  if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
    v = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  return v;
}

void Peek::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = err ? err : "?";
    sqlite3_free(err);
    throw std::runtime_error(m + " in " + sql);
  }
}

std::string sqlite3_cli(const std::string& path, const std::string& sql) {
  Child child({"/usr/bin/sqlite3", path, sql});
  return child.output();
}

Child::Child(std::vector<std::string> argv, const std::string& stderr_file) {
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
  if (stderr_file.empty()) posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
  else posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const int rc = ::posix_spawn(&pid_, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(pipefd[1]);
  out_ = pipefd[0];
  if (rc != 0) {
    ::close(out_);
    throw std::runtime_error("cannot start " + argv[0]);
  }
}

Child::~Child() {
  if (!reaped_) {
    ::kill(pid_, SIGKILL);
    wait();
  }
  if (out_ >= 0) ::close(out_);
}

void Child::kill9() { ::kill(pid_, SIGKILL); }

int Child::wait() {
  if (!reaped_) {
    // Read to the end first: a child blocked on a full pipe would never exit.
    std::array<char, 65536> buf;
    ssize_t n;
    while ((n = ::read(out_, buf.data(), buf.size())) > 0) output_.append(buf.data(), static_cast<std::size_t>(n));
    reaped_ = ::waitpid(pid_, &status_, 0) == pid_;
  }
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  if (WIFSIGNALED(status_)) return -WTERMSIG(status_);
  return -1;
}

const std::string& Child::output() {
  wait();
  return output_;
}

std::string writer_binary() { return YOLLAYAH_BIN_DIR "/store_test_writer"; }
std::string yollayah_binary() { return YOLLAYAH_BIN_DIR "/yollayah"; }

std::string answer_text(std::size_t words) {
  std::string out;
  for (std::size_t i = 0; i < words; ++i) out += "word" + std::to_string(i) + " ";
  return out;
}

}  // namespace yollayah::store::test
