#include "backend/connection_pool.hpp"

#include "backend/connection.hpp"

#include <algorithm>

namespace yollayah::backend {

ConnectionPool::ConnectionPool(std::size_t max_idle, Clock::duration max_age) : max_idle_(max_idle), max_age_(max_age) {}
ConnectionPool::~ConnectionPool() = default;

std::unique_ptr<Connection> ConnectionPool::take(Clock::time_point now) {
  std::vector<Idle> expired;  // closed outside the lock
  std::unique_ptr<Connection> out;
  {
    std::lock_guard lock(mutex_);
    auto fresh = std::find_if(idle_.begin(), idle_.end(), [&](const Idle& i) { return now - i.since <= max_age_; });
    std::move(idle_.begin(), fresh, std::back_inserter(expired));
    idle_.erase(idle_.begin(), fresh);
    if (!idle_.empty()) {
      out = std::move(idle_.back().connection);
      idle_.pop_back();
    }
  }
  return out;
}

void ConnectionPool::put(std::unique_ptr<Connection> connection, Clock::time_point now) {
  if (!connection || !connection->tcp().socket().is_open() || max_idle_ == 0) return;
  std::unique_ptr<Connection> evicted;
  std::lock_guard lock(mutex_);
  if (idle_.size() >= max_idle_) {
    evicted = std::move(idle_.front().connection);
    idle_.erase(idle_.begin());
  }
  idle_.push_back({std::move(connection), now});
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
