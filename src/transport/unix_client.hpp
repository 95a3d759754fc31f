// The surface side of the Unix-socket transport: a ConductorLink to a running conductord.
// Events go out as frames through a write queue; frames coming in are decoded into fresh
// envelopes and handed out in batches. Ping is answered with Pong here, never shown to the surface.
//
// Reconnect (opt-in, Options::reconnect): when the connection drops for any reason other than the
// surface closing the link (or asking to quit), the link waits a backoff delay (1 s doubling to
// 64 s, ±20 %; transport/backoff.hpp), connects again, re-reads the token file, sends the
// surface's last Handshake with the fresh token and then RequestSnapshot, so the surface gets a
// StateSnapshot of what it missed. A Quit from a daemon that is stopping is delivered as usual and
// the link keeps retrying in the background (state() == Reconnecting) until the daemon is back or
// close() is called. Events the surface sends while the link is down are held and go out after
// the Handshake and RequestSnapshot; frames that were being written when it dropped may be lost
// (the snapshot shows what the Conductor got). Without reconnect, a drop closes the link, as a
// one-shot `yollayah ask --connect` wants.
#pragma once

#include "transport/backoff.hpp"
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

    struct Reconnect {
      bool enabled = false;
      // The schedule: initial delay (tests use tens of ms), cap, jitter.
      Backoff::Params backoff{};
      // Re-read before every reconnect (a restarted daemon writes a new token); the fresh token
      // replaces auth_token. Empty: keep auth_token. Read on a helper thread, never on the loop.
      std::string token_file;
    } reconnect;
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

  // Connecting before connect() finished, then Connected / Reconnecting / Closed. On the loop.
  LinkState state() const override;

  bool is_open() const;  // state() == Connected
  // Why the link ended, or why the last connection dropped while it reconnects ("" before any):
  // EOF, a framing error, a failed write.
  std::string close_reason() const;
  // Successful reconnects so far (not counting the first connect).
  std::size_t reconnects() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace yollayah::transport
