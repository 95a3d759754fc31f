// Lets a few warnings about one peer through per interval and counts the rest, so a peer that
// sends garbage cannot turn every frame into a log line and a Notify (issue 15, finding 9).
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace yollayah::transport {

class WarningLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit WarningLimiter(unsigned per_interval = 3, Clock::duration interval = std::chrono::seconds(10))
      : per_interval_(per_interval), interval_(interval) {}

  // nullopt: stay quiet about this one (it is counted). Otherwise report it, and with it how many
  // were kept quiet since the last one reported.
  std::optional<std::size_t> allow(Clock::time_point now) {
    if (now - window_start_ >= interval_) {
      window_start_ = now;
      shown_ = 0;
    }
    if (shown_ >= per_interval_) {
      ++suppressed_;
      return std::nullopt;
    }
    ++shown_;
    return std::exchange(suppressed_, 0);
  }

  // Kept quiet and not yet reported (for a summary when the peer goes).
  std::size_t suppressed() const { return suppressed_; }

  // " (and N more like it)" for a count from allow(), "" for none.
  static std::string more(std::size_t suppressed) {
    return suppressed == 0 ? std::string() : " (and " + std::to_string(suppressed) + " more like it, not reported)";
  }

 private:
  unsigned per_interval_;
  Clock::duration interval_;
  Clock::time_point window_start_{};
  unsigned shown_ = 0;
  std::size_t suppressed_ = 0;
};

// The same shared by many connections on their own strands (refusals of peers that never said
// hello: a flood of them is one stream of warnings, not one per peer).
class SharedWarningLimiter {
 public:
  using Clock = WarningLimiter::Clock;
  explicit SharedWarningLimiter(unsigned per_interval = 3, Clock::duration interval = std::chrono::seconds(10))
      : limiter_(per_interval, interval) {}

  std::optional<std::size_t> allow(Clock::time_point now) {
    std::lock_guard lock(mutex_);
    return limiter_.allow(now);
  }

 private:
  std::mutex mutex_;
  WarningLimiter limiter_;
};

}  // namespace yollayah::transport
