// Helpers for backend tests against a real ollama-sim: run one coroutine on a test-owned
// io_context with a time bound, and collect what a ChatSink receives.
#pragma once

#include "backend/ollama_backend.hpp"
#include "support/sim_process.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace yollayah::backend::testing {

using namespace std::chrono_literals;

struct CollectSink final : ChatSink {
  void on_content(std::string_view t) override {
    text.append(t);
    ++calls;
    if (after_each) after_each();
  }
  std::string text;
  int calls = 0;
  std::function<void()> after_each;
};

// Runs `op` on `ioc` (optionally on `executor`, e.g. a strand, and with a cancellation slot) and
// returns its value, or nullopt when it did not finish within `limit`.
template <class T, class Executor>
std::optional<T> run_bounded(boost::asio::io_context& ioc, const Executor& executor, boost::asio::awaitable<T> op,
                             std::chrono::milliseconds limit = 10s,
                             boost::asio::cancellation_slot slot = {}) {
  struct State {
    std::optional<T> out;
    std::exception_ptr error;
  };
  auto state = std::make_shared<State>();  // outlives an abandoned (timed-out) operation
  boost::asio::co_spawn(executor, std::move(op),
                        boost::asio::bind_cancellation_slot(slot, [state](std::exception_ptr e, T value) {
                          state->error = e;
                          if (!e) state->out.emplace(std::move(value));
                        }));
  ioc.restart();
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!state->out && !state->error && std::chrono::steady_clock::now() < deadline) {
    ioc.run_one_for(deadline - std::chrono::steady_clock::now());
  }
  if (state->error) std::rethrow_exception(state->error);
  return std::move(state->out);
}

template <class T>
std::optional<T> run_bounded(boost::asio::io_context& ioc, boost::asio::awaitable<T> op,
                             std::chrono::milliseconds limit = 10s) {
  return run_bounded(ioc, ioc.get_executor(), std::move(op), limit);
}

// A --script file that is removed when the test ends (ollama-sim reads it at start-up).
struct ScriptFile {
  explicit ScriptFile(const std::string& contents) : path(test::write_temp_file(contents)) {}
  ~ScriptFile() { std::remove(path.c_str()); }
  ScriptFile(const ScriptFile&) = delete;
  ScriptFile& operator=(const ScriptFile&) = delete;
  std::string path;
};

inline OllamaConfig config_for(const std::string& url, std::chrono::milliseconds idle = 5s) {
  OllamaConfig c;
  c.endpoint = parse_ollama_host(url);
  c.connect_timeout = 2s;
  c.idle_timeout = idle;
  return c;
}

inline ChatRequest hello(std::string model = "m") {
  ChatRequest r;
  r.model = std::move(model);
  r.messages = {{ChatMessage::Role::System, "You are a test."}, {ChatMessage::Role::User, "Hi \"there\"\n"}};
  return r;
}

}  // namespace yollayah::backend::testing
