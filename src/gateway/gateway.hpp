// conductord's HTTP listener: one TCP port serving the web page, the WebSocket surface (/ws), the
// Ollama- and OpenAI-compatible API through the router, and /metrics. One coroutine per
// connection, a timeout before every read and write, size limits on requests, keep-alive, and a
// shutdown that lets running answers end with a proper last chunk.
#pragma once

#include "conductor/conductor.hpp"
#include "core/envelope_queue.hpp"
#include "gateway/metrics.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace yollayah::store {
class HistoryStore;
}

namespace yollayah::gateway {

namespace asio = boost::asio;

struct GatewayOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: a free port (see Gateway::port())
  // Tokens accepted as `Authorization: Bearer …` (and in the WebSocket Handshake): the session
  // token first, then any API keys. Empty with auth off.
  std::vector<std::string> tokens;
  bool auth = true;  // false ("none") only on a loopback address: checked by listen()
  std::vector<std::string> allowed_origins;  // WebSocket origins beside the page's own
  // Limits and timeouts of the HTTP side.
  std::size_t max_connections = 4096;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 4 * 1024 * 1024;
  std::chrono::milliseconds header_timeout{15000};  // the whole header, and an idle keep-alive
  std::chrono::milliseconds body_timeout{30000};
  std::chrono::milliseconds write_timeout{30000};   // each write of a response
  std::chrono::milliseconds shutdown_grace{10000};  // running answers may finish within this
  std::size_t max_answer_bytes = 1024 * 1024;       // an API answer longer than this is cut
  // The WebSocket surface: the same limits as the Unix socket's.
  std::size_t max_ws_connections = 100;
  std::chrono::milliseconds handshake_timeout{5000};
  std::chrono::milliseconds heartbeat_interval{30000};
  double rate_per_second = 100;
  double rate_burst = 50;
  core::EnvelopeQueue::Limits queue_limits{};
  // [gateway] record: API chat exchanges are stored in `history` beside the terminal's
  // conversations (gateway/recorder.hpp). Without a history (it is off), nothing is stored.
  bool record = false;
  store::HistoryStore* history = nullptr;  // must outlive the gateway
  std::string version = "0.1.0";
};

class Gateway {
 public:
  Gateway(asio::any_io_executor executor, conductor::Conductor& conductor, GatewayOptions options,
          std::shared_ptr<Metrics> metrics = nullptr);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Start-up: binds the port (a sentence on failure, e.g. auth "none" on a public address).
  std::optional<std::string> listen();
  void start();
  // Stops accepting and closes idle connections; running answers get shutdown_grace to finish,
  // then are cancelled and end with an error and a proper last chunk. WebSocket surfaces get
  // their Quit from Conductor::stop (the caller's) and are waited for. Any executor.
  asio::awaitable<void> shutdown();

  std::uint16_t port() const;
  std::string base_url() const;  // "http://127.0.0.1:8080"
  // The page with the token in the fragment (never sent to the server, never in its logs).
  std::string page_url() const;
  std::size_t connection_count() const;  // open HTTP and WebSocket connections; thread-safe
  Metrics& metrics();

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

// "127.0.0.1:8080" → address and port; "[::1]:8080" for IPv6. A sentence when it does not parse.
boost::system::result<std::pair<std::string, std::uint16_t>, std::string> parse_listen_address(std::string_view text);

}  // namespace yollayah::gateway
