// Shared pieces of the gateway tests: ollama-sim, a Conductor and a Gateway (and, when asked, the
// Unix socket) on one io_context run by a thread of its own, so the tests can use plain blocking
// Beast clients on the test thread. Every wait is bounded.
#pragma once

#include "gateway/gateway.hpp"
#include "integration/harness.hpp"
#include "protocol/json_codec.hpp"
#include "support/sim_process.hpp"
#include "transport/socket_fixture.hpp"
#include "transport/unix_server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>

namespace yollayah::test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// Shaped like a real one (base64: + / =), which the page must read from its URL unchanged.
inline constexpr const char* kToken = "test+session/token=";
inline constexpr const char* kApiKey = "test-api-key";

struct Reply {
  unsigned status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  boost::json::value json() const { return boost::json::parse(body); }
};

// One blocking HTTP/1.1 client connection.
class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  Reply request(http::verb method, const std::string& target, const std::string& body = {},
                const std::map<std::string, std::string>& headers = {{"Authorization", std::string("Bearer ") + kToken}}) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!body.empty() || method == http::verb::post) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
      req.prepare_payload();
    }
    http::write(socket_, req);
    return read();
  }

  Reply read() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    beast::error_code ec;
    http::read(socket_, buffer_, parser, ec);
    Reply r;
    if (ec) return r;
    const auto& res = parser.get();
    r.status = res.result_int();
    r.body = res.body();
    for (const auto& f : res) r.headers[std::string(f.name_string())] = std::string(f.value());
    return r;
  }

  void write_raw(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes.data(), bytes.size())); }
  // Everything until the server closes (bounded by the socket's own timeout option).
  std::string read_until_close() {
    std::string out;
    beast::error_code ec;
    for (;;) {
      char buf[4096];
      const auto n = socket_.read_some(asio::buffer(buf), ec);
      if (ec) break;
      out.append(buf, n);
    }
    return out;
  }
  void set_receive_timeout(std::chrono::milliseconds t) {
    struct timeval tv {static_cast<time_t>(t.count() / 1000), static_cast<suseconds_t>((t.count() % 1000) * 1000)};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  tcp::socket& socket() { return socket_; }
  void close() {
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

// A blocking WebSocket client that speaks the protocol's JSON.
class WsClient {
 public:
  WsClient(std::uint16_t port, const std::map<std::string, std::string>& headers = {}) : ws_(io_) {
    auto& s = ws_.next_layer();
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    ws_.set_option(websocket::stream_base::decorator([headers](websocket::request_type& r) {
      for (const auto& [k, v] : headers) r.set(k, v);
    }));
    ws_.handshake(response_, "127.0.0.1:" + std::to_string(port), "/ws", ec_);
    struct timeval tv {10, 0};
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  bool open() const { return !ec_; }
  const websocket::response_type& upgrade_response() const { return response_; }

  void send(const protocol::SurfaceEvent& e) {
    ws_.text(true);
    ws_.write(asio::buffer(protocol::encode(e)));
  }
  void send_text(std::string_view text) {
    ws_.text(true);
    ws_.write(asio::buffer(text.data(), text.size()));
  }
  // The next message, or nullopt when the connection ended.
  std::optional<protocol::ConductorMessage> next() {
    beast::flat_buffer b;
    beast::error_code ec;
    ws_.read(b, ec);
    if (ec) return std::nullopt;
    auto m = protocol::decode_message(beast::buffers_to_string(b.data()));
    if (!m) return std::nullopt;
    received_.push_back(*m);
    return *m;
  }
  // Reads until `pred` holds for a message (true) or the connection ends (false).
  bool until(const std::function<bool(const protocol::ConductorMessage&)>& pred) {
    while (auto m = next())
      if (pred(*m)) return true;
    return false;
  }
  const std::vector<protocol::ConductorMessage>& received() const { return received_; }
  std::string tokens_text() const { return tokens_text_of(received_); }

 private:
  asio::io_context io_;
  websocket::stream<tcp::socket> ws_;
  websocket::response_type response_;
  beast::error_code ec_;
  std::vector<protocol::ConductorMessage> received_;
};

inline ev::Handshake ws_handshake(std::optional<std::string> token = std::string(kToken), std::uint32_t version = 2) {
  return ev::Handshake{"evt_hello", version, {protocol::SurfaceType::Kind::Web, {}}, protocol::SurfaceCapabilities::tui(),
                       std::move(token)};
}

inline gateway::GatewayOptions test_options() {
  gateway::GatewayOptions o;
  o.tokens = {kToken, kApiKey};
  o.heartbeat_interval = 0ms;
  return o;
}

// ollama-sim, the Conductor, the Gateway (and a Unix socket) on an io_context of their own thread.
class GatewayUnderTest {
 public:
  explicit GatewayUnderTest(std::vector<std::string> sim_args = {"--tokens", "8", "--tokens-per-sec", "0"},
                            gateway::GatewayOptions options = test_options(), bool unix_socket = false)
      : sim_(std::move(sim_args)),
        cut_(io_, sim_.url()),
        metrics_(std::make_shared<gateway::Metrics>(names(cut_.conductor))),
        gateway_(io_.get_executor(), cut_.conductor, std::move(options), metrics_) {
    cut_.conductor.router().set_observer(metrics_);
    if (auto err = gateway_.listen()) throw std::runtime_error(*err);
    gateway_.start();
    if (unix_socket) {
      transport::UnixServerOptions uo;
      uo.socket_path = dir_.file("run/conductor.sock");
      uo.heartbeat_interval = 0ms;
      uo.counters = metrics_->unix_surfaces;
      unix_.emplace(io_.get_executor(), cut_.conductor, uo);
      if (auto err = unix_->listen()) throw std::runtime_error(err->message);
      unix_->start();
    }
    thread_ = std::thread([this] { io_.run(); });
  }
  ~GatewayUnderTest() { stop(); }

  void stop() {
    if (!thread_.joinable()) return;
    work_.reset();
    io_.stop();
    thread_.join();
  }

  // Runs the gateway's (and the socket's) shutdown as conductord does on SIGTERM; returns once done.
  bool shutdown(std::chrono::milliseconds limit = 15s) {
    std::atomic<bool> done{false};
    asio::co_spawn(io_, [this, &done]() -> asio::awaitable<void> {
      cut_.conductor.stop(std::string("bye"));
      co_await gateway_.shutdown();
      done = true;
    }, asio::detached);
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
    return done;
  }

  std::uint16_t port() const { return gateway_.port(); }
  gateway::Gateway& gateway() { return gateway_; }
  gateway::Metrics& metrics() { return *metrics_; }
  conductor::Conductor& conductor() { return cut_.conductor; }
  void set_stall_budget(std::chrono::milliseconds budget) { cut_.stall_budget = budget; }
  SimProcess& sim() { return sim_; }
  std::string socket_path() const { return dir_.file("run/conductor.sock"); }
  asio::io_context& io() { return io_; }

  // Polls `cond` (bounded) from the test thread.
  static bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds limit = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!cond()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

 private:
  static std::vector<std::string> names(conductor::Conductor& c) {
    std::vector<std::string> out;
    for (const auto& s : c.router().status()) out.push_back(s.name);
    return out;
  }

  TempDir dir_;
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{asio::make_work_guard(io_)};
  SimProcess sim_;
  ConductorUnderTest cut_;
  std::shared_ptr<gateway::Metrics> metrics_;
  gateway::Gateway gateway_;
  std::optional<transport::UnixServer> unix_;
  std::thread thread_;
};

// The JSON objects of an NDJSON body, one per line.
inline std::vector<boost::json::value> ndjson(const std::string& body) {
  std::vector<boost::json::value> out;
  std::size_t at = 0;
  while (at < body.size()) {
    auto end = body.find('\n', at);
    if (end == std::string::npos) end = body.size();
    if (end > at) out.push_back(boost::json::parse(std::string_view(body).substr(at, end - at)));
    at = end + 1;
  }
  return out;
}

// The data: payloads of an SSE body, in order.
inline std::vector<std::string> sse_data(const std::string& body) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while ((at = body.find("data: ", at)) != std::string::npos) {
    auto end = body.find("\n\n", at);
    out.push_back(body.substr(at + 6, end - at - 6));
    at = end;
  }
  return out;
}

}  // namespace yollayah::test
