#include "backend/http_client.hpp"

#include "backend/connection.hpp"
#include "core/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <limits>
#include <vector>

namespace yollayah::backend {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace json = boost::json;
using asio::ip::tcp;
using Kind = BackendError::Kind;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kBodyChunk = 64 * 1024;
// Beast reads at most max(512, free capacity) bytes per read: without room, a fast stream costs
// one syscall, one timer reset and one batch per ~4 lines.
constexpr std::size_t kReadBuffer = 64 * 1024;
constexpr std::size_t kErrorBodyLimit = 64 * 1024;
constexpr std::size_t kFetchLimit = 16u << 20;

bool cancelled(const asio::cancellation_state& cs) { return cs.cancelled() != asio::cancellation_type::none; }

// A non-eager parser hands over one chunk per async_read_some, and each of those costs a timer
// reset and a trip through the loop even when the bytes are already read: a fast stream of one
// chunk per token paid that per token. This parses the chunks already in the buffer into the body
// buffer at once, so that they reach the sink as one batch. A parse error is left for the next
// async_read_some to report. The batch is capped (kDrainBytes): the sink handles it in one go on
// the loop, and a Conductor relaying to a surface that does not read spends long on a big one.
constexpr std::size_t kDrainBytes = 8 * 1024;
void drain_buffered(http::response_parser<http::buffer_body>& parser, beast::flat_buffer& buffer) {
  while (parser.is_header_done() && !parser.is_done() && buffer.size() > 0 &&
         parser.get().body().size + kDrainBytes > kBodyChunk) {
    beast::error_code ec;
    const std::size_t used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec || used == 0) return;
  }
}

// Cuts at most `max` bytes without splitting a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s;
  while (max > 0 && (static_cast<unsigned char>(s[max]) & 0xC0) == 0x80) --max;
  return s.substr(0, max);
}

// The text a server put in its error body: {"error":"…"} (Ollama), {"error":{"message":…}}
// (OpenAI) or {"message":…}; otherwise the raw body, trimmed and truncated.
std::string server_error_text(std::string_view body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (!ec && v.is_object()) {
    const auto& o = v.get_object();
    const json::value* e = o.if_contains("error");
    if (e && e->is_object()) e = e->get_object().if_contains("message");
    if (!e) e = o.if_contains("message");
    if (e && e->is_string()) return std::string(e->get_string());
  }
  auto b = body.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  body = body.substr(b, body.find_last_not_of(" \t\r\n") - b + 1);
  std::string out(utf8_prefix(body, 300));
  if (out.size() < body.size()) out += "…";
  return out;
}

constexpr std::chrono::hours kMaxRetryAfter{24};

int month_number(std::string_view name) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i) {
    if (kMonths[i] == name) return i;
  }
  return -1;
}

// The three date forms of RFC 9110 §5.6.7, in UTC.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view value) {
  if (value.size() > 64) return std::nullopt;
  const std::string text(value);
  std::tm tm{};
  char month[4] = {};
  int end = 0;
  // IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT"; RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT";
  // asctime "Sun Nov  6 08:49:37 1994".
  if (std::sscanf(text.c_str(), "%*[A-Za-z], %2d %3s %4d %2d:%2d:%2d GMT%n", &tm.tm_mday, month, &tm.tm_year,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &end) == 6 && end == static_cast<int>(text.size())) {
    tm.tm_year -= 1900;
  } else if (std::sscanf(text.c_str(), "%*[A-Za-z], %2d-%3s-%2d %2d:%2d:%2d GMT%n", &tm.tm_mday, month,
                         &tm.tm_year, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &end) == 6 &&
             end == static_cast<int>(text.size())) {
    if (tm.tm_year < 70) tm.tm_year += 100;
  } else if (std::sscanf(text.c_str(), "%*3[A-Za-z] %3s %d %2d:%2d:%2d %4d%n", month, &tm.tm_mday, &tm.tm_hour,
                         &tm.tm_min, &tm.tm_sec, &tm.tm_year, &end) == 6 && end == static_cast<int>(text.size())) {
    tm.tm_year -= 1900;
  } else {
    return std::nullopt;
  }
  tm.tm_mon = month_number(month);
  if (tm.tm_mon < 0 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}


// Collects a whole (small) body for fetch().
class StringSink final : public BodySink {
 public:
  bool on_body(std::string_view bytes) override {
    if (body.size() + bytes.size() > kFetchLimit) {
      overflow = true;
      return false;
    }
    body.append(bytes);
    return true;
  }
  std::string body;
  bool overflow = false;
};

}  // namespace

