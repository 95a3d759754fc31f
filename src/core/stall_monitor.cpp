#include "core/stall_monitor.hpp"

#include "core/log.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <mutex>
#include <new>

namespace yollayah::core {

namespace asio = boost::asio;
using std::chrono::microseconds;

// ---- LagHistogram

std::size_t LagHistogram::bucket_of(std::uint64_t us) noexcept {
  if (us < 32) return static_cast<std::size_t>(us);
  const int e = std::bit_width(us) - 1;  // us in [2^e, 2^(e+1)), e >= 5
  const auto sub = static_cast<std::size_t>((us >> (e - 3)) & 7);
  const std::size_t bucket = 32 + static_cast<std::size_t>(e - 5) * 8 + sub;
  return std::min(bucket, kBuckets - 1);
}

std::uint64_t LagHistogram::bucket_upper(std::size_t bucket) noexcept {
  if (bucket < 32) return bucket;
  const std::size_t e = 5 + (bucket - 32) / 8;
  const std::uint64_t sub = (bucket - 32) % 8;
  return ((8 + sub + 1) << (e - 3)) - 1;
}

void LagHistogram::record(microseconds lag) noexcept {
  const auto us = static_cast<std::uint64_t>(std::max<std::int64_t>(lag.count(), 0));
  buckets_[bucket_of(us)].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  // One writer (the loop), so a load and a store are enough.
  if (static_cast<std::int64_t>(us) > worst_us_.load(std::memory_order_relaxed)) {
    worst_us_.store(static_cast<std::int64_t>(us), std::memory_order_relaxed);
  }
}

void LagHistogram::reset() noexcept {
  for (auto& b : buckets_) b.store(0, std::memory_order_relaxed);
  count_.store(0, std::memory_order_relaxed);
  worst_us_.store(0, std::memory_order_relaxed);
}

microseconds LagHistogram::quantile(double q) const noexcept {
  std::array<std::uint32_t, kBuckets> counts;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    counts[i] = buckets_[i].load(std::memory_order_relaxed);
    total += counts[i];
  }
  if (total == 0) return microseconds(0);
  const auto rank = static_cast<std::uint64_t>(
      std::max(1.0, std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(total))));
  std::uint64_t seen = 0;
  std::size_t bucket = kBuckets - 1;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += counts[i];
    if (seen >= rank) {
      bucket = i;
      break;
    }
  }
  const auto upper = static_cast<std::int64_t>(bucket_upper(bucket));
  return microseconds(std::min(upper, worst_us_.load(std::memory_order_relaxed)));
}

// ---- The probe's memory: two slots inside the monitor, so a probe never touches the heap

namespace {

class ProbeArena {
 public:
  void* allocate(std::size_t size) {
    for (auto& slot : slots_) {
      if (!slot.used && size <= sizeof slot.bytes) {
        slot.used = true;
        return slot.bytes;
      }
    }
    fallbacks_.fetch_add(1, std::memory_order_relaxed);
    return ::operator new(size);
  }

  void deallocate(void* p) noexcept {
    for (auto& slot : slots_) {
      if (p == slot.bytes) {
        slot.used = false;
        return;
      }
    }
    ::operator delete(p);
  }

  std::uint64_t fallbacks() const noexcept { return fallbacks_.load(std::memory_order_relaxed); }

 private:
  // The probe chain is sequential (one wait pending at a time), and Asio frees an operation's
  // memory before calling its handler, so slots are used by one thread at a time.
  struct Slot {
    alignas(std::max_align_t) unsigned char bytes[512];
    bool used = false;
  };
  std::array<Slot, 2> slots_{};
  std::atomic<std::uint64_t> fallbacks_{0};
};

template <class T>
class ProbeAllocator {
 public:
  using value_type = T;

  explicit ProbeAllocator(ProbeArena& arena) noexcept : arena_(&arena) {}
  template <class U>
  ProbeAllocator(const ProbeAllocator<U>& other) noexcept : arena_(other.arena()) {}

  T* allocate(std::size_t n) { return static_cast<T*>(arena_->allocate(sizeof(T) * n)); }
  void deallocate(T* p, std::size_t) noexcept { arena_->deallocate(p); }

  ProbeArena* arena() const noexcept { return arena_; }
  friend bool operator==(const ProbeAllocator& a, const ProbeAllocator& b) noexcept {
    return a.arena_ == b.arena_;
  }
  friend bool operator!=(const ProbeAllocator& a, const ProbeAllocator& b) noexcept {
    return a.arena_ != b.arena_;
  }

 private:
  ProbeArena* arena_;
};

}  // namespace

// ---- The shared state: what a pending probe keeps alive

struct StallMonitor::State : std::enable_shared_from_this<State> {
  State(asio::any_io_executor ex, std::string n, Options o)
      : loop(std::move(ex)), timer(loop), name(std::move(n)), options(o) {}

