// StallMonitor: it measures a blocked loop, stays quiet on a healthy one, stops probing when the
// loop is idle, and does not allocate per probe.
#include "core/log.hpp"
#include "core/stall_monitor.hpp"
#include "support/stall_budget.hpp"

#include <boost/asio.hpp>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>
#include <sstream>
#include <thread>

// Counts heap allocations made by the thread that sets `t_count_allocations`, to show that a
// probe does not allocate. Replacing the global operator new is the portable way to see every
// allocation, Asio's included; it forwards to malloc, so it changes nothing for other tests.
namespace {
thread_local bool t_count_allocations = false;
std::atomic<long> g_allocations{0};
}  // namespace

// noinline keeps gcc from pairing an inlined free() with a new-expression (-Wmismatched-new-delete).
[[gnu::noinline]] void* operator new(std::size_t size) {
  if (t_count_allocations) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace yollayah::core {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Tests that count probes over a few tens of milliseconds probe every millisecond.
const yollayah::core::StallMonitor::Options kFastProbe{1000us, 20, yollayah::core::StallMonitor::kWarnAfter};

// Holds the loop's thread on purpose, the way a blocking call would.
void busy_wait(std::chrono::microseconds d) {
  const auto end = Clock::now() + d;
  while (Clock::now() < end) {
  }
}

// Waits (on the test thread, not a loop) until `done()` or a generous timeout.
template <class F>
bool eventually(F done, std::chrono::milliseconds timeout = 3s) {
  const auto end = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() > end) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// An io_context run by its own thread, handler by handler, counting the handlers it runs: each is
// one wake-up of the loop.
class CountingLoop {
 public:
  CountingLoop() : guard_(io.get_executor()), thread_([this] {
                                                while (io.run_one()) handled.fetch_add(1);
                                              }) {}
  ~CountingLoop() {
    guard_.reset();
    io.stop();
    thread_.join();
  }

  asio::io_context io;
  std::atomic<long> handled{0};

 private:
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
};

TEST(LagHistogram, BucketsBoundEveryValueWithinAnEighth) {
  for (std::uint64_t us : {0ull, 1ull, 31ull, 32ull, 33ull, 100ull, 999ull, 1000ull, 4096ull,
                           30'000ull, 1'000'000ull, 3'600'000'000ull}) {
    const auto b = LagHistogram::bucket_of(us);
    EXPECT_GE(LagHistogram::bucket_upper(b), us) << us;
    EXPECT_LE(LagHistogram::bucket_upper(b), us + us / 8 + 1) << us;
    if (b > 0) {
      EXPECT_LT(LagHistogram::bucket_upper(b - 1), us) << us;
    }
  }
}

TEST(LagHistogram, QuantilesOfAKnownDistribution) {
  LagHistogram h;
  for (int us = 1; us <= 1000; ++us) h.record(std::chrono::microseconds(us));
  EXPECT_EQ(h.count(), 1000u);
  EXPECT_EQ(h.worst(), 1000us);
  EXPECT_GE(h.quantile(0.99), 990us);
  EXPECT_LE(h.quantile(0.99), 1000us);  // capped at the worst
  EXPECT_GE(h.quantile(0.5), 500us);
  EXPECT_LE(h.quantile(0.5), 575us);
  h.reset();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.quantile(0.99), 0us);
}

TEST(StallMonitor, MeasuresAHandlerThatBlocksTheLoop) {
  asio::io_context io;
  StallMonitor monitor(io.get_executor(), "test-blocked", kFastProbe);
  asio::steady_timer later(io, 5ms);
  later.async_wait([&](boost::system::error_code) {
    busy_wait(30ms);  // async-ok: test provokes a stall
    monitor.note_activity();
  });
  monitor.note_activity();
  io.run();  // returns once the monitor has disarmed: proof it does not keep an idle loop alive

  const LoopStats s = monitor.stats();
  EXPECT_EQ(s.name, "test-blocked");
  EXPECT_GE(s.worst, 25ms);
  EXPECT_GT(s.samples, 5u);
  EXPECT_FALSE(monitor.armed());

  const auto all = StallMonitor::snapshot();
  const auto it = std::find_if(all.begin(), all.end(),
                               [](const LoopStats& l) { return l.name == "test-blocked"; });
  ASSERT_NE(it, all.end());
  EXPECT_EQ(it->worst, s.worst);
  EXPECT_EQ(it->samples, s.samples);
}

TEST(StallMonitor, MeasuresAStrand) {
  asio::io_context io;
  auto strand = asio::make_strand(io);
  StallMonitor monitor(strand, "test-strand");
  asio::post(strand, [&] {
    monitor.note_activity();
    asio::post(strand, [] {
      busy_wait(30ms);  // async-ok: test provokes a stall
    });
  });
  io.run();
  EXPECT_GE(monitor.stats().worst, 25ms);
  EXPECT_EQ(monitor.heap_fallbacks(), 0u);
}

TEST(StallMonitor, MeasuresTheHandlerThatArmsIt) {
  asio::io_context io;
  StallMonitor monitor(io.get_executor(), "test-arming-handler");
  asio::post(io, [&] {
    monitor.note_activity();
    busy_wait(30ms);  // async-ok: test provokes a stall
  });
  io.run();
  EXPECT_GE(monitor.stats().worst, 25ms);
  EXPECT_FALSE(monitor.armed());
}

TEST(StallMonitor, AnIsolatedEventCostsOneProbe) {
  asio::io_context io;
  StallMonitor monitor(io.get_executor(), "test-one-probe");
  asio::post(io, [&] { monitor.note_activity(); });
  io.run();  // the probe covers the event that armed it, finds nothing newer and disarms
  EXPECT_EQ(monitor.probes(), 1u);
  EXPECT_FALSE(monitor.armed());
}

TEST(StallMonitor, AnEventWhileAProbeIsPendingCostsOneMore) {
  asio::io_context io;
  StallMonitor monitor(io.get_executor(), "test-two-probes");
  asio::steady_timer later(io);
  asio::post(io, [&] {
    monitor.note_activity();
    // Due before the probe (5 ms): Asio runs expired timers in deadline order, so even a late
    // wake-up runs this first and the probe sees its activity.
    later.expires_after(1ms);
    later.async_wait([&](boost::system::error_code) { monitor.note_activity(); });
  });
  io.run();
  EXPECT_EQ(monitor.probes(), 2u);
  EXPECT_FALSE(monitor.armed());
}

TEST(StallMonitor, ShortWorkStaysWithinTheBudget) {
  asio::io_context io;
  StallMonitor monitor(io.get_executor(), "test-short-work", kFastProbe);
  asio::steady_timer tick(io);
  int left = 100;
  std::function<void(boost::system::error_code)> on_tick = [&](boost::system::error_code) {
    monitor.note_activity();
    busy_wait(20us);
    if (--left > 0) {
      tick.expires_after(500us);
      tick.async_wait(on_tick);
    }
  };
  tick.expires_after(500us);
  tick.async_wait(on_tick);
  io.run();

  EXPECT_GT(monitor.stats().samples, 30u);
  test::expect_stall_budget(monitor);
  EXPECT_LE(monitor.stats().p99, test::kStallBudget);
}

TEST(StallMonitor, IdleLoopGetsNoWakeUps) {
  CountingLoop loop;
  StallMonitor monitor(loop.io.get_executor(), "test-idle");
  for (int i = 0; i < 30; ++i) {
    monitor.note_activity();
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_TRUE(eventually([&] { return monitor.probes() >= 3; }));
  ASSERT_TRUE(eventually([&] { return !monitor.armed(); })) << "the probe never disarmed";

  const long handled = loop.handled.load();
  const auto probes = monitor.probes();
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(loop.handled.load(), handled) << "the idle loop woke up";
  EXPECT_EQ(monitor.probes(), probes) << "the probe ran while idle";

  // And activity brings it back.
  monitor.note_activity();
  EXPECT_TRUE(eventually([&] { return monitor.probes() > probes; }));
}

// Runs probes on `loop` for a while and returns {probes, heap allocations on the loop's thread}
// once the first arming and Asio's per-thread caches have warmed up.
std::pair<std::uint64_t, long> allocations_while_probing(asio::io_context& io,
                                                         StallMonitor& monitor) {
  std::atomic<bool> done{false};
  std::thread activity([&] {
    while (!done.load()) {
      monitor.note_activity();
      std::this_thread::sleep_for(200us);
    }
  });
  io.run_for(30ms);
  const auto before = monitor.probes();
  g_allocations.store(0);
  t_count_allocations = true;
  // Until 25 probes ran (about 25 ms; longer on a loaded machine), bounded at 10 s.
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  while (monitor.probes() - before < 25 && std::chrono::steady_clock::now() < give_up) io.run_for(10ms);
  t_count_allocations = false;
  const auto probes = monitor.probes() - before;
  const long allocations = g_allocations.load();
  done.store(true);
  activity.join();
  return {probes, allocations};
}

TEST(StallMonitor, ProbesDoNotAllocate) {
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  StallMonitor monitor(io.get_executor(), "test-alloc", kFastProbe);
  const auto [probes, allocations] = allocations_while_probing(io, monitor);
  EXPECT_GE(probes, 25u);
  EXPECT_EQ(allocations, 0) << "over " << probes << " probes";
  EXPECT_EQ(monitor.heap_fallbacks(), 0u);
}

TEST(StallMonitor, ProbesOnAStrandDoNotAllocate) {
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  StallMonitor monitor(asio::make_strand(io), "test-alloc-strand", kFastProbe);
  const auto [probes, allocations] = allocations_while_probing(io, monitor);
  EXPECT_GE(probes, 25u);
  EXPECT_EQ(allocations, 0) << "over " << probes << " probes";
  EXPECT_EQ(monitor.heap_fallbacks(), 0u);
}

TEST(StallMonitor, WarnsAboutAStallOverFiftyMilliseconds) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  auto& logger = log();
  const auto level = logger.level();
  logger.set_level(spdlog::level::warn);
  logger.sinks().push_back(sink);

  asio::io_context io;
  StallMonitor monitor(io.get_executor(), "test-warn");
  asio::post(io, [&] {
    monitor.note_activity();
    asio::post(io, [] {
      busy_wait(StallMonitor::kWarnAfter + 10ms);  // async-ok: test provokes a stall
    });
  });
  io.run();

  logger.sinks().pop_back();
  logger.set_level(level);
  EXPECT_NE(out.str().find("'test-warn'"), std::string::npos) << out.str();
}

TEST(StallMonitor, SnapshotListsOnlyLiveMonitors) {
  asio::io_context io;
  auto count = [](const std::string& name) {
    const auto all = StallMonitor::snapshot();
    return std::count_if(all.begin(), all.end(),
                         [&](const LoopStats& l) { return l.name == name; });
  };
  {
    StallMonitor monitor(io.get_executor(), "test-snapshot");
    EXPECT_EQ(count("test-snapshot"), 1);
    EXPECT_EQ(monitor.stats().samples, 0u);  // never active: never probed
  }
  EXPECT_EQ(count("test-snapshot"), 0);
}

TEST(StallMonitor, DestroyedWhileAProbeIsPending) {
  asio::io_context io;
  // A long interval: the probe is surely still pending when the monitor goes, however loaded the
  // machine (one probe of 5 ms is all an isolated event costs).
  auto monitor = std::make_unique<StallMonitor>(io.get_executor(), "test-destroyed",
                                                StallMonitor::Options{200ms, 1, StallMonitor::kWarnAfter});
  monitor->note_activity();
  io.poll();  // starts the probe
  ASSERT_TRUE(monitor->armed());
  monitor.reset();
  const auto start = Clock::now();
  io.run();  // the pending probe finds the monitor gone and stops
  EXPECT_LT(Clock::now() - start, 1s);
}

}  // namespace
}  // namespace yollayah::core
