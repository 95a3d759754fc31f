// A small HTTP/1.1 client for one server, on Beast and C++20 coroutines: keep-alive connections
// from a ConnectionPool, a connect timeout, an idle-gap timeout on every read (and no total
// timeout, so long answers finish), cancellation through the awaiting coroutine's slot, and
// failures as BackendError values that name the server.
#pragma once

#include "backend/backend.hpp"
#include "backend/connection_pool.hpp"
#include "backend/ollama_host.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/http/verb.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>

namespace yollayah::backend {

struct HttpClientConfig {
  Endpoint endpoint;
  std::string service = "Ollama";  // how messages name the server
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds idle_timeout{120000};  // longest silence while waiting for bytes
  std::size_t max_idle_connections = 4;
  std::chrono::seconds max_idle_age{30};
};

// Receives a 2xx response body as it arrives, one network read at a time, on the caller's
// executor. Returning false stops reading; the connection is then closed.
class BodySink {
 public:
  virtual ~BodySink() = default;
  virtual bool on_body(std::string_view bytes) = 0;
};

class HttpClient {
 public:
  // Sockets live on `io` (an io_context executor); the coroutines run wherever they are awaited
  // (often a strand), and the sink is called there. Beast's per-stream timer fires on `io`, so
  // that io_context must run on one thread (as the Conductor's does); callers may be on any of
  // its strands. Calls may overlap; each uses its own connection.
  HttpClient(boost::asio::any_io_executor io, HttpClientConfig config);

  // Paths are taken by value: a coroutine must own what it reads after its first suspension.
  // Sends a request and streams the body of a 2xx answer into `sink`. Returns the status, or:
  // Http for a non-2xx answer (message: the server's own error text), Unreachable, Timeout,
  // Protocol (connection dropped mid-response) or Cancelled.
  asio::awaitable<Result<unsigned>> stream(boost::beast::http::verb method, std::string path, std::string body,
                                           BodySink& sink);

  // The whole body of a 2xx answer, for small JSON replies (at most 16 MiB).
  asio::awaitable<Result<std::string>> fetch(boost::beast::http::verb method, std::string path,
                                             std::string body = {});

  const HttpClientConfig& config() const { return config_; }
  std::string url(std::string_view path) const { return config_.endpoint.url(path); }

  // Pool statistics, for tests and /metrics.
  std::size_t connections_opened() const { return opened_.load(); }
  std::size_t idle_connections() const { return pool_.idle(); }

 private:
  struct Exchange;
  // One request; a second try on a fresh connection when a pooled one turns out to be dead.
  asio::awaitable<Result<unsigned>> stream_once_or_twice(boost::beast::http::verb method, std::string_view path,
                                                         std::string body, BodySink& sink);
  asio::awaitable<Result<std::unique_ptr<ConnectionPool::Stream>>> connect(const std::string& url);
  asio::awaitable<Result<unsigned>> run(Exchange& ex);

  boost::asio::any_io_executor io_;
  HttpClientConfig config_;
  ConnectionPool pool_;
  std::atomic<std::size_t> opened_{0};
};

}  // namespace yollayah::backend
