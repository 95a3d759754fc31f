#include "backend/routing/concurrency_limit.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace yollayah::backend::routing {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Refusal = ConcurrencyLimit::Refusal;

// Runs acquire() in the background; `out` receives the permit or the refusal.
struct Acquirer {
  std::optional<ConcurrencyLimit::Permit> permit;
  std::optional<Refusal> refusal;
  bool done = false;
};

// Parameters, not captures: a coroutine lambda's captures die with the lambda object.
asio::awaitable<void> acquire_into(ConcurrencyLimit& limit, Acquirer& a, std::chrono::milliseconds timeout) {
  auto r = co_await limit.acquire(timeout);
  if (r) a.permit = std::move(*r);
  else a.refusal = r.error();
  a.done = true;
}

void spawn_acquire(asio::io_context& io, ConcurrencyLimit& limit, Acquirer& a, std::chrono::milliseconds timeout,
                   asio::cancellation_signal* cancel = nullptr) {
  if (cancel) asio::co_spawn(io, acquire_into(limit, a, timeout), asio::bind_cancellation_slot(cancel->slot(), asio::detached));
  else asio::co_spawn(io, acquire_into(limit, a, timeout), asio::detached);
}

TEST(ConcurrencyLimit, GrantsUpToTheLimitAtOnce) {
  ConcurrencyLimit limit(2, 4);
  auto a = limit.try_acquire();
  auto b = limit.try_acquire();
  auto c = limit.try_acquire();
  EXPECT_TRUE(a);
  EXPECT_TRUE(b);
  EXPECT_FALSE(c);
  EXPECT_EQ(limit.active(), 2u);
  a.release();
  EXPECT_EQ(limit.active(), 1u);
  EXPECT_TRUE(limit.try_acquire());
}

TEST(ConcurrencyLimit, AReleasedPermitGoesToTheFirstWaiterInOrder) {
  asio::io_context io;
  ConcurrencyLimit limit(1, 4);
  auto held = limit.try_acquire();
  Acquirer first, second;
  spawn_acquire(io, limit, first, 10s);
  spawn_acquire(io, limit, second, 10s);
  io.poll();
  EXPECT_EQ(limit.queued(), 2u);
  EXPECT_FALSE(first.done);
  held.release();
  io.poll();
  ASSERT_TRUE(first.done);
  EXPECT_TRUE(first.permit && *first.permit);
  EXPECT_FALSE(second.done);
  EXPECT_EQ(limit.active(), 1u);
  first.permit->release();
  io.poll();
  EXPECT_TRUE(second.done && second.permit);
}

TEST(ConcurrencyLimit, AFullQueueRefusesAtOnce) {
  asio::io_context io;
  ConcurrencyLimit limit(1, 1);
  auto held = limit.try_acquire();
  Acquirer waiting, refused;
  spawn_acquire(io, limit, waiting, 10s);
  spawn_acquire(io, limit, refused, 10s);
  io.poll();
  EXPECT_TRUE(limit.queue_full());
  ASSERT_TRUE(refused.done);
  EXPECT_EQ(refused.refusal, Refusal::QueueFull);
  EXPECT_FALSE(waiting.done);
  held.release();
  io.poll();
  EXPECT_TRUE(waiting.permit);
}

TEST(ConcurrencyLimit, AWaiterGivesUpAtItsTimeoutAndLeavesTheQueue) {
  asio::io_context io;
  ConcurrencyLimit limit(1, 2);
  auto held = limit.try_acquire();
  Acquirer a;
  spawn_acquire(io, limit, a, 20ms);
  io.run_for(2s);
  ASSERT_TRUE(a.done);
  EXPECT_EQ(a.refusal, Refusal::Timeout);
  EXPECT_EQ(limit.queued(), 0u);
  held.release();
  EXPECT_EQ(limit.active(), 0u);
}

TEST(ConcurrencyLimit, CancellingAWaiterRemovesItWithoutLeakingTheSlot) {
  asio::io_context io;
  ConcurrencyLimit limit(1, 2);
  auto held = limit.try_acquire();
  Acquirer a;
  asio::cancellation_signal cancel;
  spawn_acquire(io, limit, a, 10s, &cancel);
  io.poll();
  cancel.emit(asio::cancellation_type::terminal);
  io.poll();
  ASSERT_TRUE(a.done);
  EXPECT_EQ(a.refusal, Refusal::Cancelled);
  EXPECT_EQ(limit.queued(), 0u);
  held.release();
  EXPECT_EQ(limit.active(), 0u);
}

TEST(ConcurrencyLimit, ManyWaitersAllEventuallyRunNeverMoreThanTheLimit) {
  asio::io_context io;
  ConcurrencyLimit limit(3, 100);
  struct Counts {
    std::size_t running = 0, most = 0, finished = 0;
  } counts;
  auto worker = [](ConcurrencyLimit& limit, Counts& c) -> asio::awaitable<void> {
    auto p = co_await limit.acquire(10s);
    if (!p) co_return;
    ++c.running;
    c.most = std::max(c.most, c.running);
    asio::steady_timer t(co_await asio::this_coro::executor, 1ms);
    co_await t.async_wait(asio::use_awaitable);
    --c.running;
    ++c.finished;
  };
  for (int i = 0; i < 40; ++i) asio::co_spawn(io, worker(limit, counts), asio::detached);
  io.run_for(10s);
  EXPECT_EQ(counts.finished, 40u);
  EXPECT_EQ(counts.most, 3u);
  EXPECT_EQ(limit.active(), 0u);
}

}  // namespace
}  // namespace yollayah::backend::routing
