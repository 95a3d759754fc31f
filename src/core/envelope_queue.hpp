// A bounded, thread-safe queue of outbound envelopes for one surface, with the backpressure policy
// of DESIGN.md: past the soft limit consecutive Tokens of one message merge (no text is lost); past
// the hard limit the queue is dropped and marked overflowed, so the owner can send a snapshot.
// One consumer awaits it with wait(); any thread may push. Merging appends in place to a Token the
// queue owns (amortised O(1) per push), so a surface that stopped reading costs its producer no
// more than one that reads.
#pragma once

#include "protocol/envelope.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>

#include <cstddef>
#include <mutex>
#include <vector>

namespace yollayah::core {

namespace asio = boost::asio;

class EnvelopeQueue {
 public:
  struct Limits {
    std::size_t soft = 1024;  // above this, merge consecutive Tokens
    std::size_t hard = 8192;  // above this, drop everything and flag overflow
  };

  EnvelopeQueue(asio::any_io_executor consumer_executor, Limits limits);
  explicit EnvelopeQueue(asio::any_io_executor consumer_executor) : EnvelopeQueue(consumer_executor, Limits{}) {}

  enum class PushResult : std::uint8_t {
    Queued,
    Merged,      // folded into the previous Token of the same message
    Overflowed,  // the surface fell too far behind: everything queued was dropped, this included
    Closed,
  };

  // Producer side. Never blocks beyond a short critical section.
  PushResult push(protocol::EnvelopePtr envelope);
  void close();

  // Consumer side: suspends until something is pending (or the queue closed), then moves every
  // pending envelope into `out`. Returns false when the queue is closed and empty.
  asio::awaitable<bool> wait_and_drain(std::vector<protocol::EnvelopePtr>& out);

  std::size_t merged_tokens() const;

 private:
  bool try_merge_token_locked(const protocol::EnvelopePtr& envelope);
  void forget_merge_target_locked();

  using Signal = asio::experimental::concurrent_channel<void(boost::system::error_code)>;
  mutable std::mutex mutex_;
  std::vector<protocol::EnvelopePtr> pending_;
  // The queue's own Token envelope at pending_.back() that merges append to, or null. Never shared
  // before the consumer takes it (under the mutex); envelopes pushed by producers are never touched.
  std::shared_ptr<protocol::Envelope> merge_target_;
  Limits limits_;
  bool closed_ = false;
  std::size_t merged_ = 0;
  Signal signal_;
};

}  // namespace yollayah::core
