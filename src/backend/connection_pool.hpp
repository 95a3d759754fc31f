// Idle keep-alive connections to one server. LIFO (the most recently used socket first, the one
// least likely to have been closed by the peer), at most max_idle of them, and none idle longer
// than max_age. Age is checked lazily when taking, so nothing wakes up while the pool sits idle.
#pragma once

#include <boost/beast/core/tcp_stream.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace yollayah::backend {

class ConnectionPool {
 public:
  using Clock = std::chrono::steady_clock;
  using Stream = boost::beast::tcp_stream;

  ConnectionPool(std::size_t max_idle, Clock::duration max_age) : max_idle_(max_idle), max_age_(max_age) {}

  // The freshest idle connection, or null. Connections past max_age are closed on the way.
  std::unique_ptr<Stream> take(Clock::time_point now = Clock::now());

  // Parks a connection that finished a response cleanly. When full, the oldest is closed.
  void put(std::unique_ptr<Stream> stream, Clock::time_point now = Clock::now());

  std::size_t idle() const;
  void clear();

 private:
  struct Idle {
    std::unique_ptr<Stream> stream;
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
