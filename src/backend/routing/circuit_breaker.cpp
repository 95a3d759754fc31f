#include "backend/routing/circuit_breaker.hpp"

#include <algorithm>

namespace yollayah::backend::routing {

bool CircuitBreaker::try_admit(Clock::time_point now) {
  if (now < cooldown_until_) return false;
  switch (state_) {
    case State::Closed: return true;
    case State::Open:
      if (now < open_until_) return false;
      state_ = State::HalfOpen;
      probe_out_ = true;
      return true;
    case State::HalfOpen:
      if (probe_out_) return false;
      probe_out_ = true;
      return true;
  }
  return false;
}

void CircuitBreaker::force_probe() {
  if (state_ == State::Closed) return;
  state_ = State::HalfOpen;
  probe_out_ = false;  // the next try_admit() takes the probe
}

void CircuitBreaker::record_success() {
  failures_ = 0;
  reopened_ = 0;
  probe_out_ = false;
  state_ = State::Closed;
}

void CircuitBreaker::record_failure(Clock::time_point now) {
  ++failures_;
  if (state_ == State::HalfOpen) {
    ++reopened_;
    open(now);
  } else if (state_ == State::Closed && failures_ >= options_.failure_threshold) {
    reopened_ = 0;
    open(now);
  }
  // Open: a request admitted before it opened failed late; the interval already runs.
}

void CircuitBreaker::record_neutral() {
  if (state_ == State::HalfOpen) probe_out_ = false;  // the next request may probe instead
}

void CircuitBreaker::cool_down(Clock::time_point until) { cooldown_until_ = std::max(cooldown_until_, until); }

CircuitBreaker::Clock::time_point CircuitBreaker::available_at(Clock::time_point now) const {
  auto at = now;
  if (state_ == State::Open) at = std::max(at, open_until_);
  return std::max(at, cooldown_until_);
}

void CircuitBreaker::open(Clock::time_point now) {
  state_ = State::Open;
  probe_out_ = false;
  auto interval = options_.open_base;
  for (unsigned i = 0; i < reopened_ && interval < options_.open_max; ++i) interval *= 2;
  open_until_ = now + std::min(interval, options_.open_max);
}

}  // namespace yollayah::backend::routing
