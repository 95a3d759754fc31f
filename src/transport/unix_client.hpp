// The surface side of the Unix-socket transport: a ConductorLink to a running conductord.
// Events go out as frames through a write queue; frames coming in are decoded into fresh
// envelopes and handed out in batches. Ping is answered with Pong here, never shown to the surface.
#pragma once

#include "transport/link.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace yollayah::transport {

class UnixLink final : public ConductorLink {
 public:
  struct Options {
    std::chrono::milliseconds connect_timeout{5000};
    // Messages buffered for the surface before the link stops reading the socket: a surface that
    // does not keep up pushes back onto the Conductor, whose queue then merges or resyncs.
    std::size_t max_pending = 4096;
    // Put into every Handshake sent without one (conductord's session.token).
    std::optional<std::string> auth_token;
  };

  // `executor` is the surface's loop: single-threaded. connect() and receive() are awaited there;
  // send() and close() may be called from any thread (they hop onto it).
  explicit UnixLink(asio::any_io_executor executor, Options options);
  explicit UnixLink(asio::any_io_executor executor) : UnixLink(std::move(executor), Options{}) {}
  ~UnixLink() override;  // close()
  UnixLink(const UnixLink&) = delete;
  UnixLink& operator=(const UnixLink&) = delete;

  // Connects to the conductord socket at `path`, then starts reading and writing. Returns
  // errc::timed_out after connect_timeout; events sent before this finished go out after it.
  asio::awaitable<boost::system::error_code> connect(std::string path);

  // Queues the event's frame; never blocks. A Handshake without auth_token gets Options::auth_token.
  void send(protocol::SurfaceEvent event) override;
  asio::awaitable<bool> receive(std::vector<protocol::EnvelopePtr>& batch) override;
  // Sends Disconnected, flushes what is queued, then closes the socket.
  void close() override;

  bool is_open() const;
  // Why the link ended ("" while open): EOF, a framing error, a failed write.
  std::string close_reason() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace yollayah::transport
