// One accepted connection of ollama-sim, plain TCP or TLS, as a single Asio stream type so the
// routes and the streaming code are written once. The plain path costs one branch per operation.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <memory>

namespace yollayah::sim {

class SimStream {
 public:
  using executor_type = boost::asio::ip::tcp::socket::executor_type;
  using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

  explicit SimStream(boost::asio::ip::tcp::socket socket);
  SimStream(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& tls);

  executor_type get_executor() { return socket().get_executor(); }
  boost::asio::ip::tcp::socket& socket() { return tls_ ? tls_->next_layer() : plain_; }
  bool is_tls() const { return tls_ != nullptr; }

  // The server side of the TLS handshake; a plain stream has none and succeeds at once.
  boost::asio::awaitable<boost::system::error_code> handshake();

  // Reads and discards until the peer closes (or the connection fails): a silent server.
  boost::asio::awaitable<void> drain_until_closed();

  // An orderly end: close_notify on TLS (not waited for long), then FIN.
  boost::asio::awaitable<void> close();
  // FIN at once, without close_notify: the server vanishing.
  void drop();
  // RST (SO_LINGER 0): the connection reset mid-stream.
  void reset();

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& b) {
          if (tls_) {
            tls_->async_read_some(b, std::move(handler));
          } else {
            plain_.async_read_some(b, std::move(handler));
          }
        },
        token, buffers);
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& b) {
          if (tls_) {
            tls_->async_write_some(b, std::move(handler));
          } else {
            plain_.async_write_some(b, std::move(handler));
          }
        },
        token, buffers);
  }

 private:
  boost::asio::ip::tcp::socket plain_;  // unused (moved from) when tls_ is set
  std::unique_ptr<TlsStream> tls_;
};

}  // namespace yollayah::sim
