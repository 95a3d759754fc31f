// The event-loop stall monitor: measures how late each loop runs a probe, so "never blocks" is a
// measured fact (DESIGN.md, "Concurrency"; issue 5). Figures per loop: worst lag, p99, samples.
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace yollayah::core {

// What the F12 developer view and the test fixtures read, per loop.
struct LoopStats {
  std::string name;
  std::chrono::microseconds worst{0};  // the latest a probe ever ran
  std::chrono::microseconds p99{0};    // 99% of probes ran at most this late (bucket upper bound)
  std::uint64_t samples = 0;           // probes measured
};

// A fixed-size histogram of lags in microseconds: 32 exact buckets below 32 us, then 8 buckets per
// power of two (12.5% resolution) up to about 36 minutes. Recording is lock-free and never
// allocates; one writer (the loop) and any number of readers (snapshot) may run at once.
class LagHistogram {
 public:
  static constexpr std::size_t kBuckets = 256;

  void record(std::chrono::microseconds lag) noexcept;
  void reset() noexcept;

  std::uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }
  std::chrono::microseconds worst() const noexcept {
    return std::chrono::microseconds(worst_us_.load(std::memory_order_relaxed));
  }
  // The upper bound of the bucket holding the q-th quantile (0 < q <= 1), capped at worst().
  std::chrono::microseconds quantile(double q) const noexcept;

  // Probes counted in one bucket (for /metrics, read at scrape time only).
  std::uint64_t bucket_count(std::size_t bucket) const noexcept { return buckets_[bucket].load(std::memory_order_relaxed); }

  static std::size_t bucket_of(std::uint64_t us) noexcept;
  static std::uint64_t bucket_upper(std::size_t bucket) noexcept;

 private:
  std::array<std::atomic<std::uint32_t>, kBuckets> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::int64_t> worst_us_{0};
};

// Measures the scheduling lag of one event loop: an io_context executor or a strand.
//
// How it measures. While armed, a probe runs on the loop every `interval` (5 ms): a steady_timer
// wait whose deadline is known. When the probe's handler runs, lag = now - deadline, which is how
// long the loop was busy with something else when the probe was due. A handler that blocks for
// 30 ms shows as a probe 30 ms late. The next deadline is counted from when the probe ran, so a
// stall is measured once, not as a backlog of late probes.
//
// Why it is free when idle. The probe only runs while the loop has work. The loop's owner calls
// note_activity() when it handles an event (a message from a surface, a chunk from a backend, a
// key press); that arms the monitor. The event that arms it is covered by the probe it starts (due
// an interval later, after the event's handler and whatever it queued), so it does not count as
// activity; later events raise the activity flag, and each probe consumes it. After `idle_probes`
// consecutive probes with no activity (one, 5 ms, by default) the monitor disarms and schedules
// nothing: an isolated event (a token of a 50 tok/s stream) costs one probe. An idle process
// therefore has no pending probe timer and makes no wake-ups; the next note_activity() re-arms it.
// Arming and disarming are race-free: note_activity() on an armed monitor sets the flag then
// checks `armed` again, and a disarming probe clears `armed` then re-checks the flag, so at least
// one of them sees the other and exactly one restarts the probe (sequentially consistent atomics).
//
// What a loop owner does:
//
//   core::StallMonitor monitor_{io.get_executor(), "conductor"};   // lives as long as the loop
//   ...
//   void Session::on_message(...) { monitor_.note_activity(); ... }  // at each event it handles
//
// note_activity() is cheap (two atomic operations once armed) and may be called from any thread.
// Calling it more often than needed is harmless; calling it too rarely only means fewer samples.
//
// Cost while armed: one timer wake-up per interval on the loop. The probe's wait operation lives in
// a small buffer inside the monitor (an Asio handler allocator), so a probe does not allocate;
// heap_fallbacks() counts the times it had to, and the tests assert it stays zero.
//
// A probe later than `warn_after` (50 ms) logs a warning naming the loop through core::log().
//
// Every monitor is listed in a process-wide registry while it exists: StallMonitor::snapshot()
// returns the figures of all of them, for the F12 view and for the test budget fixture
// (tests/support/stall_budget.hpp).
//
// While armed, the pending probe is work: io_context::run() returns up to `idle_probes` + 1
// intervals (10 ms) after the last activity, when the monitor disarms, rather than at once.
//
// Lifetime: destroy the monitor on any thread; a probe still pending sees that and stops (it holds
// the shared state, not the monitor), and destroying the io_context releases it too.
class StallMonitor {
 public:
  using Clock = std::chrono::steady_clock;

  static constexpr std::chrono::milliseconds kWarnAfter{50};

  struct Options {
    // Probe period while armed. 5 ms keeps a streaming loop cheap (200 wake-ups/s, where 1 ms
    // cost 1,000 and most of a 50 tok/s TUI's CPU) and still sees every stall that matters: a
    // handler that holds the loop longer than the period always makes a probe late.
    std::chrono::microseconds interval{5000};
    // Probes with no activity before disarming. One is enough to see every stall (the probe armed
    // by an event is due while that event's handler runs), and with the arming event not counted
    // as activity an event that arrives every 20 ms (a 50 tok/s stream) costs one probe: 50
    // wake-ups/s (four idle probes with the arming event counted cost 200/s, one cost 100/s).
    unsigned idle_probes = 1;
    std::chrono::microseconds warn_after{kWarnAfter};
  };

  StallMonitor(boost::asio::any_io_executor loop, std::string name);
  StallMonitor(boost::asio::any_io_executor loop, std::string name, Options options);
  ~StallMonitor();
  StallMonitor(const StallMonitor&) = delete;
  StallMonitor& operator=(const StallMonitor&) = delete;

  // The loop is handling an event: make sure the probe runs. Any thread.
  void note_activity();

  // The figures so far. Any thread.
  LoopStats stats() const;
  // The lag histogram itself, for /metrics. Any thread.
  const LagHistogram& histogram() const noexcept;
  // Clears the figures (between test scenarios). Any thread.
  void reset();

  const std::string& name() const noexcept;
  bool armed() const noexcept;
  // Probes run since construction (not cleared by reset()): a test of idleness counts these.
  std::uint64_t probes() const noexcept;
  // Probe operations that did not fit the monitor's inline buffer and went to the heap.
  std::uint64_t heap_fallbacks() const noexcept;

  // The figures of every monitor alive in the process, in creation order.
  static std::vector<LoopStats> snapshot();

  struct State;  // implementation detail (stall_monitor.cpp); public only for the probe handler

 private:
  std::shared_ptr<State> state_;
};

}  // namespace yollayah::core
