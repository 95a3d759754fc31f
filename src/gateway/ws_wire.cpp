#include "gateway/ws_wire.hpp"

#include "protocol/frame.hpp"
#include "protocol/json_codec.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/websocket/error.hpp>

namespace yollayah::gateway {
namespace {
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
namespace websocket = beast::websocket;
using transport::WireRead;
}  // namespace

WsWire::WsWire(Stream ws) : ws_(std::move(ws)) {}

void WsWire::set_max_payload_before_hello(std::size_t bytes) { ws_.read_message_max(bytes); }

void WsWire::hello_admitted() { ws_.read_message_max(protocol::kMaxFramePayload); }

asio::awaitable<WireRead> WsWire::read() {
  buffer_.clear();
  auto [ec, n] = co_await ws_.async_read(buffer_, kAwait);
  if (ec == websocket::error::closed || ec == asio::error::eof || ec == asio::error::operation_aborted)
    co_return WireRead{};
  if (ec == websocket::error::message_too_big)
    co_return WireRead{WireRead::Status::Broken, {}, "a WebSocket message over the size limit"};
  if (ec) co_return WireRead{WireRead::Status::Failed, {}, "read failed: " + ec.message()};
  const auto data = buffer_.cdata();
  // A binary frame is read as its bytes: if they are no JSON message, the core says so.
  co_return WireRead{WireRead::Status::Payload, std::string_view(static_cast<const char*>(data.data()), data.size()), {}};
}

asio::awaitable<boost::system::error_code> WsWire::write(std::span<const protocol::EnvelopePtr> batch) {
  ws_.text(true);
  for (const auto& e : batch) {
    std::string_view payload;
    if (e->frame.size() >= protocol::kFrameHeaderSize) {
      payload = std::string_view(e->frame).substr(protocol::kFrameHeaderSize);
    } else {
      scratch_.clear();
      protocol::encode_into(scratch_, e->message);
      payload = scratch_;
    }
    auto [ec, n] = co_await ws_.async_write(asio::buffer(payload.data(), payload.size()), kAwait);
    if (ec) co_return ec;
  }
  co_return boost::system::error_code{};
}

asio::awaitable<void> WsWire::say_goodbye() {
  // The close handshake is bounded by the stream's own timeout (set at the upgrade).
  co_await ws_.async_close(websocket::close_code::normal, kAwait);
}

void WsWire::close() {
  boost::system::error_code ignored;
  auto& socket = beast::get_lowest_layer(ws_).socket();
  socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

}  // namespace yollayah::gateway
