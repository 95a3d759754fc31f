// One surface connected to conductord over the Unix socket: the session's SurfaceSink for it, a
// reader coroutine (frames → SurfaceEvents → Session::post) and a writer coroutine (EnvelopeQueue
// → gathered frame writes). Internal to UnixServer.
#pragma once

#include "conductor/session.hpp"
#include "core/envelope_queue.hpp"
#include "protocol/frame.hpp"
#include "transport/token_bucket.hpp"

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <array>
#include <chrono>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace yollayah::transport {

namespace asio = boost::asio;

class ServerConnection : public std::enable_shared_from_this<ServerConnection> {
 public:
  using Socket = asio::local::stream_protocol::socket;  // on a strand of its own
  using ClosedFn = std::function<void(conductor::SurfaceId)>;

  struct Options {
    core::EnvelopeQueue::Limits queue_limits{};
    // Ping after this long without hearing from the peer; zero disables the heartbeat.
    std::chrono::milliseconds heartbeat_interval{30000};
    unsigned max_missed_pongs = 3;  // unanswered Pings in a row before the peer counts as dead
    // When set, Handshake must carry this token; until it does, nothing reaches the session.
    std::string auth_token;
    bool allow_legacy = false;  // with a token: let Connected-only (version 1) surfaces in
    double rate_per_second = 100;  // inbound messages; <= 0: unlimited
    double rate_burst = 50;
  };

  ServerConnection(Socket socket, conductor::SurfaceId id, std::shared_ptr<conductor::Session> session,
                   Options options, ClosedFn on_closed);

  // Attaches to the session and starts the reader and the writer.
  void start();
  // Closes the socket and the queue (thread-safe). The session is detached once both coroutines end.
  void close(std::string reason);

  conductor::SurfaceId id() const { return id_; }
  // True once the surface said Connected or Handshake: the session will send it a Quit.
  bool said_hello() const { return said_hello_.load(std::memory_order_relaxed); }

 private:
  asio::awaitable<void> read_loop();
  asio::awaitable<void> write_loop();
  asio::awaitable<void> heartbeat_loop();
  enum class Drain : std::uint8_t { NeedMore, Close, Pause };
  // Handles the payloads now complete in the decoder. Pause: over the rate limit, wait pause_
  // before draining again. Close: framing can no longer be trusted.
  Drain drain_frames();
  // The gate in front of the session: false drops the event (and may refuse the connection).
  bool admit(const protocol::SurfaceEvent& event);
  void refuse(const protocol::EventId& event_id, std::string reason);
  void warn_peer(std::string message);
  void shut(const std::string& reason);  // on the strand
  void coroutine_done();                 // on the strand

  Socket socket_;
  conductor::SurfaceId id_;
  std::shared_ptr<conductor::Session> session_;
  std::shared_ptr<core::EnvelopeQueue> queue_;
  Options options_;
  ClosedFn on_closed_;
  asio::steady_timer heartbeat_;
  std::chrono::steady_clock::time_point last_heard_;
  unsigned unanswered_pings_ = 0;
  std::uint64_t ping_seq_ = 0;
  TokenBucket bucket_;
  asio::steady_timer throttle_;
  std::chrono::microseconds pause_{0};
  bool throttle_notified_ = false;
  protocol::FrameDecoder decoder_;
  std::array<char, 64 * 1024> read_buf_{};
  std::atomic<bool> said_hello_{false};
  bool shut_ = false;
  bool admitted_ = false;  // an accepted hello went through (always true without a token)
  bool refused_ = false;   // a refusal is queued: read no more, close once it is written
  int running_ = 0;  // coroutines alive
  std::string close_reason_;
};

}  // namespace yollayah::transport
