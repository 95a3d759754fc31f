// The surface side of any transport: send events, receive batches of messages. The TUI and the
// headless CLI use only this interface, whatever carries the bytes (in-process, Unix socket).
#pragma once

#include "protocol/envelope.hpp"
#include "protocol/messages.hpp"

#include <boost/asio/awaitable.hpp>

#include <vector>

namespace yollayah::transport {

namespace asio = boost::asio;

class ConductorLink {
 public:
  virtual ~ConductorLink() = default;

  // Never blocks.
  virtual void send(protocol::SurfaceEvent event) = 0;

  // Suspends until at least one message is pending, then appends all pending messages to
  // `batch`. Returns false once the link is closed and drained.
  virtual asio::awaitable<bool> receive(std::vector<protocol::EnvelopePtr>& batch) = 0;

  // Leaves: tells the Conductor, then stops delivery.
  virtual void close() = 0;
};

}  // namespace yollayah::transport