std::string seconds_text(std::chrono::milliseconds t) {
  char buf[32];
  if (t.count() % 1000 == 0) {
    std::snprintf(buf, sizeof buf, "%lld s", static_cast<long long>(t.count() / 1000));
  } else {
    std::snprintf(buf, sizeof buf, "%.3g s", static_cast<double>(t.count()) / 1000.0);
  }
  return buf;
}

std::string masked(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
    text.replace(at, secret.size(), "***");
  }
  return text;
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now) {
  auto b = value.find_first_not_of(" \t");
  if (b == std::string_view::npos) return std::nullopt;
  value = value.substr(b, value.find_last_not_of(" \t") - b + 1);
  std::chrono::milliseconds wait{0};
  if (value.find_first_not_of("0123456789") == std::string_view::npos) {
    std::uint64_t seconds = 0;
    for (char c : value) {
      seconds = seconds * 10 + static_cast<unsigned>(c - '0');
      if (seconds > static_cast<std::uint64_t>(std::chrono::seconds(kMaxRetryAfter).count())) break;
    }
    wait = std::chrono::seconds(seconds);
  } else if (auto date = parse_http_date(value)) {
    wait = std::chrono::duration_cast<std::chrono::milliseconds>(*date - now);
  } else {
    return std::nullopt;
  }
  return std::clamp<std::chrono::milliseconds>(wait, std::chrono::milliseconds(0), kMaxRetryAfter);
}

asio::awaitable<void> BodySink::drained() { co_return; }

std::string BodySink::timeout_text(std::chrono::milliseconds waited) const {
  return "sent nothing for " + seconds_text(waited);
}

struct HttpClient::Exchange {
  http::request<http::string_body> request;
  BodySink& sink;
  std::string url;
  asio::cancellation_state cancel;
  std::chrono::milliseconds fallback;  // the call's own deadline for writes and (unless the sink says) reads
  Connection* connection = nullptr;
  std::chrono::milliseconds waited{0};  // the deadline of the read or write under way
  bool got_response_bytes = false;      // anything arrived: a failure after this is not retried
  bool keep_alive = false;
  bool stopped = false;                 // the sink asked to stop
};

HttpClient::HttpClient(asio::any_io_executor io, BackendConfig config, std::string kind, PoolLimits pool)
    : io_(std::move(io)), config_(std::move(config)),
      where_((config_.name.empty() ? kind : config_.name) + " at " + config_.endpoint.base_url()),
      pool_(pool.max_idle, pool.max_age) {
  const auto& ep = config_.endpoint;
  if (ep.tls()) {
    set_up_tls();
  } else if (ep.scheme != "http") {
    setup_error_ = BackendError{Kind::Unreachable,
                                "cannot reach " + where_ + ": the scheme \"" + ep.scheme + "\" is not supported",
                                ep.base_url(), 0, "Use an http:// or https:// URL."};
  }
}

// Runs once, at construction: loading the system store and ca_file reads files.
void HttpClient::set_up_tls() {
  tls_ = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(tls_->native_handle(), TLS1_2_VERSION);
  if (config_.tls.insecure) {
    tls_->set_verify_mode(ssl::verify_none);
    core::log().warn("{}: TLS certificate checks are off (tls_insecure = true): anyone on the way can read and "
                     "change this traffic",
                     masked(where_, config_.api_key));
    return;
  }
  tls_->set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  tls_->set_default_verify_paths(ec);
  if (ec) core::log().warn("{}: cannot load the system's CA certificates ({})", masked(where_, config_.api_key), ec.message());
  if (!config_.tls.ca_file.empty()) {
    tls_->load_verify_file(config_.tls.ca_file, ec);
    if (ec) {
      setup_error_ = BackendError{Kind::Unreachable,
                                  "cannot use the ca_file \"" + config_.tls.ca_file + "\" of " + where_ + " (" +
                                      ec.message() + ")",
                                  config_.endpoint.base_url(), 0,
                                  "Set ca_file to a readable PEM file holding the certificate of the CA that "
                                  "signed the server's certificate."};
    }
  }
}

HttpClient::~HttpClient() = default;

BackendError HttpClient::redact(BackendError e) const {
  e.message = masked(std::move(e.message), config_.api_key);
  e.url = masked(std::move(e.url), config_.api_key);
  e.advice = masked(std::move(e.advice), config_.api_key);
  return e;
}

