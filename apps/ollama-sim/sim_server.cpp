#include "sim_server.hpp"

#include "sim_routes.hpp"

#include "core/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

namespace yollayah::sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

SimServer::SimServer(asio::io_context& ioc, SimContext& ctx, asio::ssl::context* tls)
    : ioc_(ioc), ctx_(ctx), tls_(tls), acceptor_(ioc) {}

tcp::endpoint SimServer::listen(const std::string& host, std::uint16_t port) {
  tcp::endpoint ep(asio::ip::make_address(host), port);
  acceptor_.open(ep.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  return acceptor_.local_endpoint();
}

void SimServer::start() { asio::co_spawn(ioc_, accept_loop(), asio::detached); }

void SimServer::stop() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

asio::awaitable<void> SimServer::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(kAwait);
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) {
      core::log().warn("accept failed: {}", ec.message());
      continue;
    }
    ++ctx_.stats.connections;
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(ioc_, session(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> SimServer::session(tcp::socket socket) {
  if (ctx_.options.accept_delay_ms > 0) {  // a server slow to take up a new connection
    asio::steady_timer timer(socket.get_executor(), std::chrono::milliseconds(ctx_.options.accept_delay_ms));
    co_await timer.async_wait(kAwait);
  }
  if (!tls_) {
    SimStream stream(std::move(socket));
    co_await serve(stream);
    co_return;
  }
  SimStream stream(std::move(socket), *tls_);
  if (auto ec = co_await stream.handshake()) {
    if (ctx_.options.verbose) core::log().info("TLS handshake failed: {}", ec.message());
    stream.drop();
    co_return;
  }
  co_await serve(stream);
}

asio::awaitable<void> SimServer::serve(SimStream& stream) {
  beast::flat_buffer buffer;
  bool open = true;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, kAwait);
    if (ec) {  // the client closed, or sent something that is not HTTP
      open = false;
      break;
    }
    if (!co_await handle_request(stream, ctx_, parser.get())) break;
  }
  // After a clean last answer (Connection: close) end politely; a peer that left needs no goodbye.
  if (open && stream.socket().is_open()) {
    co_await stream.close();
  } else {
    stream.drop();
  }
}

}  // namespace yollayah::sim
