#include "core/envelope_queue.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace yollayah::core {

EnvelopeQueue::EnvelopeQueue(asio::any_io_executor consumer_executor, Limits limits)
    : limits_(limits), signal_(consumer_executor, 1) {}

EnvelopeQueue::PushResult EnvelopeQueue::push(protocol::EnvelopePtr envelope) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return PushResult::Closed;
    if (pending_.size() >= limits_.soft && try_merge_token_locked(envelope)) return PushResult::Merged;
    if (pending_.size() >= limits_.hard) {
      // The owner replaces what was lost with a snapshot; queued text is not silently dropped.
      pending_.clear();
      return PushResult::Overflowed;
    }
    wake = pending_.empty();
    pending_.push_back(std::move(envelope));
  }
  // Only the empty → non-empty transition needs a wake-up; the consumer drains everything.
  if (wake) signal_.try_send(boost::system::error_code{});
  return PushResult::Queued;
}

bool EnvelopeQueue::try_merge_token_locked(const protocol::EnvelopePtr& envelope) {
  auto* next = std::get_if<protocol::msg::Token>(&envelope->message);
  if (!next || pending_.empty()) return false;
  auto* last = std::get_if<protocol::msg::Token>(&pending_.back()->message);
  if (!last || last->message_id != next->message_id) return false;
  // Envelopes are immutable and shared with other surfaces: build a merged copy for this one.
  protocol::msg::Token merged{last->message_id, last->text + next->text};
  pending_.back() = std::make_shared<const protocol::Envelope>(protocol::Envelope{std::move(merged), {}});
  ++merged_;
  return true;
}

void EnvelopeQueue::close() {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;
  }
  signal_.try_send(boost::system::error_code{});
}

asio::awaitable<bool> EnvelopeQueue::wait_and_drain(std::vector<protocol::EnvelopePtr>& out) {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (!pending_.empty()) {
        if (out.empty()) {
          out.swap(pending_);
        } else {
          out.insert(out.end(), pending_.begin(), pending_.end());
          pending_.clear();
        }
        co_return true;
      }
      if (closed_) co_return false;
    }
    auto [ec] = co_await signal_.async_receive(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return false;  // cancelled: the consumer is going away
  }
}

std::size_t EnvelopeQueue::merged_tokens() const {
  std::lock_guard lock(mutex_);
  return merged_;
}

}  // namespace yollayah::core
