#include "backend/connection_pool.hpp"

#include <algorithm>

namespace yollayah::backend {

std::unique_ptr<ConnectionPool::Stream> ConnectionPool::take(Clock::time_point now) {
  std::vector<Idle> expired;  // closed outside the lock
  std::unique_ptr<Stream> out;
  {
    std::lock_guard lock(mutex_);
    auto fresh = std::find_if(idle_.begin(), idle_.end(), [&](const Idle& i) { return now - i.since <= max_age_; });
    std::move(idle_.begin(), fresh, std::back_inserter(expired));
    idle_.erase(idle_.begin(), fresh);
    if (!idle_.empty()) {
      out = std::move(idle_.back().stream);
      idle_.pop_back();
    }
  }
  return out;
}

void ConnectionPool::put(std::unique_ptr<Stream> stream, Clock::time_point now) {
  if (!stream || !stream->socket().is_open() || max_idle_ == 0) return;
  std::unique_ptr<Stream> evicted;
  std::lock_guard lock(mutex_);
  if (idle_.size() >= max_idle_) {
    evicted = std::move(idle_.front().stream);
    idle_.erase(idle_.begin());
  }
  idle_.push_back({std::move(stream), now});
}

std::size_t ConnectionPool::idle() const {
  std::lock_guard lock(mutex_);
  return idle_.size();
}

void ConnectionPool::clear() {
  std::vector<Idle> dropped;
  std::lock_guard lock(mutex_);
  dropped.swap(idle_);
}

}  // namespace yollayah::backend