asio::awaitable<Result<unsigned>> HttpClient::stream(http::verb method, std::string path, std::string body,
                                                     BodySink& sink) {
  co_return co_await stream_with(method, std::move(path), std::move(body), sink, config_.idle_timeout);
}

asio::awaitable<Result<std::string>> HttpClient::fetch(http::verb method, std::string path, std::string body) {
  StringSink sink;
  auto r = co_await stream_with(method, path, std::move(body), sink, config_.probe_timeout);
  if (!r) co_return r.error();
  if (sink.overflow) co_return BackendError{Kind::Protocol, where_ + " sent a reply larger than 16 MiB", url(path), 0};
  co_return std::move(sink.body);
}

asio::awaitable<Result<unsigned>> HttpClient::stream_with(http::verb method, std::string path, std::string body,
                                                          BodySink& sink, std::chrono::milliseconds fallback) {
  // Cancellation must come back as a value (Kind::Cancelled), not as an exception from the next
  // co_await; the caller's setting is restored on the way out.
  const bool throw_before = co_await asio::this_coro::throw_if_cancelled();
  co_await asio::this_coro::throw_if_cancelled(false);
  auto result = co_await stream_once_or_twice(method, path, std::move(body), sink, fallback);
  co_await asio::this_coro::throw_if_cancelled(throw_before);
  if (!result) co_return redact(std::move(result).error());
  co_return result;
}

asio::awaitable<Result<unsigned>> HttpClient::stream_once_or_twice(http::verb method, std::string_view path,
                                                                   std::string body, BodySink& sink,
                                                                   std::chrono::milliseconds fallback) {
  const auto& ep = config_.endpoint;
  auto url = ep.url(path);
  if (setup_error_) {
    auto e = *setup_error_;
    e.url = url;
    co_return e;
  }
  // No co_await inside the braces below: g++ 12 destroys such temporaries twice.
  auto cancel = co_await asio::this_coro::cancellation_state;
  Exchange ex{{method, ep.target(path), 11}, sink, url, cancel, fallback};
  ex.request.set(http::field::host, ep.host_header());
  ex.request.set(http::field::user_agent, "yollayah/0.1");
  ex.request.set(http::field::accept, "*/*");
  if (!config_.api_key.empty()) ex.request.set(http::field::authorization, "Bearer " + config_.api_key);
  if (method == http::verb::post || !body.empty()) {
    ex.request.set(http::field::content_type, "application/json");
    ex.request.body() = std::move(body);
  }
  ex.request.keep_alive(true);
  ex.request.prepare_payload();

  for (int attempt = 0;; ++attempt) {
    auto conn = attempt == 0 ? pool_.take() : nullptr;
    const bool reused = conn != nullptr;
    if (!conn) {
      auto fresh = co_await connect(url);
      if (!fresh) co_return fresh.error();
      conn = std::move(*fresh);
    }
    ex.connection = conn.get();
    ex.got_response_bytes = ex.keep_alive = ex.stopped = false;
    auto r = co_await run(ex);
    if (!r && reused && attempt == 0 && !ex.got_response_bytes && r.error().kind == Kind::Protocol) {
      core::log().debug("{}", masked(url + ": reused connection failed before any response (" + r.error().message +
                                         "); retrying on a new one",
                                     config_.api_key));
      continue;  // the server had closed the idle connection
    }
    // A whole answer, error statuses included, leaves the connection ready for the next request.
    const bool complete = r || r.error().kind == Kind::Http;
    if (complete && ex.keep_alive && !ex.stopped) {
      conn->tcp().expires_never();  // a deadline left armed would fail the next request at once
      pool_.put(std::move(conn));
    }
    co_return r;  // anything else closes the connection with `conn`
  }
}

