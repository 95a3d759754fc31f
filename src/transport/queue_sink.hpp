// The SurfaceSink every transport uses: it pushes envelopes into the surface's bounded queue and
// maps the queue's verdict to the session's; the transport's own reader or writer drains it.
#pragma once

#include "conductor/surface.hpp"
#include "core/envelope_queue.hpp"

#include <memory>

namespace yollayah::transport {

class QueueSink final : public conductor::SurfaceSink {
 public:
  // `frames`: the surface is a socket and needs each message's encoded frame.
  QueueSink(std::shared_ptr<core::EnvelopeQueue> queue, bool frames) : queue_(std::move(queue)), frames_(frames) {}

  Delivery deliver(const protocol::EnvelopePtr& envelope) override {
    switch (queue_->push(envelope)) {
      case core::EnvelopeQueue::PushResult::Overflowed: return Delivery::FellBehind;
      case core::EnvelopeQueue::PushResult::Closed: return Delivery::Gone;
      case core::EnvelopeQueue::PushResult::Queued:
      case core::EnvelopeQueue::PushResult::Merged: break;
    }
    return Delivery::Ok;
  }
  bool wants_frames() const override { return frames_; }
  void close() override { queue_->close(); }

 private:
  std::shared_ptr<core::EnvelopeQueue> queue_;
  bool frames_;
};

}  // namespace yollayah::transport
