// ollama-sim's HTTP/1.1 server: an accept loop and one keep-alive session coroutine per
// connection, all on one io_context thread.
#pragma once

#include "sim_context.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace yollayah::sim {

class SimServer {
 public:
  SimServer(boost::asio::io_context& ioc, SimContext& ctx);

  // Binds and listens; throws on failure (start-up only). Returns the bound endpoint.
  boost::asio::ip::tcp::endpoint listen(const std::string& host, std::uint16_t port);
  void start();
  void stop();

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  SimContext& ctx_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace yollayah::sim
