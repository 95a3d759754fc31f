// A small HTTP/1.1 client for one server, on Beast and C++20 coroutines: keep-alive connections
// from a ConnectionPool, a connect timeout, a deadline on every read that the body's consumer
// chooses (and no total timeout, so long answers finish), cancellation through the awaiting
// coroutine's slot, and failures as BackendError values that name the server.
#pragma once

#include "backend/backend.hpp"
#include "backend/backend_config.hpp"
#include "backend/connection_pool.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/http/verb.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace boost::asio::ssl {
class context;
}

namespace yollayah::backend {

// Receives a 2xx response body as it arrives, one network read at a time, on the caller's
// executor. Returning false stops reading; the connection is then closed.
class BodySink {
 public:
  virtual ~BodySink() = default;
  virtual bool on_body(std::string_view bytes) = 0;

  // The request is written: the server has it from now on (a chat times its first token from here).
  virtual void on_sent() {}

  // How long the next read may wait for bytes (response headers included). `fallback` is the
  // client's own deadline for the call: idle_timeout for stream(), probe_timeout for fetch().
  virtual std::chrono::milliseconds read_timeout(std::chrono::milliseconds fallback) const { return fallback; }

  // What did not happen when a read waited `waited` in vain, after the server's name:
  // "sent nothing for 5 s", "gave no first token within 60 s".
  virtual std::string timeout_text(std::chrono::milliseconds waited) const;

  // Backpressure (ChatSink::backlogged): asked before each read of the body; while true, the
  // read waits for drained().
  virtual bool backlogged() const { return false; }
  virtual boost::asio::awaitable<void> drained();
};

// "5 s", "0.3 s": how timeouts read in messages.
std::string seconds_text(std::chrono::milliseconds t);

// `text` with every occurrence of `secret` (an API key) replaced by "***"; for errors and log lines.
std::string masked(std::string text, std::string_view secret);

// A Retry-After value: delta seconds ("120") or an HTTP date (IMF-fixdate, or the obsolete RFC 850
// and asctime forms), as a wait from `now` (0 for a date in the past, at most a day). Nothing for
// a value that is neither.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

// Sizes of the keep-alive pool.
struct PoolLimits {
  std::size_t max_idle = 4;
  std::chrono::seconds max_age{30};
};

class HttpClient {
 public:
  // Sockets live on `io` (an io_context executor); the coroutines run wherever they are awaited
  // (often a strand), and the sink is called there. Beast's per-stream timer fires on `io`, so
  // that io_context must run on one thread (as the Conductor's does); callers may be on any of
  // its strands. Calls may overlap; each uses its own connection. `kind` names the server in
  // messages when the config has no name ("Ollama"). For https, the TLS context is built here,
  // once (reading tls.ca_file is a blocking file read: construct at start-up, off the loop); with
  // tls.insecure it logs one warning. https is TLS or an error, never a fall back to plain HTTP:
  // a certificate that fails verification, a host-name mismatch or a handshake past
  // connect_timeout is Kind::Unreachable with the URL and the fix in `advice`.
  HttpClient(boost::asio::any_io_executor io, BackendConfig config, std::string kind = "the server",
             PoolLimits pool = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Paths are taken by value: a coroutine must own what it reads after its first suspension.
  // Sends a request and streams the body of a 2xx answer into `sink`. Returns the status, or:
  // Http for a non-2xx answer (message: the server's own error text; retry_after from a 429 or
  // 503 answer's Retry-After), Unreachable, Timeout,
  // Protocol (connection dropped mid-response) or Cancelled. Reads wait sink.read_timeout(idle_timeout).
  asio::awaitable<Result<unsigned>> stream(boost::beast::http::verb method, std::string path, std::string body,
                                           BodySink& sink);

  // The whole body of a 2xx answer, for small JSON replies (at most 16 MiB); every wait is
  // bounded by probe_timeout, so a server that accepts and never answers fails within it.
  asio::awaitable<Result<std::string>> fetch(boost::beast::http::verb method, std::string path,
                                             std::string body = {});

  const BackendConfig& config() const { return config_; }
  // Why this client cannot make requests at all (an unreadable tls.ca_file, an unknown scheme);
  // every call then returns it. For the factory to report at start-up.
  const std::optional<BackendError>& setup_error() const { return setup_error_; }
  std::string url(std::string_view path) const { return config_.endpoint.url(path); }
  // How messages name the server: "laptop at http://127.0.0.1:11434", "Ollama at http://…".
  const std::string& where() const { return where_; }

  // `e` with every occurrence of the API key masked: a server may echo the Authorization header
  // back in an error text, and what a backend returns must never hold the key.
  BackendError redact(BackendError e) const;

  // Pool statistics, for tests and /metrics.
  std::size_t connections_opened() const { return opened_.load(); }
  std::size_t idle_connections() const { return pool_.idle(); }

 private:
  struct Exchange;
  asio::awaitable<Result<unsigned>> stream_with(boost::beast::http::verb method, std::string path, std::string body,
                                                BodySink& sink, std::chrono::milliseconds fallback);
  // One request; a second try on a fresh connection when a pooled one turns out to be dead.
  asio::awaitable<Result<unsigned>> stream_once_or_twice(boost::beast::http::verb method, std::string_view path,
                                                         std::string body, BodySink& sink,
                                                         std::chrono::milliseconds fallback);
  asio::awaitable<Result<std::unique_ptr<Connection>>> connect(const std::string& url);
  asio::awaitable<Result<void>> handshake(Connection& connection, const std::string& url);
  asio::awaitable<Result<unsigned>> run(Exchange& ex);
  template <class Stream>
  asio::awaitable<Result<unsigned>> exchange(Stream& stream, Exchange& ex);
  BackendError failure(Exchange& ex, const boost::system::error_code& ec, bool sending) const;
  BackendError tls_failure(const Connection& connection, const boost::system::error_code& ec,
                           const std::string& url) const;
  void set_up_tls();

  boost::asio::any_io_executor io_;
  BackendConfig config_;
  std::string where_;
  std::unique_ptr<boost::asio::ssl::context> tls_;  // https only
  std::optional<BackendError> setup_error_;
  ConnectionPool pool_;
  std::atomic<std::size_t> opened_{0};
};

}  // namespace yollayah::backend
