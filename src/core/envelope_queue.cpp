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
      forget_merge_target_locked();
      return PushResult::Overflowed;
    }
    wake = pending_.empty();
    forget_merge_target_locked();  // no longer at the back
    pending_.push_back(std::move(envelope));
  }
  // Only the empty → non-empty transition needs a wake-up; the consumer drains everything.
  if (wake) signal_.try_send(boost::system::error_code{});
  return PushResult::Queued;
}

bool EnvelopeQueue::try_merge_token_locked(const protocol::EnvelopePtr& envelope) {
  const auto* next = std::get_if<protocol::msg::Token>(&envelope->message);
  if (!next || pending_.empty()) return false;
  const auto* last = std::get_if<protocol::msg::Token>(&pending_.back()->message);
  if (!last || last->message_id != next->message_id) return false;
  if (!merge_target_) {
    // The back is shared with other surfaces and immutable: copy it once into an envelope of our
    // own, with room to grow; later merges append to that one.
    auto own = std::make_shared<protocol::Envelope>();
    protocol::msg::Token merged{last->message_id, {}};
    merged.text.reserve(2 * (last->text.size() + next->text.size()));
    merged.text.append(last->text);
    own->message = std::move(merged);
    pending_.back() = own;
    merge_target_ = std::move(own);
  }
  std::get<protocol::msg::Token>(merge_target_->message).text.append(next->text);
  ++merged_;
  return true;
}

void EnvelopeQueue::forget_merge_target_locked() { merge_target_.reset(); }

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
        forget_merge_target_locked();  // the consumer owns it from here: never appended to again
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