  void note_activity();
  bool try_arm();
  void start();
  void schedule();
  void on_probe(const boost::system::error_code& ec);

  asio::any_io_executor loop;
  asio::steady_timer timer;
  const std::string name;
  const Options options;
  LagHistogram histogram;
  ProbeArena arena;

  std::atomic<bool> activity{false};
  std::atomic<bool> armed{false};
  std::atomic<bool> stopped{false};
  std::atomic<std::uint64_t> probes{0};

  // Touched only by the probe chain, on the loop.
  Clock::time_point deadline{};
  unsigned idle = 0;
};

namespace {

// The probe's completion handler: carries the allocator that keeps the wait off the heap.
struct ProbeHandler {
  std::shared_ptr<StallMonitor::State> state;

  using allocator_type = ProbeAllocator<void>;
  allocator_type get_allocator() const noexcept { return allocator_type(state->arena); }

  void operator()(const boost::system::error_code& ec) const { state->on_probe(ec); }
};

struct Registry {
  std::mutex mutex;
  std::vector<std::shared_ptr<StallMonitor::State>> states;
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

bool StallMonitor::State::try_arm() {
  if (armed.load() || stopped.load(std::memory_order_relaxed)) return false;
  if (armed.exchange(true)) return false;  // another caller won the race to arm
  asio::dispatch(loop, [self = shared_from_this()] { self->start(); });
  return true;
}

void StallMonitor::State::note_activity() {
  // The event that arms the monitor is covered by the probe it starts (due one interval later,
  // after the event's handler and what it queued), so arming does not raise the flag: an isolated
  // event costs one probe, not two.
  if (try_arm()) return;
  // Set the flag, then look at `armed` again; on_probe() clears `armed`, then looks at the flag.
  // With sequentially consistent operations one of the two sees the other, so activity after the
  // pending probe ran is never lost.
  activity.store(true);
  try_arm();
}

void StallMonitor::State::start() {
  if (stopped.load()) {
    armed.store(false);
    return;
  }
  idle = 0;
  schedule();
}

void StallMonitor::State::schedule() {
  deadline = Clock::now() + options.interval;
  timer.expires_at(deadline);
  timer.async_wait(ProbeHandler{shared_from_this()});
}

void StallMonitor::State::on_probe(const boost::system::error_code& ec) {
  if (ec || stopped.load()) {
    armed.store(false);
    return;
  }
  const auto lag = std::max(std::chrono::duration_cast<microseconds>(Clock::now() - deadline),
                            microseconds(0));
  histogram.record(lag);
  probes.fetch_add(1, std::memory_order_relaxed);
  if (lag >= options.warn_after) {
    log().warn("stall: event loop '{}' ran its probe {:.1f} ms late (blocked by a handler)", name,
               static_cast<double>(lag.count()) / 1000.0);
  }
  if (activity.exchange(false)) {
    idle = 0;
  } else if (++idle >= options.idle_probes) {
    armed.store(false);
    // note_activity() may have set the flag after our exchange and seen `armed` still true.
    if (!activity.load() || armed.exchange(true)) return;
    idle = 0;
  }
  schedule();
}

// ---- StallMonitor

StallMonitor::StallMonitor(asio::any_io_executor loop, std::string name)
    : StallMonitor(std::move(loop), std::move(name), Options{}) {}

StallMonitor::StallMonitor(asio::any_io_executor loop, std::string name, Options options)
    : state_(std::make_shared<State>(std::move(loop), std::move(name), options)) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.states.push_back(state_);
}

StallMonitor::~StallMonitor() {
  state_->stopped.store(true);
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  std::erase(r.states, state_);
}

void StallMonitor::note_activity() { state_->note_activity(); }

LoopStats StallMonitor::stats() const {
  const auto& h = state_->histogram;
  return LoopStats{state_->name, h.worst(), h.quantile(0.99), h.count()};
}

void StallMonitor::reset() { state_->histogram.reset(); }

const LagHistogram& StallMonitor::histogram() const noexcept { return state_->histogram; }

const std::string& StallMonitor::name() const noexcept { return state_->name; }

bool StallMonitor::armed() const noexcept { return state_->armed.load(); }

std::uint64_t StallMonitor::probes() const noexcept {
  return state_->probes.load(std::memory_order_relaxed);
}

std::uint64_t StallMonitor::heap_fallbacks() const noexcept { return state_->arena.fallbacks(); }

std::vector<LoopStats> StallMonitor::snapshot() {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<LoopStats> out;
  out.reserve(r.states.size());
  for (const auto& s : r.states) {
    out.push_back(LoopStats{s->name, s->histogram.worst(), s->histogram.quantile(0.99),
                            s->histogram.count()});
  }
  return out;
}

}  // namespace yollayah::core
