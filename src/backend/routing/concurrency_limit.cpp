#include "backend/routing/concurrency_limit.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace yollayah::backend::routing {

namespace asio = boost::asio;

// Lives on the waiter's executor; shared so that a wake-up posted just as the waiter times out
// never touches a destroyed timer.
struct ConcurrencyLimit::Waiter {
  explicit Waiter(const asio::any_io_executor& ex) : timer(ex) {}
  asio::steady_timer timer;
  bool granted = false;  // guarded by the limit's mutex
};

ConcurrencyLimit::Permit& ConcurrencyLimit::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::exchange(other.owner_, nullptr);
  }
  return *this;
}

void ConcurrencyLimit::Permit::release() {
  if (auto* owner = std::exchange(owner_, nullptr)) owner->release_one();
}

ConcurrencyLimit::ConcurrencyLimit(std::size_t max_active, std::size_t max_queue)
    : max_active_(std::max<std::size_t>(max_active, 1)), max_queue_(max_queue) {}

ConcurrencyLimit::~ConcurrencyLimit() = default;

ConcurrencyLimit::Permit ConcurrencyLimit::try_acquire() {
  std::lock_guard lock(mutex_);
  if (active_ >= max_active_ || !waiters_.empty()) return Permit();
  ++active_;
  return Permit(this);
}

asio::awaitable<boost::system::result<ConcurrencyLimit::Permit, ConcurrencyLimit::Refusal>> ConcurrencyLimit::acquire(
    std::chrono::milliseconds timeout) {
  auto waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor);
  {
    std::lock_guard lock(mutex_);
    if (active_ < max_active_ && waiters_.empty()) {
      ++active_;
      co_return Permit(this);
    }
    if (waiters_.size() >= max_queue_) co_return Refusal::QueueFull;
    waiters_.push_back(waiter);
  }
  waiter->timer.expires_after(timeout);
  auto [ec] = co_await waiter->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  (void)ec;  // expired, woken by a release, or cancelled: `granted` and the slot tell which
  bool granted = false;
  {
    std::lock_guard lock(mutex_);
    granted = waiter->granted;
    if (!granted) std::erase(waiters_, waiter);
  }
  const auto cancel = co_await asio::this_coro::cancellation_state;
  const bool cancelled = cancel.cancelled() != asio::cancellation_type::none;
  if (granted) {
    Permit permit(this);
    if (cancelled) co_return Refusal::Cancelled;  // the permit passes on as it goes out of scope
    co_return permit;
  }
  co_return cancelled ? Refusal::Cancelled : Refusal::Timeout;
}

void ConcurrencyLimit::release_one() {
  std::shared_ptr<Waiter> next;
  {
    std::lock_guard lock(mutex_);
    if (waiters_.empty()) {
      --active_;
      return;
    }
    next = std::move(waiters_.front());  // the slot passes straight to it: active_ is unchanged
    waiters_.pop_front();
    next->granted = true;
  }
  auto ex = next->timer.get_executor();
  asio::post(ex, [next] { next->timer.cancel(); });
}

std::size_t ConcurrencyLimit::active() const {
  std::lock_guard lock(mutex_);
  return active_;
}

std::size_t ConcurrencyLimit::queued() const {
  std::lock_guard lock(mutex_);
  return waiters_.size();
}

bool ConcurrencyLimit::queue_full() const {
  std::lock_guard lock(mutex_);
  return waiters_.size() >= max_queue_;
}

}  // namespace yollayah::backend::routing
