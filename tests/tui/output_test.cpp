// Output: writes never block the loop; against a pty nobody reads, frames coalesce so memory
// stays bounded and the reader sees the latest frame once it drains.
#include "tui/term/output.hpp"

#include "tui/pty.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <string>

namespace {

using namespace yollayah::tui::term;
using yollayah::tui::test::Pty;
namespace asio = boost::asio;

std::string make_frame(int n, std::size_t size) {
  std::string f = "<frame " + std::to_string(n) + ">";
  f.resize(size, static_cast<char>('a' + n % 26));
  f += "<end " + std::to_string(n) + ">";
  return f;
}

void make_raw(const Pty& pty) {
  termios t = pty.slave_termios();
  ::cfmakeraw(&t);
  ::tcsetattr(pty.slave, TCSANOW, &t);
}

// Reads the master while running the loop until the writer is idle; returns everything read.
std::string drain(asio::io_context& io, Output& out, const Pty& pty) {
  std::string all;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((out.busy() || out.has_pending()) && std::chrono::steady_clock::now() < deadline) {
    io.poll();
    all += pty.read_available(std::chrono::milliseconds(5));
  }
  io.poll();
  all += pty.read_available(std::chrono::milliseconds(20));
  return all;
}

TEST(Output, WritesAFrameToTheTerminal) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  make_raw(pty);
  asio::io_context io;
  Output out(io.get_executor(), pty.slave);
  int drained = 0;
  out.on_drained([&] { ++drained; });
  EXPECT_FALSE(out.submit("hello"));
  EXPECT_EQ(drain(io, out, pty), "hello");
  EXPECT_EQ(drained, 1);
  EXPECT_EQ(out.stats().frames_written, 1u);
  EXPECT_EQ(out.stats().bytes_written, 5u);
}

TEST(Output, StalledTerminalNeverBlocksAndKeepsOnlyTheLatestFrame) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  make_raw(pty);
  asio::io_context io;
  Output out(io.get_executor(), pty.slave);
  constexpr std::size_t kFrameSize = 32 * 1024;
  constexpr int kFrames = 1000;

  const auto start = std::chrono::steady_clock::now();
  int loop_ran = 0;
  std::size_t max_capacity = 0;
  for (int i = 0; i < kFrames; ++i) {
    out.submit(make_frame(i, kFrameSize));
    asio::post(io, [&] { ++loop_ran; });
    io.poll();  // the loop keeps turning while nobody reads the terminal
    max_capacity = std::max(max_capacity, out.buffer_capacity());
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;

  EXPECT_EQ(loop_ran, kFrames);
  // 32 MB of frames went in; the pty holds a few KB; so nearly all were coalesced away.
  EXPECT_GT(out.stats().frames_replaced, static_cast<std::uint64_t>(kFrames - 10));
  EXPECT_TRUE(out.has_pending());
  // Two frame slots, whatever the backlog.
  EXPECT_LE(max_capacity, 4 * (kFrameSize + 64));
  // Generous: this would take forever if a write blocked on the unread pty.
  EXPECT_LT(elapsed, std::chrono::seconds(5));

  const std::string seen = drain(io, out, pty);
  const std::string last = make_frame(kFrames - 1, kFrameSize);
  ASSERT_GE(seen.size(), last.size());
  EXPECT_EQ(seen.substr(seen.size() - last.size()), last);
  EXPECT_FALSE(out.busy());
  EXPECT_FALSE(out.has_pending());
}

TEST(Output, SubmitReportsWhenItReplacedAPendingFrame) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  make_raw(pty);
  asio::io_context io;
  Output out(io.get_executor(), pty.slave);
  EXPECT_FALSE(out.submit("first"));   // goes in flight
  EXPECT_FALSE(out.submit("second"));  // becomes pending
  EXPECT_TRUE(out.submit("third"));    // replaces "second"
  EXPECT_EQ(drain(io, out, pty), "firstthird");
}

TEST(Output, DestroyingWithAWriteInFlightIsSafe) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  asio::io_context io;
  {
    Output out(io.get_executor(), pty.slave);
    out.submit(std::string(1 << 20, 'x'));
    io.poll();
  }
  io.poll();  // the aborted handler runs after ~Output without touching freed memory
  SUCCEED();
}

TEST(Output, WriteErrorStopsWritingAndIsReported) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ::close(fds[0]);  // nobody will ever read: writes fail with EPIPE
  std::signal(SIGPIPE, SIG_IGN);
  asio::io_context io;
  Output out(io.get_executor(), fds[1]);
  out.submit("x");
  io.poll();
  EXPECT_TRUE(out.error());
  EXPECT_FALSE(out.busy());
  EXPECT_FALSE(out.submit("y"));
  ::close(fds[1]);
}

}  // namespace
