// The surface side of any transport: send events, receive batches of messages. The TUI and the
// headless CLI use only this interface, whatever carries the bytes (in-process, Unix socket).
#pragma once

#include "protocol/envelope.hpp"
#include "protocol/messages.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <vector>

namespace yollayah::transport {

namespace asio = boost::asio;

// Where a link stands with the Conductor, for the surface to show ("reconnecting…").
enum class LinkState : std::uint8_t {
  Connecting,    // not connected yet: the first connect is under way (or not started)
  Connected,     // the connection is up
  Reconnecting,  // the connection dropped; the link is waiting to retry, or retrying
  Closed,        // for good: the surface closed it, or it dropped and the link does not reconnect
};

constexpr const char* to_string(LinkState s) {
  switch (s) {
    case LinkState::Connecting: return "connecting";
    case LinkState::Connected: return "connected";
    case LinkState::Reconnecting: return "reconnecting";
    case LinkState::Closed: return "closed";
  }
  return "?";
}

class ConductorLink {
 public:
  virtual ~ConductorLink() = default;

  // Never blocks.
  virtual void send(protocol::SurfaceEvent event) = 0;

  // Suspends until at least one message is pending, then appends all pending messages to
  // `batch`. Returns false once the link is closed and drained.
  // It also returns true, possibly with nothing appended, whenever state() has changed since the
  // last call, so a surface waiting here re-reads state() (the change to Closed is the `false`).
  virtual asio::awaitable<bool> receive(std::vector<protocol::EnvelopePtr>& batch) = 0;

  // The connection as of now; read it on the surface's loop. A link that cannot lose its
  // Conductor (in-process) is always Connected.
  virtual LinkState state() const { return LinkState::Connected; }

  // Leaves: tells the Conductor, then stops delivery.
  virtual void close() = 0;
};

}  // namespace yollayah::transport
