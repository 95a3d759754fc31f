#include "gateway/exchange.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/http/write.hpp>

#include <array>
#include <cstdio>

namespace yollayah::gateway {
namespace {
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kWatchRead = 4096;
// Past this much of a pipelined request waiting in the buffer, the watch stops reading.
constexpr std::size_t kMaxPipelined = 64 * 1024;
}  // namespace

Exchange::Exchange(beast::tcp_stream& stream, beast::flat_buffer& buffer, Request request,
                   std::chrono::milliseconds write_timeout)
    : stream_(stream),
      buffer_(buffer),
      request_(std::move(request)),
      write_timeout_(write_timeout),
      keep_alive_(request_.keep_alive()),
      watch_done_(stream.get_executor()) {}

asio::awaitable<bool> Exchange::send(Response response) {
  response.version(request_.version());
  response.keep_alive(keep_alive());
  response.prepare_payload();
  if (request_.method() == http::verb::head) {
    // The GET's headers, its length included, and no body: bytes after them would be read as the
    // next response on a keep-alive connection.
    const auto length = response.body().size();
    response.body().clear();
    response.content_length(length);
  }
  stream_.expires_after(write_timeout_);
  auto [ec, n] = co_await http::async_write(stream_, response, kAwait);
  stream_.expires_never();
  if (ec) broken_ = true;
  co_return !ec;
}

asio::awaitable<bool> Exchange::send(http::status status, std::string_view content_type, std::string body) {
  Response response{status, request_.version()};
  response.set(http::field::content_type, content_type);
  response.set(http::field::cache_control, "no-store");
  response.body() = std::move(body);
  co_return co_await send(std::move(response));
}

void Exchange::begin(http::status status, std::string_view content_type) {
  begun_ = true;
  http::response<http::empty_body> head{status, request_.version()};
  head.set(http::field::content_type, content_type);
  head.set(http::field::cache_control, "no-store");
  head.set(http::field::transfer_encoding, "chunked");
  head.keep_alive(keep_alive());
  // The header block as text: it goes out with the first chunk, in one write.
  http::fields::writer fr{head, head.version(), head.result_int()};
  head_.clear();
  const auto buffers = fr.get();
  for (const auto b : beast::buffers_range_ref(buffers)) head_.append(static_cast<const char*>(b.data()), b.size());
}

asio::awaitable<bool> Exchange::write_raw(std::string_view bytes, bool chunk_framing) {
  if (broken_) co_return false;
  // The framing around the bytes, which go out from where they are (one sendmsg of three pieces):
  // a batch of tokens is not copied again.
  framed_.clear();
  if (!head_sent_) {
    framed_ = head_;
    head_sent_ = true;
  }
  const bool framed = chunk_framing && !bytes.empty();
  if (framed) {
    char size[24];
    const int n = std::snprintf(size, sizeof size, "%zx\r\n", bytes.size());
    framed_.append(size, static_cast<std::size_t>(n));
  }
  const std::array<asio::const_buffer, 3> pieces{asio::buffer(framed_), asio::buffer(bytes.data(), bytes.size()),
                                                 asio::buffer(framed ? "\r\n" : "", framed ? 2 : 0)};
  beast::buffers_suffix<std::array<asio::const_buffer, 3>> rest(pieces);
  // Most pieces fit in the socket's send buffer: one non-blocking send, without the timer, the
  // suspension and the trip through the loop of an asynchronous write. What does not fit goes the
  // asynchronous way, under the write timeout.
  rest.consume(try_send(pieces));
  if (broken_) co_return false;
  if (beast::buffer_bytes(rest) == 0) co_return true;
  stream_.expires_after(write_timeout_);
  auto [ec, n] = co_await asio::async_write(stream_, rest, kAwait);
  stream_.expires_never();
  if (ec) broken_ = true;
  co_return !ec;
}

std::size_t Exchange::try_send(const std::array<asio::const_buffer, 3>& pieces) {
  auto& socket = stream_.socket();
  boost::system::error_code ec;
  if (!socket.non_blocking()) socket.non_blocking(true, ec);
  if (ec) return 0;
  const std::size_t n = socket.write_some(pieces, ec);  // async-ok: non-blocking, would_block at once
  if (ec == asio::error::would_block || ec == asio::error::try_again) return 0;
  if (ec) {
    broken_ = true;
    return 0;
  }
  return n;
}

asio::awaitable<bool> Exchange::write(std::string_view piece) {
  if (piece.empty() && head_sent_) co_return !broken_;
  co_return co_await write_raw(piece, true);
}

asio::awaitable<bool> Exchange::end(std::string_view last_piece) {
  std::string tail;
  if (!last_piece.empty()) {
    char size[24];
    const int n = std::snprintf(size, sizeof size, "%zx\r\n", last_piece.size());
    tail.append(size, static_cast<std::size_t>(n)).append(last_piece).append("\r\n");
  }
  tail.append("0\r\n\r\n");
  co_return co_await write_raw(tail, false);
}

void Exchange::watch_peer(std::function<void()> on_gone) {
  on_gone_ = std::move(on_gone);
  stop_requested_ = false;
  watching_ = true;
  arm_watch();
}

void Exchange::arm_watch() {
  if (buffer_.size() >= kMaxPipelined || stop_requested_) {
    watching_ = false;
    watch_done_.cancel();
    return;
  }
  auto space = buffer_.prepare(kWatchRead);
  stream_.socket().async_read_some(
      space, asio::bind_cancellation_slot(watch_cancel_.slot(), [this](boost::system::error_code ec, std::size_t n) {
        if (!ec) {
          buffer_.commit(n);
          arm_watch();
          return;
        }
        if (ec != asio::error::operation_aborted && !peer_gone_) {
          peer_gone_ = true;
          broken_ = true;
          if (on_gone_) on_gone_();
        }
        watching_ = false;
        watch_done_.cancel();
      }));
}

asio::awaitable<void> Exchange::stop_watching() {
  stop_requested_ = true;
  if (!watching_) co_return;
  watch_cancel_.emit(asio::cancellation_type::all);
  while (watching_) {
    watch_done_.expires_after(std::chrono::hours(1));
    co_await watch_done_.async_wait(kAwait);
  }
}

}  // namespace yollayah::gateway
