// At most N streams at once to one backend; further requests wait in a bounded FIFO queue, each
// for at most its own timeout (Envoy's max_requests / max_pending_requests). A waiter sleeps on a
// timer of its own: a released permit wakes exactly the first waiter, and an idle limit holds no
// timer at all. Cancelling the waiting coroutine (its cancellation slot) leaves the queue at once.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>

namespace yollayah::backend::routing {

class ConcurrencyLimit {
 public:
  // One stream's right to run; hands itself on to the next waiter (or frees the slot) when it goes.
  class Permit {
   public:
    Permit() = default;
    explicit Permit(ConcurrencyLimit* owner) : owner_(owner) {}
    Permit(Permit&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)) {}
    Permit& operator=(Permit&& other) noexcept;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit() { release(); }
    explicit operator bool() const { return owner_ != nullptr; }
    void release();

   private:
    ConcurrencyLimit* owner_ = nullptr;
  };

  enum class Refusal : std::uint8_t { QueueFull, Timeout, Cancelled };

  ConcurrencyLimit(std::size_t max_active, std::size_t max_queue);
  ~ConcurrencyLimit();
  ConcurrencyLimit(const ConcurrencyLimit&) = delete;
  ConcurrencyLimit& operator=(const ConcurrencyLimit&) = delete;

  // A free slot now, or an empty Permit.
  Permit try_acquire();

  // A slot, waiting up to `timeout` behind earlier waiters. QueueFull at once when max_queue
  // requests already wait.
  boost::asio::awaitable<boost::system::result<Permit, Refusal>> acquire(std::chrono::milliseconds timeout);

  std::size_t active() const;
  std::size_t queued() const;
  std::size_t max_active() const { return max_active_; }
  std::size_t max_queue() const { return max_queue_; }
  bool queue_full() const;

 private:
  struct Waiter;
  void release_one();

  const std::size_t max_active_;
  const std::size_t max_queue_;
  // Callers may sit on different strands; the lock covers only these counters and the queue,
  // never an await.
  mutable std::mutex mutex_;
  std::size_t active_ = 0;
  std::deque<std::shared_ptr<Waiter>> waiters_;
};

}  // namespace yollayah::backend::routing
