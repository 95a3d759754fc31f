// The connection core shared by every server-side surface transport (Unix socket, WebSocket): the
// session's SurfaceSink for it, a reader coroutine (payloads → SurfaceEvents → Session::post), a
// writer coroutine (EnvelopeQueue → the wire) and the heartbeat. Until its hello (Handshake or
// Connected) is admitted, a connection gets a deadline and a small payload limit. Only the framing
// differs between transports: that is the SurfaceWire.
#pragma once

#include "conductor/session.hpp"
#include "core/envelope_queue.hpp"
#include "transport/surface_counters.hpp"
#include "transport/surface_wire.hpp"
#include "transport/token_bucket.hpp"
#include "transport/warning_limiter.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace yollayah::transport {

namespace asio = boost::asio;

class ServerConnection : public std::enable_shared_from_this<ServerConnection> {
 public:
  using ClosedFn = std::function<void(conductor::SurfaceId)>;

  struct Options {
    core::EnvelopeQueue::Limits queue_limits{};
    // Ping after this long without hearing from the peer; zero disables the heartbeat.
    std::chrono::milliseconds heartbeat_interval{30000};
    unsigned max_missed_pongs = 3;  // unanswered Pings in a row before the peer counts as dead
    // When set, Handshake must carry this token (or one of extra_tokens); until it does, nothing
    // reaches the session.
    std::string auth_token;
    std::vector<std::string> extra_tokens;
    // The transport already checked a token (an Authorization header on the WebSocket upgrade):
    // the hello still opens the connection, but needs no token of its own.
    bool authenticated = false;
    bool allow_legacy = false;  // with a token: let Connected-only (version 1) surfaces in
    double rate_per_second = 100;  // inbound frames, readable or not; <= 0: unlimited
    double rate_burst = 50;
    // Until the hello is admitted: how long the peer has to send it (zero: forever) and the largest
    // frame it may announce (a Handshake is a few hundred bytes).
    std::chrono::milliseconds handshake_timeout{5000};
    std::size_t max_frame_before_hello = 64 * 1024;
    // Frames in a row that could not be used (unreadable, or not allowed before the hello) before
    // the connection is closed with a reason. Warnings about them are rate-limited meanwhile.
    unsigned max_bad_frames = 32;
    // Asked on the connection's strand when a hello passes the token check: nullopt lets the
    // surface in, a reason refuses it (no room among the authenticated connections).
    std::function<std::optional<std::string>()> on_hello;
    // Where /metrics counts this connection (shared by its kind); null: not counted.
    std::shared_ptr<SurfaceCounters> counters;
    // Where refusals are logged (shared by the server's connections); null: this connection's own.
    std::shared_ptr<SharedWarningLimiter> refusal_log;
  };

  ServerConnection(std::unique_ptr<SurfaceWire> wire, conductor::SurfaceId id, std::shared_ptr<conductor::Session> session,
                   Options options, ClosedFn on_closed);

  // Attaches to the session and starts the reader and the writer.
  void start();
  // Closes the socket and the queue (thread-safe). The session is detached once both coroutines end.
  void close(std::string reason);

  conductor::SurfaceId id() const { return id_; }
  // True once the surface said Connected or Handshake: the session will send it a Quit.
  bool said_hello() const { return said_hello_.load(std::memory_order_relaxed); }
  // Refuses the connection (HandshakeAck{accepted: false, reason}, then close) unless its hello was
  // admitted meanwhile. Thread-safe; for the server making room for a newer connection.
  void evict_if_waiting(std::string reason);

 private:
  asio::awaitable<void> read_loop();
  asio::awaitable<void> write_loop();
  asio::awaitable<void> heartbeat_loop();
  // How long to stop reading after a payload, over the rate limit (zero: go on at once).
  std::chrono::microseconds spend_rate();
  void handle_frame(std::string_view payload);
  // The gate in front of the session: false drops the event (and may refuse the connection).
  bool admit(const protocol::SurfaceEvent& event);
  bool token_ok(const std::string& token) const;
  // A frame that cannot be used: warn (rate-limited), and past max_bad_frames in a row, close.
  void ignore_frame(std::string why);
  void refuse(const protocol::EventId* event_id, std::string reason);
  // Queues `messages` as the last ones: the reader stops, the writer closes once they are written
  // (or after a short grace if the peer does not take them).
  void finish_with(std::vector<protocol::ConductorMessage> messages, std::string reason);
  void warn_peer(std::string message);
  void arm_deadline(std::chrono::milliseconds after);
  void shut(const std::string& reason);  // on the strand
  void coroutine_done();                 // on the strand

  std::unique_ptr<SurfaceWire> wire_;
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
  bool throttle_notified_ = false;
  // The Handshake deadline until the hello, then (while closing_) the grace for the last words.
  asio::steady_timer deadline_;
  WarningLimiter warnings_;
  WarningLimiter refusals_;  // without options_.refusal_log
  unsigned bad_in_a_row_ = 0;
  std::atomic<bool> said_hello_{false};
  bool shut_ = false;
  bool admitted_ = false;  // the token check passed (always true without a token)
  bool hello_ = false;     // a hello was admitted: the full payload size, no deadline
  bool closing_ = false;   // last messages are queued: read no more, close once they are written
  const protocol::Envelope* last_words_ = nullptr;  // the last of them
  std::string closing_reason_;
  int running_ = 0;  // coroutines alive
  std::string close_reason_;
};

}  // namespace yollayah::transport
