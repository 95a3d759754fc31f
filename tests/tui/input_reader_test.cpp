// InputReader: reads a pty through Asio, decodes sequences, resolves a lone Esc by its timer,
// and reports a hung-up terminal as an error.
#include "tui/term/input_reader.hpp"

#include "tui/pty.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace {

using namespace yollayah::tui::term;
using yollayah::tui::test::Pty;
namespace asio = boost::asio;
using namespace std::chrono_literals;

void make_raw(const Pty& pty) {
  termios t = pty.slave_termios();
  ::cfmakeraw(&t);
  ::tcsetattr(pty.slave, TCSANOW, &t);
}

void type(const Pty& pty, std::string_view bytes) {
  ASSERT_EQ(::write(pty.master, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
}

// Runs `body` as a coroutine on a fresh loop, with a watchdog so a hang fails instead of sticking.
template <class Body>
void run(Body body) {
  asio::io_context io;
  bool done = false;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    co_await body();
    done = true;
  }, asio::detached);
  io.run_for(5s);
  EXPECT_TRUE(done) << "timed out";
}

TEST(InputReader, DecodesWhatTheTerminalSends) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  make_raw(pty);
  run([&]() -> asio::awaitable<void> {
    InputReader reader(co_await asio::this_coro::executor, pty.slave);
    type(pty, "a\x1b[A");
    std::vector<InputEvent> got;
    while (got.size() < 2) {
      auto events = co_await reader.next();
      EXPECT_TRUE(events.has_value());
      if (!events) co_return;
      got.insert(got.end(), events->begin(), events->end());
    }
    EXPECT_EQ(got, (std::vector<InputEvent>{KeyEvent{Key::Char, kNoMod, U'a'}, KeyEvent{Key::Up}}));
  });
}

TEST(InputReader, LoneEscIsDeliveredAfterTheTimeout) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  make_raw(pty);
  run([&]() -> asio::awaitable<void> {
    InputReader reader(co_await asio::this_coro::executor, pty.slave, 20ms);
    type(pty, "\x1b");
    const auto start = std::chrono::steady_clock::now();
    auto events = co_await reader.next();
    EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
    EXPECT_TRUE(events.has_value());
    if (!events) co_return;
    EXPECT_EQ(std::vector<InputEvent>(events->begin(), events->end()),
              std::vector<InputEvent>{KeyEvent{Key::Escape}});
  });
}

TEST(InputReader, EscSequenceSplitAcrossWritesWithinTheTimeoutIsOneKey) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  make_raw(pty);
  run([&]() -> asio::awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    InputReader reader(ex, pty.slave, 500ms);
    type(pty, "\x1b");
    asio::steady_timer later(ex, 30ms);
    later.async_wait([&](boost::system::error_code) { type(pty, "[B"); });
    auto events = co_await reader.next();
    EXPECT_TRUE(events.has_value());
    if (!events) co_return;
    EXPECT_EQ(std::vector<InputEvent>(events->begin(), events->end()),
              std::vector<InputEvent>{KeyEvent{Key::Down}});
  });
}

TEST(InputReader, HungUpTerminalIsAnError) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  make_raw(pty);
  run([&]() -> asio::awaitable<void> {
    InputReader reader(co_await asio::this_coro::executor, pty.slave);
    ::close(pty.master);
    pty.master = -1;
    auto events = co_await reader.next();
    EXPECT_FALSE(events.has_value());
  });
}

}  // namespace
