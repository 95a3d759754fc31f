// One HTTP request on a gateway connection, and the ways a handler answers it: a whole response,
// or a chunked stream whose headers go out with the first piece. While a stream runs, the
// connection is watched, so a client that goes away cancels the work behind it at once.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace yollayah::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

class Exchange {
 public:
  Exchange(beast::tcp_stream& stream, beast::flat_buffer& buffer, Request request, std::chrono::milliseconds write_timeout);

  const Request& request() const { return request_; }
  Request& request() { return request_; }
  beast::tcp_stream& stream() { return stream_; }
  // Whether the connection may carry another request after this one.
  bool keep_alive() const { return keep_alive_ && !broken_; }
  void close_after() { keep_alive_ = false; }

  // A whole response (Content-Length set here). False when the write failed.
  asio::awaitable<bool> send(Response response);
  asio::awaitable<bool> send(http::status status, std::string_view content_type, std::string body);

  // A chunked response: begin() queues the headers, which go out with the first write().
  void begin(http::status status, std::string_view content_type);
  bool begun() const { return begun_; }
  asio::awaitable<bool> write(std::string_view piece);
  asio::awaitable<bool> end(std::string_view last_piece = {});  // the last chunk

  // Watches the socket while a response is produced: EOF or a reset calls `on_gone` (once) on the
  // connection's strand. Bytes of a pipelined next request are kept for it.
  void watch_peer(std::function<void()> on_gone);
  asio::awaitable<void> stop_watching();
  bool peer_gone() const { return peer_gone_; }

  // What stops the work behind this response (the gateway shutting down after its grace).
  void set_abort(std::function<void()> abort) { abort_ = std::move(abort); }
  void abort() {
    if (abort_) abort_();
  }

 private:
  void arm_watch();
  asio::awaitable<bool> write_raw(std::string_view bytes, bool chunk_framing);
  // Sends what the socket takes now without waiting: the count sent (0 when it would block).
  std::size_t try_send(const std::array<asio::const_buffer, 3>& pieces);

  beast::tcp_stream& stream_;
  beast::flat_buffer& buffer_;
  Request request_;
  std::chrono::milliseconds write_timeout_;
  bool keep_alive_;
  bool broken_ = false;
  bool begun_ = false;
  bool head_sent_ = false;
  std::string head_;  // the chunked response's header block until it is written
  std::string framed_;  // what goes before a piece: the header block, the chunk size
  // The watch: one read on the raw socket (outside the stream's timeouts), cancelled at the end.
  std::function<void()> on_gone_;
  std::function<void()> abort_;
  asio::cancellation_signal watch_cancel_;
  asio::steady_timer watch_done_;
  bool watching_ = false;
  bool stop_requested_ = false;
  bool peer_gone_ = false;
};

}  // namespace yollayah::gateway
