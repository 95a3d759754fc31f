// The last few latencies of one kind (time to first token of one backend), for a median in
// /backends and /metrics. Fixed size, no allocation after construction.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace yollayah::backend::routing {

class LatencyWindow {
 public:
  static constexpr std::size_t kSize = 64;

  void add(std::uint64_t ms) {
    samples_[next_] = ms;
    next_ = (next_ + 1) % kSize;
    count_ = std::min(count_ + 1, kSize);
  }

  // The median of what is kept, or nothing before the first sample.
  std::optional<std::uint64_t> median() const {
    if (count_ == 0) return std::nullopt;
    std::array<std::uint64_t, kSize> copy = samples_;
    auto mid = copy.begin() + static_cast<std::ptrdiff_t>(count_ / 2);
    std::nth_element(copy.begin(), mid, copy.begin() + static_cast<std::ptrdiff_t>(count_));
    return *mid;
  }

  std::size_t count() const { return count_; }

 private:
  std::array<std::uint64_t, kSize> samples_{};
  std::size_t next_ = 0;
  std::size_t count_ = 0;
};

}  // namespace yollayah::backend::routing
