// What the store tests share: a temporary directory, running a coroutine to its end on a test's
// own loop, a look at the database through a connection of our own or the sqlite3 CLI, and child
// processes. Blocking is fine here: this is the test's thread, never an event loop.
#pragma once

#include "store/history_store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace yollayah::store::test {

namespace asio = boost::asio;

// A fresh directory under /tmp, removed (after making it writable again) when the test ends.
using TempDir = yollayah::test::TempDir;

// Runs `task` on `io` until it finishes (at most 30 s) and returns its result.
template <class T>
T run(asio::io_context& io, asio::awaitable<T> task) {
  std::optional<T> result;
  std::exception_ptr error;
  asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) result.emplace(std::move(value));
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!result && !error && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(20));
  }
  if (error) std::rethrow_exception(error);
  if (!result) throw std::runtime_error("the store did not answer within 30 s");
  return std::move(*result);
}

void run(asio::io_context& io, asio::awaitable<void> task);

// Runs `io` until `done()` holds, at most `limit`; returns done().
bool run_until(asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds limit = std::chrono::seconds(10));

// Options for a store at `path` whose events land in `events` (run `io` to receive them).
HistoryStore::Options options_for(const std::string& path, asio::io_context& io, std::vector<StoreEvent>* events);

// A connection of the test's own, for looking at what the store wrote.
class Peek {
 public:
  explicit Peek(const std::string& path);
  ~Peek();
  Peek(const Peek&) = delete;
  Peek& operator=(const Peek&) = delete;
  std::int64_t integer(const std::string& sql);
  std::string text(const std::string& sql);
  void exec(const std::string& sql);

 private:
  sqlite3* db_ = nullptr;
};

// Runs the sqlite3 command-line tool on `path` with `sql`; returns its stdout (stderr appended).
std::string sqlite3_cli(const std::string& path, const std::string& sql);

// A child process with its stdout on a pipe; SIGKILLed and reaped when the object goes away.
class Child {
 public:
  // stderr goes to `stderr_file`, or with stdout into the pipe when empty.
  explicit Child(std::vector<std::string> argv, const std::string& stderr_file = {});
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  void kill9();
  int wait();                    // reads its output to the end, reaps it: exit status, or -signal
  const std::string& output();  // everything it wrote (waits for it to end)
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::string output_;
};

std::string writer_binary();  // build/bin/store_test_writer
std::string yollayah_binary();

// Streaming answer text the writer child produces: every checkpoint is a prefix of it.
std::string answer_text(std::size_t words);

}  // namespace yollayah::store::test
