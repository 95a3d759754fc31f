// What the tests of a Conductor with a history store share: a temporary directory, running a
// coroutine to its end on the test's loop, and the conversation the session wrote, read back.
#pragma once

#include "conductor/history_service.hpp"
#include "support/temp_dir.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

namespace yollayah::test {

namespace asio = boost::asio;

// Runs `task` on `io` to its end (at most 10 s): the test's loop, the store answers on it.
template <class T>
inline T await(asio::io_context& io, asio::awaitable<T> task) {
  std::optional<T> result;
  asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    if (!e) result.emplace(std::move(value));
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!result && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(20));
  }
  if (!result) throw std::runtime_error("no answer within 10 s");
  return std::move(*result);
}

// Everything queued reaches the disk, then the conversation the session wrote is read back.
inline store::Conversation stored(asio::io_context& io, conductor::HistoryService& history) {
  EXPECT_TRUE(await(io, history.store().flush()).has_value());
  auto c = await(io, history.last_conversation());
  if (!c) throw std::runtime_error("no conversation was stored");
  return std::move(*c);
}

}  // namespace yollayah::test
