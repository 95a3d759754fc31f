// The in-process transport: a surface in the same process as the Conductor. Events are posted to
// the session strand as values; messages arrive as shared envelopes through a bounded queue
// (core::EnvelopeQueue), so nothing is serialized and a slow surface never stalls the session.
#pragma once

#include "conductor/conductor.hpp"
#include "core/envelope_queue.hpp"
#include "transport/link.hpp"

#include <memory>

namespace yollayah::transport {

class InProcessLink final : public ConductorLink {
 public:
  // `surface_executor` is where the surface awaits receive() (its own loop, possibly another
  // thread than the Conductor's).
  InProcessLink(conductor::Conductor& conductor, asio::any_io_executor surface_executor,
                core::EnvelopeQueue::Limits limits = {});
  // Joins a given session instead of the main one.
  InProcessLink(conductor::Conductor& conductor, std::shared_ptr<conductor::Session> session,
                asio::any_io_executor surface_executor, core::EnvelopeQueue::Limits limits = {});
  ~InProcessLink() override;

  void send(protocol::SurfaceEvent event) override;
  asio::awaitable<bool> receive(std::vector<protocol::EnvelopePtr>& batch) override;
  void close() override;

  std::size_t merged_tokens() const { return queue_->merged_tokens(); }

 private:
  std::shared_ptr<conductor::Session> session_;
  conductor::SurfaceId id_;
  std::shared_ptr<core::EnvelopeQueue> queue_;
  bool closed_ = false;
};

}  // namespace yollayah::transport
