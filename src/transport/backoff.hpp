// The reconnect schedule of UnixLink: exponential backoff with jitter. Pure: no clock, no timer,
// no global RNG; the caller draws the randomness (tests inject a fixed generator).
//
// Attempt n (0-based since the last reset) waits base_n = min(initial * 2^n, max), scattered by
// ±jitter: base_n * (1 + jitter * (2u - 1)) for u uniform in [0, 1), and never above max.
// With the defaults: ~1 s, ~2 s, ~4 s, … ~32 s, then 51.2–64 s for every later attempt.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace yollayah::transport {

class Backoff {
 public:
  struct Params {
    std::chrono::milliseconds initial{1000};
    std::chrono::milliseconds max{64000};
    double jitter = 0.2;  // fraction of the delay, 0 (none) to 1
  };

  Backoff() : Backoff(Params{}) {}
  explicit Backoff(Params p) : p_(sanitize(p)), base_(p_.initial) {}

  // The delay before the next attempt, for a given u in [0, 1); advances the schedule.
  std::chrono::milliseconds next_for(double u) {
    u = std::clamp(u, 0.0, 1.0);
    const double factor = 1.0 + p_.jitter * (2.0 * u - 1.0);
    const double ms = std::min(static_cast<double>(base_.count()) * factor, static_cast<double>(p_.max.count()));
    base_ = std::min(base_ * 2, p_.max);
    ++attempt_;
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::max(ms, 0.0)));
  }

  // The same, drawing u from a uniform random bit generator (std::minstd_rand, a test's fake).
  template <class URBG>
  std::chrono::milliseconds next(URBG& g) {
    const auto lo = static_cast<double>(URBG::min());
    const auto span = static_cast<double>(URBG::max()) - lo + 1.0;
    return next_for((static_cast<double>(g()) - lo) / span);
  }

  // After a connection that worked: the next wait is `initial` again.
  void reset() {
    base_ = p_.initial;
    attempt_ = 0;
  }

  // The un-jittered delay the next call starts from, and how many delays were handed out.
  std::chrono::milliseconds base() const { return base_; }
  unsigned attempt() const { return attempt_; }
  const Params& params() const { return p_; }

 private:
  static Params sanitize(Params p) {
    if (p.initial.count() < 1) p.initial = std::chrono::milliseconds(1);
    if (p.max < p.initial) p.max = p.initial;
    p.jitter = std::clamp(p.jitter, 0.0, 1.0);
    return p;
  }

  Params p_;
  std::chrono::milliseconds base_;
  unsigned attempt_ = 0;
};

}  // namespace yollayah::transport
