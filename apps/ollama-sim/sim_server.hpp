// ollama-sim's HTTP/1.1 server, plain or HTTPS: an accept loop and one keep-alive session
// coroutine per connection, all on one io_context thread.
#pragma once

#include "sim_context.hpp"
#include "sim_stream.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

namespace yollayah::sim {

class SimServer {
 public:
  // `tls`: serve HTTPS with this context (it must outlive the server); null: plain HTTP.
  SimServer(boost::asio::io_context& ioc, SimContext& ctx, boost::asio::ssl::context* tls = nullptr);

  // Binds and listens; throws on failure (start-up only). Returns the bound endpoint.
  boost::asio::ip::tcp::endpoint listen(const std::string& host, std::uint16_t port);
  void start();
  void stop();

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket socket);
  boost::asio::awaitable<void> serve(SimStream& stream);

  boost::asio::io_context& ioc_;
  SimContext& ctx_;
  boost::asio::ssl::context* tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace yollayah::sim
