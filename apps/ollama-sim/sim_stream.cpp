#include "sim_stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>

namespace yollayah::sim {

namespace asio = boost::asio;
using asio::ip::tcp;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

SimStream::SimStream(tcp::socket socket) : plain_(std::move(socket)) {}

SimStream::SimStream(tcp::socket socket, asio::ssl::context& tls)
    : plain_(socket.get_executor()), tls_(std::make_unique<TlsStream>(std::move(socket), tls)) {}

asio::awaitable<boost::system::error_code> SimStream::handshake() {
  if (!tls_) co_return boost::system::error_code{};
  auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::server, kAwait);
  co_return ec;
}

asio::awaitable<void> SimStream::drain_until_closed() {
  auto sink = std::make_unique<char[]>(512);  // off the coroutine frame
  for (;;) {
    auto [ec, n] = co_await async_read_some(asio::buffer(sink.get(), 512), kAwait);
    if (ec) break;
  }
}

asio::awaitable<void> SimStream::close() {
  if (tls_) {
    // async_shutdown waits for the peer's close_notify, which many clients never send: bound it.
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer timer(get_executor(), std::chrono::milliseconds(500));
    co_await (tls_->async_shutdown(kAwait) || timer.async_wait(kAwait));
  }
  boost::system::error_code ignored;
  socket().shutdown(tcp::socket::shutdown_send, ignored);
  socket().close(ignored);
}

void SimStream::drop() {
  boost::system::error_code ignored;
  socket().shutdown(tcp::socket::shutdown_both, ignored);
  socket().close(ignored);
}

void SimStream::reset() {
  boost::system::error_code ignored;
  socket().set_option(asio::socket_base::linger(true, 0), ignored);
  socket().close(ignored);
}

}  // namespace yollayah::sim
