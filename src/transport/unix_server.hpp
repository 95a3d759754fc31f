// The conductor side of the Unix-socket transport: accepts surfaces on a local stream socket and
// joins each to the Conductor's main session. Per connection, a reader decodes frames into
// SurfaceEvents and a writer drains a bounded EnvelopeQueue, writing pre-encoded frames in
// gathered batches (PROTOCOL.md "Unix-socket framing", DESIGN.md "The token path and
// backpressure").
#pragma once

#include "conductor/conductor.hpp"
#include "core/envelope_queue.hpp"
#include "transport/surface_counters.hpp"
#include "transport/socket_file.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace yollayah::transport {

namespace asio = boost::asio;

struct UnixServerOptions {
  std::string socket_path;
  // Surfaces whose hello was admitted (the token checked). While it is reached, new peers are
  // told so (HandshakeAck{accepted: false}) and closed, and a hello is refused the same way.
  std::size_t max_connections = 100;
  // The same, per peer UID (SO_PEERCRED). Only the daemon's own UID is admitted today, so this
  // bounds what one user's runaway scripts can hold even if that rule is ever widened.
  std::size_t max_connections_per_uid = 100;
  // Peers that have not said hello yet have a budget of their own, so they never lock out a
  // surface that has the token: past it, the one that has waited longest is refused to make room.
  // Each has handshake_timeout to say hello (zero: forever) and may announce frames of at most
  // max_frame_before_hello bytes until then.
  std::size_t max_waiting_connections = 32;
  std::chrono::milliseconds handshake_timeout{5000};
  std::size_t max_frame_before_hello = 64 * 1024;
  // Unusable frames (unreadable, or not allowed before the hello) in a row before a connection is
  // closed with a reason; warnings about them are rate-limited per connection.
  unsigned max_bad_frames = 32;
  core::EnvelopeQueue::Limits queue_limits{};
  // Ping a connection silent for this long; after max_missed_pongs unanswered Pings it is closed.
  // Zero disables. Timers exist only while connections do.
  std::chrono::milliseconds heartbeat_interval{30000};
  unsigned max_missed_pongs = 3;
  // When set, every Handshake must carry this token (transport/auth_token.hpp); empty: no check.
  std::string auth_token;
  bool allow_legacy = false;  // with a token: still accept Connected-only (version 1) surfaces
  // Token bucket on each connection's inbound messages; past it the reader slows down and the
  // surface gets one Notify per episode. Nothing is dropped. rate <= 0 disables.
  double rate_per_second = 100;
  double rate_burst = 50;
  // Where /metrics counts the socket's connections and messages; null: not counted.
  std::shared_ptr<SurfaceCounters> counters;
  // How long shutdown() waits for surfaces to receive their Quit before closing them anyway.
  std::chrono::milliseconds shutdown_grace{2000};
};

class UnixServer {
 public:
  // `executor` runs the accept loop and the connections (each connection on a strand of it).
  UnixServer(asio::any_io_executor executor, conductor::Conductor& conductor, UnixServerOptions options);
  ~UnixServer();  // closes the listener and removes the socket file we created
  UnixServer(const UnixServer&) = delete;
  UnixServer& operator=(const UnixServer&) = delete;

  // Start-up (blocking file-system calls: before the loop runs). Creates the directory 0700,
  // recovers a stale socket, refuses a live one, and binds the socket 0600.
  std::optional<SetupError> listen();

  // Starts the accept loop. Call after listen() succeeded.
  void start();

  // Stops accepting, sends Quit to every surface (Conductor::stop), waits up to shutdown_grace
  // for the Quits to be written, then closes whatever is left. Runs on any executor.
  asio::awaitable<void> shutdown(std::optional<std::string> quit_message);

  // Removes the socket file if it is still the one we bound (file-system call: after the loop,
  // or at start-up). Also done by the destructor.
  void remove_socket_file();

  const std::string& socket_path() const;
  std::size_t connection_count() const;     // open connections; thread-safe
  std::size_t waiting_count() const;        // of those, not yet said hello; thread-safe
  std::size_t authenticated_count() const;  // of those, hello admitted; thread-safe
  std::size_t rejected_count() const;       // peers refused (credentials, a cap, or evicted); thread-safe

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace yollayah::transport
