// A histogram of durations with fixed bounds, for /metrics: one relaxed increment per observation,
// no lock, no allocation, so any thread can observe (an event loop, the store's thread) and a scrape
// reads it from another. The gateway renders it in the Prometheus text format.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace yollayah::core {

class DurationHistogram {
 public:
  static constexpr std::size_t kMaxBuckets = 24;

  // Upper bounds, ascending, in nanoseconds (at most kMaxBuckets); +Inf is implied.
  explicit DurationHistogram(const std::vector<std::uint64_t>& bounds_ns);
  void observe(std::chrono::nanoseconds d) noexcept { observe(d, 1, d); }
  // `n` observations of `each`, summing to `total` (each = total / n, rounded down).
  void observe(std::chrono::nanoseconds each, std::uint64_t n, std::chrono::nanoseconds total) noexcept;

  std::size_t bounds() const { return n_; }                      // finite buckets; bucket bounds() is +Inf
  std::uint64_t bound_ns(std::size_t i) const { return bounds_[i]; }
  std::uint64_t count(std::size_t i) const { return counts_[i].load(std::memory_order_relaxed); }  // not cumulative
  std::uint64_t sum_ns() const { return sum_ns_.load(std::memory_order_relaxed); }

 private:
  std::array<std::uint64_t, kMaxBuckets> bounds_{};
  std::size_t n_ = 0;
  std::array<std::atomic<std::uint64_t>, kMaxBuckets + 1> counts_{};
  std::atomic<std::uint64_t> sum_ns_{0};
};

// Bounds given in milliseconds, as nanoseconds.
std::vector<std::uint64_t> ms_bounds(std::initializer_list<double> ms);

}  // namespace yollayah::core
