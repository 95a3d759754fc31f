#include "gateway/gateway.hpp"

#include "conductor/history_service.hpp"
#include "core/log.hpp"
#include "gateway/api.hpp"
#include "gateway/assets.hpp"
#include "gateway/exchange.hpp"
#include "gateway/recorder.hpp"
#include "gateway/ws_wire.hpp"
#include "transport/auth_token.hpp"
#include "transport/server_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/websocket.hpp>

#include <atomic>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace yollayah::gateway {
namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
using tcp = asio::ip::tcp;
namespace websocket = beast::websocket;

// The page and everything else: model output is untrusted, so scripts come only from us, inline
// code never runs, and nothing but our own origin is reachable.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

void secure_headers(Response& r) {
  r.set("Content-Security-Policy", kContentSecurityPolicy);
  r.set("X-Content-Type-Options", "nosniff");
  r.set("X-Frame-Options", "DENY");
  r.set("Referrer-Policy", "no-referrer");
  r.set(http::field::server, "conductord");
}

bool is_loopback(const asio::ip::address& a) { return a.is_loopback(); }

std::string host_text(const asio::ip::address& a) { return a.is_v6() ? "[" + a.to_string() + "]" : a.to_string(); }

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

// An absolute-form target ("http://host:port/api/chat?x", as sent through a proxy) as its
// origin form ("/api/chat?x"): HTTP/1.1 servers must accept both (RFC 9112 §3.2.2). Nullopt for
// any other target (origin form already, or something the routes refuse on their own).
std::optional<std::string> origin_form(std::string_view target) {
  const auto scheme_end = target.find("://");
  if (scheme_end == std::string_view::npos || target.front() == '/') return std::nullopt;
  const auto scheme = target.substr(0, scheme_end);
  if (!beast::iequals(scheme, "http") && !beast::iequals(scheme, "https")) return std::nullopt;
  const auto rest = target.substr(scheme_end + 3);
  const auto path = rest.find_first_of("/?");
  if (path == std::string_view::npos) return std::string("/");
  if (rest[path] == '?') return "/" + std::string(rest.substr(path));
  return std::string(rest.substr(path));
}

enum class Api : std::uint8_t { Ollama, OpenAi, Other };

Api api_of(std::string_view path) {
  if (path.starts_with("/api/")) return Api::Ollama;
  if (path.starts_with("/v1/")) return Api::OpenAi;
  return Api::Other;
}

// An error in the shape the asking API expects.
std::string error_body(Api api, http::status status, std::string_view message) {
  if (api == Api::OpenAi) return openai_error_body(message, openai_error_type(status));
  return ollama_error_body(message);
}

}  // namespace

boost::system::result<std::pair<std::string, std::uint16_t>, std::string> parse_listen_address(std::string_view text) {
  std::string host;
  std::string_view port;
  if (text.starts_with("[")) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return std::string("\"" + std::string(text) + "\" is not ADDRESS:PORT (IPv6 as [::1]:8080)");
    host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon)
      return std::string("\"" + std::string(text) + "\" is not ADDRESS:PORT (e.g. 127.0.0.1:8080; IPv6 as [::1]:8080)");
    host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  if (ec) return std::string("\"" + host + "\" is not an IP address (use 127.0.0.1, 0.0.0.0 or [::1])");
  unsigned value = 0;
  if (port.empty() || port.size() > 5) return std::string("\"" + std::string(port) + "\" is not a port (0 to 65535)");
  for (char c : port) {
    if (c < '0' || c > '9') return std::string("\"" + std::string(port) + "\" is not a port (0 to 65535)");
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > 65535) return std::string("\"" + std::string(port) + "\" is not a port (0 to 65535)");
  return std::make_pair(host, static_cast<std::uint16_t>(value));
}

