// How one server-side surface connection moves whole messages: the Unix socket's length+CRC frames
// (UnixWire) or WebSocket text frames (gateway). ServerConnection, the connection core, holds
// everything else (hello, auth, rate, heartbeat, queue, Resync) and sees only this interface.
#pragma once

#include "protocol/envelope.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace yollayah::transport {

namespace asio = boost::asio;

struct WireRead {
  enum class Status : std::uint8_t {
    Payload,  // `payload` holds one whole message, valid until the next read
    Closed,   // the peer closed the connection
    Broken,   // framing can no longer be trusted (CRC, oversize): close with `reason`
    Failed,   // a read error: `reason`
  };
  Status status = Status::Closed;
  std::string_view payload;
  std::string reason;
};

class SurfaceWire {
 public:
  virtual ~SurfaceWire() = default;

  // The strand every operation of this wire (and of its connection) runs on.
  virtual asio::any_io_executor get_executor() = 0;

  // Reads until one whole payload is in, or the connection ends. Until hello_admitted(), payloads
  // are limited to `max_payload_before_hello` and nothing past the current one is read.
  virtual asio::awaitable<WireRead> read() = 0;
  virtual void set_max_payload_before_hello(std::size_t bytes) = 0;
  // The peer said an admitted hello: full-size payloads (PROTOCOL.md's 10 MiB) from now on.
  virtual void hello_admitted() = 0;

  // Writes `batch` in order. An envelope whose `frame` is set is written from that shared,
  // encoded-once buffer; one without (a merged Token) is encoded here.
  virtual asio::awaitable<boost::system::error_code> write(std::span<const protocol::EnvelopePtr> batch) = 0;

  // A last word at the framing level after the last message (WebSocket: a close frame). Bounded.
  virtual asio::awaitable<void> say_goodbye() { co_return; }

  // Closes the connection at once; pending operations end with an error.
  virtual void close() = 0;

  // For logs: "unix" or "websocket".
  virtual std::string_view kind() const = 0;
};

}  // namespace yollayah::transport
