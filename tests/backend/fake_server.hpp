// A scripted HTTP(S) server for backend tests, on the test's own io_context (127.0.0.1, port 0):
// it records each request and writes the raw reply a handler returns, or plays a broken peer
// (accepts and says nothing; answers and then goes silent).
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace yollayah::backend::testing {

namespace fake {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Request = http::request<http::string_body>;

struct Reply {
  std::string raw;    // written as is: status line, headers, body
  bool hang = false;  // after writing, keep the connection open and say nothing more
  std::chrono::milliseconds delay{0};  // before writing (a model that takes its time)
};

// "HTTP/1.1 STATUS …" with a Content-Length body and any extra header lines ("Name: value\r\n").
inline std::string response(unsigned status, const std::string& body, const std::string& headers = {},
                            const std::string& content_type = "application/json") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: " + content_type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + headers + "\r\n" + body;
}

// A chunked 200 answer whose body is `chunks`, each its own HTTP chunk, then the terminator.
inline std::string chunked(const std::vector<std::string>& chunks, const std::string& content_type) {
  std::string out = "HTTP/1.1 200 OK\r\nContent-Type: " + content_type + "\r\nTransfer-Encoding: chunked\r\n\r\n";
  char size[32];
  for (const auto& c : chunks) {
    if (c.empty()) continue;
    std::snprintf(size, sizeof size, "%zx\r\n", c.size());
    out += size + c + "\r\n";
  }
  return out + "0\r\n\r\n";
}

class Server {
 public:
  using Handler = std::function<Reply(const Request&)>;
  enum class Mode { Answer, Mute };  // Mute: accept, then read and never write (a hung peer)

  Server(asio::io_context& ioc, Handler handler, asio::ssl::context* tls = nullptr, Mode mode = Mode::Answer)
      : state_(std::make_shared<State>(ioc, std::move(handler), tls, mode)) {
    asio::co_spawn(ioc, accept_loop(state_), asio::detached);
  }
  ~Server() {
    boost::system::error_code ec;
    state_->acceptor.close(ec);
    for (auto& w : state_->sockets) {
      if (auto s = w.lock()) s->close(ec);
    }
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const { return state_->acceptor.local_endpoint().port(); }
  std::string url(const std::string& scheme = "http", const std::string& host = "127.0.0.1") const {
    return scheme + "://" + host + ":" + std::to_string(port());
  }
  const std::vector<Request>& requests() const { return state_->requests; }
  std::size_t accepted() const { return state_->accepted; }

 private:
  struct State {
    State(asio::io_context& ioc, Handler h, asio::ssl::context* t, Mode m)
        : acceptor(ioc, {asio::ip::make_address("127.0.0.1"), 0}), handler(std::move(h)), tls(t), mode(m) {}
    tcp::acceptor acceptor;
    Handler handler;
    asio::ssl::context* tls;
    Mode mode;
    std::vector<Request> requests;
    std::vector<std::weak_ptr<tcp::socket>> sockets;
    std::size_t accepted = 0;
  };
  static constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

  static asio::awaitable<void> accept_loop(std::shared_ptr<State> st) {
    for (;;) {
      auto socket = std::make_shared<tcp::socket>(st->acceptor.get_executor());
      auto [ec] = co_await st->acceptor.async_accept(*socket, kAwait);
      if (ec) co_return;
      ++st->accepted;
      st->sockets.push_back(socket);
      asio::co_spawn(st->acceptor.get_executor(), session(st, socket), asio::detached);
    }
  }

  template <class Stream>
  static asio::awaitable<void> drain(Stream& s) {  // reads until the peer or the test closes
    char buf[512];
    for (;;) {
      auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), kAwait);
      (void)n;
      if (ec) co_return;
    }
  }

  template <class Stream>
  static asio::awaitable<void> serve(std::shared_ptr<State> st, Stream& s) {
    boost::beast::flat_buffer buffer;
    for (;;) {
      Request req;
      auto [ec, n] = co_await http::async_read(s, buffer, req, kAwait);
      (void)n;
      if (ec) co_return;
      st->requests.push_back(req);
      Reply reply = st->handler(req);
      if (reply.delay.count() > 0) {
        asio::steady_timer timer(s.get_executor(), reply.delay);
        co_await timer.async_wait(kAwait);
      }
      auto [wec, w] = co_await asio::async_write(s, asio::buffer(reply.raw), kAwait);
      (void)w;
      if (wec) co_return;
      if (reply.hang) {
        co_await drain(s);
        co_return;
      }
    }
  }

  static asio::awaitable<void> session(std::shared_ptr<State> st, std::shared_ptr<tcp::socket> socket) {
    if (st->mode == Mode::Mute) {
      co_await drain(*socket);
      co_return;
    }
    if (!st->tls) {
      co_await serve(st, *socket);
      co_return;
    }
    asio::ssl::stream<tcp::socket&> tls(*socket, *st->tls);
    auto [ec] = co_await tls.async_handshake(asio::ssl::stream_base::server, kAwait);
    if (ec) co_return;
    co_await serve(st, tls);
  }

  std::shared_ptr<State> state_;
};

}  // namespace fake
}  // namespace yollayah::backend::testing