asio::awaitable<Result<std::unique_ptr<Connection>>> HttpClient::connect(const std::string& url) {
  const auto& ep = config_.endpoint;
  const auto cs = co_await asio::this_coro::cancellation_state;
  auto unreachable = [&](const boost::system::error_code& ec) {
    return BackendError{Kind::Unreachable, "cannot reach " + where_ + " (" + ec.message() + ")", url, 0};
  };
  auto cancelled_error = [&] { return BackendError{Kind::Cancelled, "the request to " + where_ + " was cancelled", url, 0}; };

  std::vector<tcp::endpoint> targets;
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(ep.host, ec);
  if (!ec) {
    targets.emplace_back(addr, ep.port);
  } else {
    // getaddrinfo runs on Asio's resolver thread; it cannot be interrupted, so a cancel is
    // noticed when it returns.
    tcp::resolver resolver(io_);
    auto [rec, results] = co_await resolver.async_resolve(ep.host, std::to_string(ep.port), kAwait);
    if (cancelled(cs)) co_return cancelled_error();
    if (rec) co_return unreachable(rec);
    for (const auto& r : results) targets.push_back(r.endpoint());
  }

  Connection::Tcp tcp_stream(io_);
  tcp_stream.expires_after(config_.connect_timeout);
  auto [cec, connected] = co_await tcp_stream.async_connect(targets, kAwait);
  (void)connected;
  if (cancelled(cs)) co_return cancelled_error();
  if (cec == beast::error::timeout) {
    co_return BackendError{Kind::Timeout,
                           "timed out after " + seconds_text(config_.connect_timeout) + " connecting to " + where_,
                           url, 0};
  }
  if (cec) co_return unreachable(cec);
  tcp_stream.socket().set_option(tcp::no_delay(true), ec);
  if (!tls_) {
    ++opened_;
    co_return std::make_unique<Connection>(std::move(tcp_stream));
  }
  // The handshake runs under what is left of the connect deadline set above.
  auto connection = std::make_unique<Connection>(std::move(tcp_stream), *tls_);
  auto shaken = co_await handshake(*connection, url);
  if (!shaken) co_return shaken.error();
  ++opened_;
  co_return connection;
}

asio::awaitable<Result<void>> HttpClient::handshake(Connection& connection, const std::string& url) {
  const auto& host = config_.endpoint.host;
  auto& tls = *connection.tls();
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  // SNI names hosts, never addresses (RFC 6066).
  if (ec && !SSL_set_tlsext_host_name(tls.native_handle(), host.c_str())) {
    co_return BackendError{Kind::Unreachable, "cannot set up TLS for " + where_ + " (SNI)", url, 0};
  }
  if (!config_.tls.insecure) {
    // Notes which check failed: OpenSSL's error only says "certificate verify failed". The
    // connection outlives every call (a renegotiation may verify again).
    auto* failed = &connection.verify_failure;
    tls.set_verify_callback([failed, check = ssl::host_name_verification(host)](bool preverified,
                                                                                ssl::verify_context& ctx) {
      if (!preverified) {
        if (failed->x509_error == 0) failed->x509_error = X509_STORE_CTX_get_error(ctx.native_handle());
        return false;
      }
      if (!check(preverified, ctx)) {
        failed->host_mismatch = true;
        return false;
      }
      return true;
    });
  }
  const auto cs = co_await asio::this_coro::cancellation_state;
  auto [hec] = co_await tls.async_handshake(ssl::stream_base::client, kAwait);
  if (cancelled(cs)) co_return BackendError{Kind::Cancelled, "the request to " + where_ + " was cancelled", url, 0};
  if (hec) co_return tls_failure(connection, hec, url);
  co_return boost::system::result<void, BackendError>{};
}

BackendError HttpClient::tls_failure(const Connection& connection, const boost::system::error_code& ec,
                                     const std::string& url) const {
  const auto& ep = config_.endpoint;
  const auto& failed = connection.verify_failure;
  const std::string speak_tls = "Check that the server speaks TLS (https) on port " + std::to_string(ep.port) +
                                "; a plain-HTTP server needs an http:// URL.";
  if (ec == beast::error::timeout) {
    return {Kind::Unreachable,
            "the TLS handshake with " + where_ + " did not finish within " + seconds_text(config_.connect_timeout),
            url, 0, speak_tls};
  }
  if (failed.host_mismatch) {
    return {Kind::Unreachable, "the TLS certificate of " + where_ + " is not valid for the host name " + ep.host, url,
            0,
            "Use a host name the certificate lists (its subjectAltName), or reissue the certificate for " + ep.host +
                "."};
  }
  if (failed.x509_error != 0) {
    const std::string why = X509_verify_cert_error_string(failed.x509_error);
    switch (failed.x509_error) {
      case X509_V_ERR_CERT_HAS_EXPIRED:
      case X509_V_ERR_CERT_NOT_YET_VALID:
        return {Kind::Unreachable, "the TLS certificate of " + where_ + " is not valid now (" + why + ")", url, 0,
                "Renew the server's certificate, or check this machine's clock."};
      default:
        return {Kind::Unreachable, "the TLS certificate of " + where_ + " is not trusted (" + why + ")", url, 0,
                "If the server's certificate comes from a private CA, set ca_file to that CA's PEM certificate in "
                "its [[backend]] entry (tls_insecure = true turns checks off, for testing only)."};
    }
  }
  return {Kind::Unreachable, "the TLS handshake with " + where_ + " failed (" + ec.message() + ")", url, 0, speak_tls};
}

