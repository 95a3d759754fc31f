#include "core/duration_histogram.hpp"

#include <algorithm>

namespace yollayah::core {

DurationHistogram::DurationHistogram(const std::vector<std::uint64_t>& bounds_ns) {
  n_ = std::min(bounds_ns.size(), kMaxBuckets);
  std::copy_n(bounds_ns.begin(), n_, bounds_.begin());
}

void DurationHistogram::observe(std::chrono::nanoseconds each, std::uint64_t n, std::chrono::nanoseconds total) noexcept {
  if (n == 0) return;
  const auto ns = static_cast<std::uint64_t>(std::max<std::int64_t>(each.count(), 0));
  const auto at = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.begin() + n_, ns) - bounds_.begin());
  counts_[at].fetch_add(n, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(total.count(), 0)), std::memory_order_relaxed);
}

std::vector<std::uint64_t> ms_bounds(std::initializer_list<double> ms) {
  std::vector<std::uint64_t> out;
  for (double m : ms) out.push_back(static_cast<std::uint64_t>(m * 1e6));
  return out;
}

}  // namespace yollayah::core
