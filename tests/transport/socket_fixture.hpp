// Shared pieces of the Unix-socket tests: a private temp directory, a Conductor with a UnixServer
// on one io_context, surfaces that record what they receive over a UnixLink, and raw clients
// that write arbitrary bytes. Everything runs on the test thread, each wait bounded in time.
#pragma once

#include "support/received.hpp"
#include "integration/harness.hpp"
#include "protocol/frame.hpp"
#include "protocol/json_codec.hpp"
#include "support/sim_process.hpp"
#include "support/temp_dir.hpp"
#include "transport/unix_client.hpp"
#include "transport/unix_server.hpp"

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>

namespace yollayah::test {

using namespace std::chrono_literals;

// Runs `io` one handler at a time until `done()` or the timeout; returns done().
inline bool run_until(asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  io.restart();
  while (!done()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    if (io.run_one_for(deadline - now) == 0 && io.stopped()) io.restart();
  }
  return true;
}

// Runs `io` for a while (to see that nothing more happens).
inline void run_for(asio::io_context& io, std::chrono::milliseconds t) {
  io.restart();
  io.run_for(t);
}

// A surface over a real socket, recording every message.
class SocketSurface {
 public:
  explicit SocketSurface(asio::io_context& io, transport::UnixLink::Options options = {})
      : link_(io.get_executor(), std::move(options)) {}

  bool connect(asio::io_context& io, const std::string& path) {
    bool done = false;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
      ec_ = co_await link_.connect(path);
      done = true;
      if (!ec_) co_await pump();
    }, asio::detached);
    return run_until(io, [&] { return done; }) && !ec_;
  }

  void send(protocol::SurfaceEvent e) { link_.send(std::move(e)); }
  transport::UnixLink& link() { return link_; }
  bool closed() const { return closed_; }
  // Every state() the surface saw on a wake-up from receive(), in order, without repeats.
  const std::vector<transport::LinkState>& states() const { return states_; }
  boost::system::error_code connect_error() const { return ec_; }
  const std::vector<protocol::ConductorMessage>& received() const { return received_; }

  template <class T>
  std::vector<T> all() const { return all_of<T>(received_); }
  template <class T>
  std::size_t count() const { return all<T>().size(); }
  std::string tokens_text() const { return tokens_text_of(received_); }
  bool ready() const {
    for (const auto& m : received_)
      if (auto* st = std::get_if<msg::State>(&m); st && st->state == protocol::ConductorState::Ready) return true;
    return false;
  }

  // Handshake (v2, as a TUI unless told otherwise) and wait for State{Ready}.
  bool join(asio::io_context& io, std::uint32_t version = 2,
            protocol::SurfaceType::Kind kind = protocol::SurfaceType::Kind::Tui) {
    send(handshake(version, kind));
    return run_until(io, [&] { return ready(); });
  }

 private:
  asio::awaitable<void> pump() {
    std::vector<protocol::EnvelopePtr> batch;
    while (co_await link_.receive(batch)) {
      for (auto& e : batch) received_.push_back(e->message);
      batch.clear();
      if (states_.empty() || states_.back() != link_.state()) states_.push_back(link_.state());
    }
    closed_ = true;
    if (states_.empty() || states_.back() != link_.state()) states_.push_back(link_.state());
  }

  transport::UnixLink link_;
  boost::system::error_code ec_;
  std::vector<protocol::ConductorMessage> received_;
  std::vector<transport::LinkState> states_;
  bool closed_ = false;
};

// A client that writes whatever bytes a test wants and records the frames it gets back.
class RawClient {
 public:
  RawClient(asio::io_context& io, const std::string& path) : socket_(io) {
    socket_.connect(asio::local::stream_protocol::endpoint(path));
  }

  void write(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes.data(), bytes.size())); }
  void write_event(const protocol::SurfaceEvent& e) {
    std::string frame;
    protocol::encode_frame_into(frame, e);
    write(frame);
  }

  // Starts reading (call once, before running the loop).
  void start_reading(asio::io_context& io) {
    asio::co_spawn(io, [this]() -> asio::awaitable<void> {
      std::array<char, 65536> buf{};
      for (;;) {
        auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
        if (ec) break;
        decoder_.feed(std::string_view(buf.data(), n));
        while (auto next = decoder_.next()) {
          if (!*next) break;
          if (auto m = protocol::decode_message(**next)) received_.push_back(std::move(*m));
        }
      }
      eof_ = true;
    }, asio::detached);
  }

  bool eof() const { return eof_; }
  const std::vector<protocol::ConductorMessage>& received() const { return received_; }
  template <class T>
  std::size_t count() const {
    std::size_t n = 0;
    for (const auto& m : received_) n += std::holds_alternative<T>(m) ? 1 : 0;
    return n;
  }
  asio::local::stream_protocol::socket& socket() { return socket_; }

 private:
  asio::local::stream_protocol::socket socket_;
  protocol::FrameDecoder decoder_;
  std::vector<protocol::ConductorMessage> received_;
  bool eof_ = false;
};

// ollama-sim, a Conductor against it and a UnixServer in front, all on `io`.
struct SocketConductor {
  explicit SocketConductor(const std::string& sim_url, transport::UnixServerOptions options = {},
                           conductor::SessionConfig config = quiet_config())
      : cut(io, sim_url, std::move(config)), server(io.get_executor(), cut.conductor, with_path(std::move(options))) {}

  // Binds and starts accepting; false (with the reason in `error`) when listen() failed.
  bool start() {
    auto err = server.listen();
    if (err) {
      error = err->message;
      return false;
    }
    server.start();
    return true;
  }

  std::string socket_path() const { return server.socket_path(); }

  TempDir dir;
  asio::io_context io;
  ConductorUnderTest cut;
  transport::UnixServer server;
  std::string error;

 private:
  transport::UnixServerOptions with_path(transport::UnixServerOptions o) {
    if (o.socket_path.empty()) o.socket_path = dir.file("run/conductor.sock");
    return o;
  }
};

inline std::string script(std::initializer_list<const char*> tokens) {
  std::string s;
  for (auto t : tokens) s += std::string(t) + "\n";
  return s;
}

}  // namespace yollayah::test