BackendError HttpClient::failure(Exchange& ex, const boost::system::error_code& ec, bool sending) const {
  if (cancelled(ex.cancel)) return BackendError{Kind::Cancelled, "the request to " + where_ + " was cancelled", ex.url, 0};
  if (ec == beast::error::timeout) {
    auto what = sending ? "did not take the request within " + seconds_text(ex.waited) : ex.sink.timeout_text(ex.waited);
    return BackendError{Kind::Timeout, where_ + " " + what, ex.url, 0};
  }
  return BackendError{Kind::Protocol,
                      "the connection to " + where_ + " broke while " +
                          (sending ? "sending the request" : "reading the response") + " (" + ec.message() + ")",
                      ex.url, 0};
}

asio::awaitable<Result<unsigned>> HttpClient::run(Exchange& ex) {
  if (auto* plain = ex.connection->plain()) co_return co_await exchange(*plain, ex);
  co_return co_await exchange(*ex.connection->tls(), ex);
}

template <class Stream>
asio::awaitable<Result<unsigned>> HttpClient::exchange(Stream& s, Exchange& ex) {
  auto& deadline = beast::get_lowest_layer(s);
  if (cancelled(ex.cancel)) co_return failure(ex, asio::error::operation_aborted, true);
  ex.waited = ex.fallback;
  deadline.expires_after(ex.waited);
  auto [wec, written] = co_await http::async_write(s, ex.request, kAwait);
  (void)written;
  if (wec) co_return failure(ex, wec, true);
  ex.sink.on_sent();

  http::response_parser<http::buffer_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // no total size: answers can be long
  // Not eager: an eager put() can consume body bytes and still report need_more, and then
  // async_read_some reads again before handing those bytes over.
  parser.eager(false);
  beast::flat_buffer buffer;
  buffer.reserve(kReadBuffer);
  std::vector<char> chunk(kBodyChunk);  // on the heap: a large coroutine frame trips g++ 12 warnings
  std::string error_body;
  for (;;) {
    if (!cancelled(ex.cancel) && ex.sink.backlogged()) co_await ex.sink.drained();
    if (cancelled(ex.cancel)) co_return failure(ex, asio::error::operation_aborted, false);
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    ex.waited = ex.sink.read_timeout(ex.fallback);
    deadline.expires_after(ex.waited);
    auto [ec, n] = co_await http::async_read_some(s, buffer, parser, kAwait);
    (void)n;
    if (ec == http::error::need_buffer) ec = {};
    if (!ec) drain_buffered(parser, buffer);
    ex.got_response_bytes = ex.got_response_bytes || parser.got_some();
    if (ec) co_return failure(ex, ec, false);
    if (parser.is_header_done()) {
      std::string_view bytes(chunk.data(), chunk.size() - parser.get().body().size);
      if (parser.get().result_int() / 100 == 2) {
        if (!bytes.empty() && !ex.sink.on_body(bytes)) {
          ex.stopped = true;
          co_return parser.get().result_int();
        }
      } else if (error_body.size() < kErrorBodyLimit) {
        error_body.append(bytes.substr(0, kErrorBodyLimit - error_body.size()));
      }
    }
    if (parser.is_done()) break;
  }

  const unsigned status = parser.get().result_int();
  ex.keep_alive = parser.keep_alive();
  if (status / 100 != 2) {
    auto text = server_error_text(error_body);
    if (text.empty()) text = where_ + " answered HTTP " + std::to_string(status);
    BackendError e{Kind::Http, std::move(text), ex.url, status};
    if (status == 429 || status == 503) {
      const auto& fields = parser.get();
      if (auto it = fields.find(http::field::retry_after); it != fields.end()) {
        e.retry_after = parse_retry_after(it->value(), std::chrono::system_clock::now()).value_or(e.retry_after);
      }
    }
    co_return e;
  }
  co_return status;
}

}  // namespace yollayah::backend
