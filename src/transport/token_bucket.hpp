// A token bucket for each connection's inbound messages (issue 4, "Security"). Messages are
// never dropped for rate: past the burst, the reader pauses for as long as the bucket needs to
// refill, which pushes back onto the peer's socket.
#pragma once

#include <algorithm>
#include <chrono>

namespace yollayah::transport {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  // `per_second` <= 0 disables the limit. The bucket starts full.
  TokenBucket(double per_second, double burst, Clock::time_point now)
      : rate_(per_second), burst_(std::max(burst, 1.0)), tokens_(burst_), last_(now) {}

  bool enabled() const { return rate_ > 0; }

  // Spends one token for a message that is let through; returns how long to wait before reading
  // the next one (zero while within the rate).
  std::chrono::microseconds spend(Clock::time_point now) {
    if (!enabled()) return std::chrono::microseconds(0);
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_) - 1.0;
    if (tokens_ >= 0) return std::chrono::microseconds(0);
    return std::chrono::microseconds(static_cast<long long>(-tokens_ / rate_ * 1e6) + 1);
  }

 private:
  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace yollayah::transport
