// A circuit breaker for one backend, driven only by the outcomes of real requests (passive, as
// Envoy's outlier detection): consecutive failures open it; while open, requests skip the backend;
// once the open interval has passed, the next request goes through as the one probe (half-open);
// its success closes the breaker, its failure reopens it for twice as long (up to a ceiling).
// A server's own request to wait (429/503 Retry-After) is a cool-down, kept apart from failures.
// Time is passed in, so the whole state machine runs on a fake clock in tests, and nothing here
// ever wakes up by itself: an idle router has no timers.
#pragma once

#include <chrono>
#include <cstdint>

namespace yollayah::backend::routing {

struct BreakerOptions {
  unsigned failure_threshold = 3;                                            // consecutive failures that open it
  std::chrono::steady_clock::duration open_base = std::chrono::seconds(5);  // first open interval
  std::chrono::steady_clock::duration open_max = std::chrono::seconds(60);  // ceiling of the doubling
};

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  using Options = BreakerOptions;

  enum class State : std::uint8_t { Closed, Open, HalfOpen };

  explicit CircuitBreaker(Options options = {}) : options_(options) {}

  // Asks to send one request now. Closed: yes. Open before its time, or cooling down: no. Open
  // past its time: it turns half-open and this request is the probe. Half-open with the probe
  // still out: no.
  bool try_admit(Clock::time_point now);

  // Makes the next try_admit() let one request through as a probe, whatever the interval says
  // (every backend that could answer is fenced, and trying one beats refusing the user: Envoy's
  // "panic" routing). A cool-down still holds.
  void force_probe();

  // The outcome of an admitted request.
  void record_success();
  void record_failure(Clock::time_point now);
  void record_neutral();  // it said nothing about the server's health (4xx, cancelled)

  // The server asked for a pause until `until` (Retry-After): no request goes before then.
  void cool_down(Clock::time_point until);

  State state() const { return state_; }
  Clock::time_point open_until() const { return open_until_; }
  Clock::time_point cooldown_until() const { return cooldown_until_; }
  unsigned consecutive_failures() const { return failures_; }
  // When this breaker next lets a request through (now, if it would already).
  Clock::time_point available_at(Clock::time_point now) const;

 private:
  void open(Clock::time_point now);

  Options options_;
  State state_ = State::Closed;
  unsigned failures_ = 0;
  unsigned reopened_ = 0;  // half-open probes that failed in a row: the doubling exponent
  bool probe_out_ = false;
  Clock::time_point open_until_{};
  Clock::time_point cooldown_until_{};
};

}  // namespace yollayah::backend::routing
