// Idle keep-alive connections to one server. LIFO (the most recently used socket first, the one
// least likely to have been closed by the peer), at most max_idle of them, and none idle longer
// than max_age. Age is checked lazily when taking, so nothing wakes up while the pool sits idle.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace yollayah::backend {

class Connection;  // backend/connection.hpp

class ConnectionPool {
 public:
  using Clock = std::chrono::steady_clock;

  ConnectionPool(std::size_t max_idle, Clock::duration max_age);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // The freshest idle connection, or null. Connections past max_age are closed on the way.
  std::unique_ptr<Connection> take(Clock::time_point now = Clock::now());

  // Parks a connection that finished a response cleanly. When full, the oldest is closed.
  void put(std::unique_ptr<Connection> connection, Clock::time_point now = Clock::now());

  std::size_t idle() const;
  void clear();

 private:
  struct Idle {
    std::unique_ptr<Connection> connection;
    Clock::time_point since;
  };

  // Callers may sit on different strands of a multi-threaded io_context; the lock covers only
  // these few vector operations, never I/O.
  mutable std::mutex mutex_;
  std::vector<Idle> idle_;  // oldest first
  std::size_t max_idle_;
  Clock::duration max_age_;
};

}  // namespace yollayah::backend
