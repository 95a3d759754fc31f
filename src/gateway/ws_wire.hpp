// The WebSocket framing of a server-side surface connection (PROTOCOL.md "WebSocket framing"): one
// JSON message per text frame, no header. The payload of an encoded-once Unix frame is the same
// JSON, so fan-out shares one buffer across both transports.
#pragma once

#include "transport/surface_wire.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <string>

namespace yollayah::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;

class WsWire final : public transport::SurfaceWire {
 public:
  using Stream = beast::websocket::stream<beast::tcp_stream>;

  // `ws` has completed its upgrade handshake; its socket lives on a strand of its own.
  explicit WsWire(Stream ws);

  asio::any_io_executor get_executor() override { return ws_.get_executor(); }
  asio::awaitable<transport::WireRead> read() override;
  void set_max_payload_before_hello(std::size_t bytes) override;
  void hello_admitted() override;
  asio::awaitable<boost::system::error_code> write(std::span<const protocol::EnvelopePtr> batch) override;
  asio::awaitable<void> say_goodbye() override;
  void close() override;
  std::string_view kind() const override { return "websocket"; }

 private:
  Stream ws_;
  beast::flat_buffer buffer_;
  std::string scratch_;  // JSON of envelopes that came without a frame (merged Tokens)
};

}  // namespace yollayah::gateway