class Gateway::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::any_io_executor executor, conductor::Conductor& conductor, GatewayOptions options, std::shared_ptr<Metrics> metrics)
      : executor_(std::move(executor)),
        strand_(asio::make_strand(executor_)),
        conductor_(conductor),
        options_(std::move(options)),
        metrics_(metrics ? std::move(metrics) : std::make_shared<Metrics>(std::vector<std::string>{})),
        acceptor_(strand_),
        drained_(strand_),
        monitor_(executor_, "gateway"),
        recorder_(options_.record && options_.history ? std::make_unique<Recorder>(*options_.history) : nullptr),
        api_{conductor.router(), metrics_.get(), AnswerLimits{options_.max_answer_bytes}, options_.version, {},
             recorder_.get()} {}

  std::optional<std::string> listen() {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(options_.address, ec);
    if (ec) return "\"" + options_.address + "\" is not an IP address";
    if (!options_.auth && !is_loopback(address))
      return "auth = \"none\" is allowed only on a loopback address (127.0.0.1 or [::1]), not " + options_.address +
             ": anyone who reaches the port could use your models. Keep the token, or listen on 127.0.0.1";
    if (options_.auth && options_.tokens.empty()) return "no token to check requests against";
    const tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return "cannot listen on " + host_text(address) + ":" + std::to_string(options_.port) + ": " + ec.message();
    port_ = acceptor_.local_endpoint(ec).port();
    address_ = address;
    const std::string p = std::to_string(port_);
    origins_.push_back("http://" + host_text(address) + ":" + p);
    if (is_loopback(address)) {
      for (const char* h : {"localhost", "127.0.0.1", "[::1]"}) origins_.push_back("http://" + std::string(h) + ":" + p);
    }
    for (const auto& o : options_.allowed_origins) origins_.push_back(o);
    return std::nullopt;
  }

  void start() {
    asio::co_spawn(strand_, [self = shared_from_this()] { return self->accept_loop(); }, asio::detached);
  }

  std::string base_url() const { return "http://" + host_text(address_) + ":" + std::to_string(port_); }
  std::string page_url() const {
    std::string url = base_url() + "/";
    if (address_.is_unspecified()) url = "http://127.0.0.1:" + std::to_string(port_) + "/";
    if (options_.auth && !options_.tokens.empty()) url += "#token=" + options_.tokens.front();
    return url;
  }
  std::uint16_t port() const { return port_; }
  std::size_t connection_count() const { return open_.load(std::memory_order_relaxed); }
  Metrics& metrics() { return *metrics_; }
  asio::strand<asio::any_io_executor> strand() const { return strand_; }

  asio::awaitable<void> shutdown() {
    stopping_.store(true);
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    // Idle keep-alive connections and WebSocket surfaces that never said hello go now; running
    // answers finish (their connections close after them); hello'd surfaces get the Conductor's Quit.
    for_each_connection([](Connection& c) {
      if (c.idle) c.close();
    });
    {
      std::lock_guard lock(mutex_);
      for (auto& [id, s] : surfaces_)
        if (!s->said_hello()) s->close("shutting down");
    }
    co_await wait_drained(options_.shutdown_grace);
    if (open_.load() > 0) {
      // Past the grace: cancel what still runs; each answer ends with an error and a last chunk.
      core::log().warn("gateway: {} connection(s) still busy after the grace; ending them", open_.load());
      for_each_connection([](Connection& c) {
        if (c.exchange) c.exchange->abort();
        else c.close();
      });
      {
        std::lock_guard lock(mutex_);
        for (auto& [id, s] : surfaces_) s->close("shutdown grace expired");
      }
      co_await wait_drained(std::chrono::milliseconds(2000));
    }
  }

 private:
  // One HTTP connection as the shutdown sees it; touched only on the connection's strand.
  struct Connection {
    explicit Connection(beast::tcp_stream& s) : stream(s) {}
    beast::tcp_stream& stream;
    bool idle = true;            // waiting for a request (keep-alive)
    Exchange* exchange = nullptr;  // the request being answered
    void close() {
      boost::system::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream.socket().close(ignored);
    }
  };

  template <class F>
  void for_each_connection(F f) {
    std::lock_guard lock(mutex_);
    for (auto& kv : connections_) {
      // Not a structured binding: clang 14 (tools/check-async) cannot capture one.
      std::weak_ptr<Connection> weak = kv.second.second;
      asio::dispatch(kv.second.first, [weak, f] {
        if (auto c = weak.lock()) f(*c);
      });
    }
  }

  asio::awaitable<void> wait_drained(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (open_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
      drained_.expires_at(std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(50)));
      co_await drained_.async_wait(kAwait);
    }
  }

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    asio::steady_timer backoff(strand_);
    while (!stopping_.load()) {
      auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(executor_), kAwait);
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) break;
      if (ec) {
        core::log().warn("gateway: accept failed: {}", ec.message());
        backoff.expires_after(std::chrono::milliseconds(100));
        co_await backoff.async_wait(kAwait);
        continue;
      }
      if (open_.load() >= options_.max_connections) {
        transport::SurfaceCounters::add(metrics_->http_connections->refused);
        refuse_busy(std::move(socket));
        continue;
      }
      open_.fetch_add(1);
      // Streams are many small writes (a token, a WebSocket frame): without this, Nagle holds a
      // write back until the previous one is acknowledged, up to the peer's delayed-ACK timer (40 ms).
      boost::system::error_code nodelay_ec;
      socket.set_option(asio::ip::tcp::no_delay(true), nodelay_ec);
      auto ex = socket.get_executor();
      asio::co_spawn(ex, [self, s = std::move(socket)]() mutable { return self->serve(std::move(s)); }, asio::detached);
    }
  }

  void refuse_busy(tcp::socket socket) {
    auto peer = std::make_shared<tcp::socket>(std::move(socket));
    static const std::string kBusy =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\nRetry-After: 1\r\n"
        "Content-Length: 63\r\n\r\n{\"error\":\"conductord has too many connections; try again soon\"}";
    asio::async_write(*peer, asio::buffer(kBusy), [peer](boost::system::error_code, std::size_t) {
      boost::system::error_code ignored;
      peer->shutdown(tcp::socket::shutdown_both, ignored);
      peer->close(ignored);
    });
  }

  // A request's head, at most max_header_bytes over all its reads. Beast's header_limit bounds
  // what one read shows the parser, not the head: it takes in the fields a read completes, so a
  // client whose reads end just past a field got any number of fields in (fuzz_gateway_request).
  asio::awaitable<beast::error_code> read_head(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                               http::request_parser<http::string_body>& parser) {
    std::size_t head = 0;
    while (!parser.is_header_done()) {
      auto [ec, n] = co_await http::async_read_some(stream, buffer, parser, kAwait);
      head += n;
      if (ec) co_return ec;
      if (head > options_.max_header_bytes) co_return http::error::header_limit;
    }
    co_return beast::error_code{};
  }

  // One connection: requests in turn (keep-alive), each read under a deadline.
  asio::awaitable<void> serve(tcp::socket socket) {
    auto self = shared_from_this();
    transport::SurfaceCounters::add(metrics_->http_connections->opened);
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    auto conn = std::make_shared<Connection>(stream);
    const std::uint64_t id = next_id_.fetch_add(1);
    {
      std::lock_guard lock(mutex_);
      connections_.emplace(id, std::make_pair(stream.get_executor(), std::weak_ptr<Connection>(conn)));
    }
    bool handed_off = false;
    while (!stopping_.load()) {
      conn->idle = true;
      auto parser = std::make_unique<http::request_parser<http::string_body>>();
      parser->header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
      parser->body_limit(options_.max_body_bytes);
      // Slow clients: the whole header within header_timeout (also the keep-alive idle limit).
      stream.expires_after(options_.header_timeout);
      const auto hec = co_await read_head(stream, buffer, *parser);
      conn->idle = false;
      if (hec) {
        co_await answer_read_error(stream, hec, parser->is_header_done() ? path_of(parser->get().target()) : "");
        break;
      }
      const auto& head = parser->get();
      if (head[http::field::expect] == "100-continue" && !parser->is_done()) {
        static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        stream.expires_after(options_.write_timeout);
        auto [cec, cn] = co_await asio::async_write(stream, asio::buffer(kContinue), kAwait);
        if (cec) break;
      }
      stream.expires_after(options_.body_timeout);
      auto [bec, bn] = co_await http::async_read(stream, buffer, *parser, kAwait);
      if (bec) {
        co_await answer_read_error(stream, bec, path_of(parser->get().target()));
        break;
      }
      stream.expires_never();
      if (auto target = origin_form(parser->get().target())) parser->get().target(*target);
      transport::SurfaceCounters::add(metrics_->http_connections->messages_in);
      monitor_.note_activity();
      Exchange ex(stream, buffer, parser->release(), options_.write_timeout);
      if (stopping_.load()) ex.close_after();
      conn->exchange = &ex;
      const auto outcome = co_await route(ex, stream);
      conn->exchange = nullptr;
      transport::SurfaceCounters::add(metrics_->http_connections->messages_out);
      if (outcome == Outcome::HandedOff) {
        handed_off = true;
        break;
      }
      if (!ex.keep_alive() || outcome == Outcome::Close) break;
    }
    if (!handed_off) {
      boost::system::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
      stream.socket().close(ignored);
    }
    {
      std::lock_guard lock(mutex_);
      connections_.erase(id);
    }
    transport::SurfaceCounters::add(metrics_->http_connections->closed);
    open_.fetch_sub(1);
  }

  // A request that could not be read: say why when the client can still hear it.
  asio::awaitable<void> answer_read_error(beast::tcp_stream& stream, beast::error_code ec, std::string_view path) {
    http::status status;
    std::string message;
    if (ec == http::error::header_limit) {
      status = http::status::request_header_fields_too_large;
      message = "the request headers are over " + std::to_string(options_.max_header_bytes) + " bytes";
    } else if (ec == http::error::body_limit) {
      status = http::status::payload_too_large;
      message = "the request body is over " + std::to_string(options_.max_body_bytes) + " bytes";
    } else if (ec == beast::error::timeout) {
      status = http::status::request_timeout;
      message = "the request did not arrive in time";
    } else if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
               ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) {
      co_return;
    } else {
      status = http::status::bad_request;
      message = "malformed HTTP request: " + ec.message();
    }
    if (ec == beast::error::timeout) co_return;  // the stream closed the socket already
    Response r{status, 11};
    r.set(http::field::content_type, "application/json");
    r.keep_alive(false);
    secure_headers(r);
    r.body() = error_body(api_of(path), status, message);
    r.prepare_payload();
    stream.expires_after(options_.write_timeout);
    co_await http::async_write(stream, r, kAwait);
  }

  enum class Outcome : std::uint8_t { KeepGoing, Close, HandedOff };

  bool authorized(const Request& req) const {
    if (!options_.auth) return true;
    const auto it = req.find(http::field::authorization);
    if (it == req.end()) return false;
    std::string_view v = it->value();
    if (v.size() < 7 || !(v.substr(0, 7) == "Bearer " || v.substr(0, 7) == "bearer ")) return false;
    v.remove_prefix(7);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    bool ok = false;
    const std::string token(v);
    for (const auto& t : options_.tokens) ok = transport::tokens_equal(t, token) || ok;
    return ok;
  }

  bool origin_allowed(const Request& req) const {
    const auto it = req.find(http::field::origin);
    if (it == req.end()) return true;  // not a browser: the token decides
    const std::string_view origin = it->value();
    for (const auto& o : origins_)
      if (o == origin) return true;
    // Listening on every address: the page's own origin is whatever host it was opened by.
    if (address_.is_unspecified()) {
      const auto host = req[http::field::host];
      if (!host.empty() && origin == "http://" + std::string(host)) return true;
    }
    return false;
  }

  asio::awaitable<Outcome> route(Exchange& ex, beast::tcp_stream& stream) {
    const auto& req = ex.request();
    const std::string_view path = path_of(req.target());
    const Api api = api_of(path);
    if (path == "/ws") co_return co_await upgrade(ex, stream);
    const bool get = req.method() == http::verb::get || req.method() == http::verb::head;
    if (api == Api::Other && get) {
      if (const Asset* asset = find_asset(path)) {
        // The page holds no secret: the token comes in the URL fragment, which never reaches us.
        Response r{http::status::ok, req.version()};
        r.set(http::field::content_type, asset->content_type);
        r.set(http::field::cache_control, "no-cache");
        secure_headers(r);
        r.body() = std::string(asset->body);  // a HEAD's is dropped by send(), its length kept
        co_await ex.send(std::move(r));
        co_return Outcome::KeepGoing;
      }
    }
    if (!authorized(req)) {
      transport::SurfaceCounters::add(metrics_->http_connections->refused);
      Response r{http::status::unauthorized, req.version()};
      r.set(http::field::content_type, "application/json");
      r.set(http::field::www_authenticate, "Bearer");
      secure_headers(r);
      r.body() = error_body(api, http::status::unauthorized,
                            req.find(http::field::authorization) == req.end()
                                ? "missing token: send Authorization: Bearer TOKEN (conductord prints the token, and "
                                  "writes it to session.token beside its socket)"
                                : "invalid token");
      co_await ex.send(std::move(r));
      co_return Outcome::KeepGoing;
    }
    if (path == "/metrics" && get) {
      Response r{http::status::ok, req.version()};
      r.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      secure_headers(r);
      std::vector<const core::StallMonitor*> loops{&conductor_.stall_monitor(), &monitor_};
      auto* history = conductor_.history();
      r.body() = metrics_->render(&conductor_.router(), loops, history ? &history->store().write_latency() : nullptr);
      co_await ex.send(std::move(r));
      co_return Outcome::KeepGoing;
    }
    if (api == Api::Ollama) {
      co_await serve_ollama(ex, api_);
      co_return Outcome::KeepGoing;
    }
    if (api == Api::OpenAi) {
      co_await serve_openai(ex, api_);
      co_return Outcome::KeepGoing;
    }
    co_await ex.send(http::status::not_found, "application/json",
                     ollama_error_body("no such page: " + std::string(path) +
                                       " (the gateway serves /, /ws, /metrics, /api/… and /v1/…)"));
    co_return Outcome::KeepGoing;
  }

  // GET /ws: the WebSocket surface. The token is checked in the Handshake (browsers cannot set
  // headers on a WebSocket), or here when the client sent Authorization.
  asio::awaitable<Outcome> upgrade(Exchange& ex, beast::tcp_stream& stream) {
    const auto& req = ex.request();
    if (!websocket::is_upgrade(req)) {
      co_await ex.send(http::status::upgrade_required, "application/json",
                       ollama_error_body("/ws is a WebSocket endpoint: connect with a WebSocket client"));
      co_return Outcome::KeepGoing;
    }
    if (!origin_allowed(req)) {
      transport::SurfaceCounters::add(metrics_->websocket_surfaces->refused);
      core::log().warn("gateway: refused a WebSocket from origin {}", std::string(req[http::field::origin]));
      co_await ex.send(http::status::forbidden, "application/json",
                       ollama_error_body("this origin may not open the WebSocket (add it to [gateway] allowed_origins)"));
      co_return Outcome::Close;
    }
    if (surface_count() >= options_.max_ws_connections) {
      transport::SurfaceCounters::add(metrics_->websocket_surfaces->refused);
      co_await ex.send(http::status::service_unavailable, "application/json",
                       ollama_error_body("the Conductor already serves " + std::to_string(options_.max_ws_connections) +
                                         " WebSocket surfaces; close one and try again"));
      co_return Outcome::Close;
    }
    const bool header_token = req.find(http::field::authorization) != req.end() && authorized(req);
    websocket::stream<beast::tcp_stream> ws(std::move(stream));
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = options_.handshake_timeout;
    timeouts.idle_timeout = websocket::stream_base::none();  // the core's heartbeat watches liveness
    timeouts.keep_alive_pings = false;
    ws.set_option(timeouts);
    ws.set_option(websocket::stream_base::decorator([](websocket::response_type& r) { r.set(http::field::server, "conductord"); }));
    ws.auto_fragment(false);
    auto [ec] = co_await ws.async_accept(req, kAwait);
    if (ec) co_return Outcome::HandedOff;  // the stream moved into `ws`, which closes with it
    start_surface(std::move(ws), header_token);
    co_return Outcome::HandedOff;
  }

  std::size_t surface_count() const {
    std::lock_guard lock(mutex_);
    return surfaces_.size();
  }

  void start_surface(websocket::stream<beast::tcp_stream> ws, bool header_token) {
    transport::ServerConnection::Options co;
    co.queue_limits = options_.queue_limits;
    co.heartbeat_interval = options_.heartbeat_interval;
    co.handshake_timeout = options_.handshake_timeout;
    co.rate_per_second = options_.rate_per_second;
    co.rate_burst = options_.rate_burst;
    co.counters = metrics_->websocket_surfaces;
    co.refusal_log = refusal_log_;
    if (options_.auth && !options_.tokens.empty()) {
      co.auth_token = options_.tokens.front();
      co.extra_tokens.assign(options_.tokens.begin() + 1, options_.tokens.end());
    }
    co.authenticated = header_token || !options_.auth;
    const conductor::SurfaceId id = conductor_.next_surface_id();
    auto weak = weak_from_this();
    auto connection = std::make_shared<transport::ServerConnection>(
        std::make_unique<WsWire>(std::move(ws)), id, conductor_.main_session(), std::move(co),
        [weak](conductor::SurfaceId gone) {
          if (auto self = weak.lock()) {
            std::lock_guard lock(self->mutex_);
            self->surfaces_.erase(gone);
            self->open_.fetch_sub(1);
          }
        });
    {
      std::lock_guard lock(mutex_);
      surfaces_.emplace(id, connection);
      open_.fetch_add(1);  // counted apart from the HTTP connection it came from, which ends now
    }
    connection->start();
  }

  asio::any_io_executor executor_;
  asio::strand<asio::any_io_executor> strand_;
  conductor::Conductor& conductor_;
  GatewayOptions options_;
  std::shared_ptr<Metrics> metrics_;
  tcp::acceptor acceptor_;
  asio::steady_timer drained_;
  core::StallMonitor monitor_;
  std::unique_ptr<Recorder> recorder_;  // before api_, which points at it
  ApiContext api_;
  asio::ip::address address_;
  std::uint16_t port_ = 0;
  std::vector<std::string> origins_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> open_{0};
  std::atomic<std::uint64_t> next_id_{1};
  std::shared_ptr<transport::SharedWarningLimiter> refusal_log_ = std::make_shared<transport::SharedWarningLimiter>();
  // Guards the two maps; held for a few map operations, never across I/O.
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::pair<asio::any_io_executor, std::weak_ptr<Connection>>> connections_;
  std::unordered_map<conductor::SurfaceId, std::shared_ptr<transport::ServerConnection>> surfaces_;
};

Gateway::Gateway(asio::any_io_executor executor, conductor::Conductor& conductor, GatewayOptions options,
                 std::shared_ptr<Metrics> metrics)
    : impl_(std::make_shared<Impl>(std::move(executor), conductor, std::move(options), std::move(metrics))) {}

Gateway::~Gateway() = default;

std::optional<std::string> Gateway::listen() { return impl_->listen(); }
void Gateway::start() { impl_->start(); }

asio::awaitable<void> Gateway::shutdown() {
  auto impl = impl_;
  co_await asio::co_spawn(impl->strand(), impl->shutdown(), asio::use_awaitable);
}

std::uint16_t Gateway::port() const { return impl_->port(); }
std::string Gateway::base_url() const { return impl_->base_url(); }
std::string Gateway::page_url() const { return impl_->page_url(); }
std::size_t Gateway::connection_count() const { return impl_->connection_count(); }
Metrics& Gateway::metrics() { return impl_->metrics(); }

}  // namespace yollayah::gateway
