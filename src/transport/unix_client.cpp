#include "transport/unix_client.hpp"

#include "core/run_on.hpp"

#include "conductor/ids.hpp"
#include "core/log.hpp"
#include "protocol/frame.hpp"
#include "protocol/json_codec.hpp"
#include "transport/auth_token.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <random>

namespace yollayah::transport {
namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
using Signal = asio::experimental::channel<void(boost::system::error_code)>;

bool is_hello(const protocol::SurfaceEvent& e) {
  return std::holds_alternative<protocol::ev::Handshake>(e) || std::holds_alternative<protocol::ev::Connected>(e);
}

}  // namespace

// Lives as long as the link or any of its coroutines; touched only on `executor`.
struct UnixLink::State : std::enable_shared_from_this<State> {
  State(asio::any_io_executor ex, Options opts)
      : executor(std::move(ex)),
        socket(executor),
        options(std::move(opts)),
        inbox_ready(executor, 1),
        inbox_space(executor, 1),
        retry_timer(executor),
        backoff(options.reconnect.backoff),
        rng(std::random_device{}()) {}

  asio::any_io_executor executor;
  asio::local::stream_protocol::socket socket;
  Options options;
  std::string path;

  // Down: the connection dropped and the reconnect loop owns the link.
  enum class Phase : std::uint8_t { Idle, Connecting, Open, Down, Closed } phase = Phase::Idle;
  bool closing = false;         // close() asked: flush, then close the socket
  bool quit_requested = false;  // the surface sent QuitRequested: a drop after it is the end
  std::string reason;
  // Bumped for every connection: a reader or writer of an older one stops when it wakes up.
  std::uint64_t generation = 0;
  bool state_changed = false;  // receive() returns once to let the surface re-read state()
  std::size_t reconnect_count = 0;

  // Outbound: frames appended by send(), swapped out by the writer.
  std::string outbox;
  std::string writing;
  bool writer_running = false;
  // Reconnect: the surface's last hello, and what it sent while the link was down. After a
  // reconnect the held events wait for the HandshakeAck: a refused Handshake (a token file read
  // just before the daemon rewrote it) must not take them down with it.
  std::optional<protocol::SurfaceEvent> hello;
  std::vector<protocol::SurfaceEvent> held;
  bool awaiting_ack = false;

  // Inbound: decoded messages waiting for receive().
  protocol::FrameDecoder decoder;
  std::array<char, 64 * 1024> read_buf{};
  std::vector<protocol::EnvelopePtr> inbox;
  Signal inbox_ready;  // receive() waits on it
  Signal inbox_space;  // the reader waits on it while the inbox is full
  bool reader_waiting = false;

  asio::steady_timer retry_timer;
  Backoff backoff;
  std::minstd_rand rng;
  // Reads the token file before a reconnect; created on the first one. ~State joins it, which is
  // quick (no job can be pending: a pending job holds this State).
  std::optional<asio::thread_pool> blocking;

  LinkState link_state() const {
    switch (phase) {
      case Phase::Idle:
      case Phase::Connecting: return LinkState::Connecting;
      case Phase::Open: return awaiting_ack ? LinkState::Reconnecting : LinkState::Connected;
      case Phase::Down: return LinkState::Reconnecting;
      case Phase::Closed: return LinkState::Closed;
    }
    return LinkState::Closed;
  }

  void note_state_change() {
    state_changed = true;
    inbox_ready.try_send(boost::system::error_code{});
  }

  void queue_event(protocol::SurfaceEvent event) {
    if (std::holds_alternative<protocol::ev::QuitRequested>(event)) quit_requested = true;
    if (is_hello(event)) hello = event;
    if (phase == Phase::Down || awaiting_ack) {
      if (!is_hello(event)) held.push_back(std::move(event));  // the hello is resent anyway
      return;
    }
    queue_frame(event);
  }

  void queue_frame(const protocol::SurfaceEvent& event) {
    protocol::encode_frame_into(outbox, event);
    maybe_start_writer();
  }

  void maybe_start_writer() {
    if (writer_running || phase != Phase::Open || (outbox.empty() && !closing)) return;
    writer_running = true;
    asio::co_spawn(executor, [self = shared_from_this(), gen = generation] { return self->write_loop(gen); },
                   asio::detached);
  }

  asio::awaitable<void> write_loop(std::uint64_t gen) {
    auto self = shared_from_this();
    while (!outbox.empty() && phase == Phase::Open) {
      writing.clear();
      writing.swap(outbox);
      auto [ec, n] = co_await asio::async_write(socket, asio::buffer(writing), kAwait);
      if (gen != generation) co_return;  // that connection is gone; lose() reset writer_running
      if (ec) {
        lose("write failed: " + ec.message());
        co_return;
      }
    }
    writer_running = false;
    if (closing && phase == Phase::Open) finish("closed by the surface");
  }

  asio::awaitable<void> read_loop(std::uint64_t gen) {
    auto self = shared_from_this();
    while (phase == Phase::Open && gen == generation) {
      if (inbox.size() >= options.max_pending) {
        reader_waiting = true;
        auto [ec] = co_await inbox_space.async_receive(kAwait);
        reader_waiting = false;
        if (ec) break;
        continue;
      }
      auto [ec, n] = co_await socket.async_read_some(asio::buffer(read_buf), kAwait);
      if (gen != generation) break;
      if (ec) {
        lose(ec == asio::error::eof ? "the Conductor closed the connection" : "read failed: " + ec.message());
        break;
      }
      decoder.feed(std::string_view(read_buf.data(), n));
      if (!drain_frames()) break;
    }
  }

  // Decodes every complete frame; false (and dropped) when the stream can no longer be trusted.
  bool drain_frames() {
    const bool was_empty = inbox.empty();
    for (;;) {
      auto next = decoder.next();
      if (!next) {
        lose("framing error: " + protocol::describe(next.error()));
        return false;
      }
      if (!*next) break;
      auto message = protocol::decode_message(**next);
      if (!message) {
        core::log().warn("ignored a message from the Conductor: {}", protocol::describe(message.error()));
        continue;
      }
      if (auto* ping = std::get_if<protocol::msg::Ping>(&*message)) {
        queue_frame(protocol::ev::Pong{ping->seq});
        continue;
      }
      if (auto* ack = std::get_if<protocol::msg::HandshakeAck>(&*message)) {
        if (ack->accepted) {
          backoff.reset();  // a connection that let us in: the next drop starts the backoff over
          if (awaiting_ack) {
            awaiting_ack = false;
            release_held();
            note_state_change();
          }
        } else if (awaiting_ack) {
          // Our own Handshake after a reconnect was refused: most likely a token file read just
          // before the restarted daemon rewrote it. The daemon closes; the backoff goes on. The
          // surface keeps seeing Reconnecting instead of a refusal it did not ask for.
          reason = "the Conductor refused the Handshake: " + ack->rejection_reason.value_or("no reason given");
          core::log().info("{}; retrying", reason);
          continue;
        }
      }
      inbox.push_back(std::make_shared<const protocol::Envelope>(protocol::Envelope{std::move(*message), {}}));
    }
    if (was_empty && !inbox.empty()) inbox_ready.try_send(boost::system::error_code{});
    return true;
  }

  // The connection is up (first time or again): start reading and writing.
  // `fresh_token`: just read from the token file, replaces the hello's token.
  void open_connection(bool again, std::optional<std::string> fresh_token = std::nullopt) {
    phase = Phase::Open;
    ++generation;
    if (again) {
      ++reconnect_count;
      std::string frames;
      if (hello) {
        auto h = *hello;
        if (auto* hs = std::get_if<protocol::ev::Handshake>(&h)) {
          if (fresh_token) hs->auth_token = std::move(fresh_token);
          protocol::encode_frame_into(frames, h);
          if (hs->protocol_version >= 2)
            protocol::encode_frame_into(frames, protocol::SurfaceEvent{protocol::ev::RequestSnapshot{conductor::next_event_id()}});
        } else {
          protocol::encode_frame_into(frames, h);
        }
      }
      frames += outbox;
      outbox.swap(frames);
      // A Handshake is answered with a HandshakeAck: hold the rest until it says yes.
      awaiting_ack = hello && std::holds_alternative<protocol::ev::Handshake>(*hello);
      if (!awaiting_ack) {
        backoff.reset();  // no Ack to wait for (a legacy hello): the connection counts as working
        release_held();
      }
    }
    asio::co_spawn(executor, [self = shared_from_this(), gen = generation] { return self->read_loop(gen); },
                   asio::detached);
    maybe_start_writer();
    if (!awaiting_ack) note_state_change();
  }

  void release_held() {
    for (const auto& e : held) protocol::encode_frame_into(outbox, e);
    held.clear();
    maybe_start_writer();
  }

  // The connection failed under us: reconnect if asked to, else close for good.
  void lose(std::string why) {
    if (phase != Phase::Open) return;
    if (!options.reconnect.enabled || closing || quit_requested) {
      finish(std::move(why));
      return;
    }
    core::log().info("lost the Conductor ({}); reconnecting", why);
    phase = Phase::Down;
    awaiting_ack = false;
    reason = std::move(why);
    ++generation;
    boost::system::error_code ignored;
    socket.shutdown(asio::local::stream_protocol::socket::shutdown_both, ignored);
    socket.close(ignored);
    decoder = protocol::FrameDecoder{};
    outbox.clear();  // half-written or stale (Pong): the new connection starts with a Handshake
    writing.clear();
    writer_running = false;
    if (reader_waiting) inbox_space.try_send(boost::system::error_code{});
    note_state_change();
    asio::co_spawn(executor, [self = shared_from_this()] { return self->reconnect_loop(); }, asio::detached);
  }

  asio::awaitable<void> reconnect_loop() {
    using namespace asio::experimental::awaitable_operators;
    auto self = shared_from_this();
    while (phase == Phase::Down) {
      retry_timer.expires_after(backoff.next(rng));
      co_await retry_timer.async_wait(kAwait);
      if (phase != Phase::Down) co_return;  // closed meanwhile (close() cancels the timer)
      std::optional<std::string> token;
      if (!options.reconnect.token_file.empty()) {
        if (!blocking) blocking.emplace(1);
        auto job = [file = options.reconnect.token_file] { return read_token_file(file); };
        token = co_await core::run_on<std::optional<std::string>>(*blocking, std::move(job));
        if (phase != Phase::Down) co_return;
      }
      asio::steady_timer timeout(executor, options.connect_timeout);
      auto result = co_await (socket.async_connect(asio::local::stream_protocol::endpoint(path), kAwait) ||
                              timeout.async_wait(kAwait));
      if (phase != Phase::Down) co_return;
      const boost::system::error_code ec =
          result.index() == 0 ? std::get<0>(std::get<0>(result)) : make_error_code(boost::system::errc::timed_out);
      if (ec) {
        boost::system::error_code ignored;
        socket.close(ignored);
        reason = "cannot reconnect to " + path + ": " + ec.message();
        continue;
      }
      if (token) options.auth_token = token;  // for Handshakes the surface sends from now on
      core::log().info("reconnected to the Conductor at {}", path);
      open_connection(/*again=*/true, std::move(token));
    }
  }

  void finish(std::string why) {
    if (phase == Phase::Closed) return;
    phase = Phase::Closed;
    awaiting_ack = false;
    ++generation;
    reason = std::move(why);
    boost::system::error_code ignored;
    socket.shutdown(asio::local::stream_protocol::socket::shutdown_both, ignored);
    socket.close(ignored);
    retry_timer.cancel();
    held.clear();
    inbox_ready.try_send(boost::system::error_code{});
    if (reader_waiting) inbox_space.try_send(boost::system::error_code{});
  }

  void close() {
    if (closing || phase == Phase::Closed) return;
    closing = true;
    if (phase == Phase::Open) {
      protocol::encode_frame_into(outbox, protocol::SurfaceEvent{protocol::ev::Disconnected{
                                              conductor::next_event_id(), std::string("surface closed")}});
      maybe_start_writer();
    } else if (phase == Phase::Idle || phase == Phase::Down) {
      finish("closed by the surface");  // Down: cancels the retry timer or the connect under way
    }
    // Connecting: connect() sees `closing` and finishes.
  }
};

UnixLink::UnixLink(asio::any_io_executor executor, Options options)
    : state_(std::make_shared<State>(std::move(executor), std::move(options))) {}

UnixLink::~UnixLink() { close(); }

asio::awaitable<boost::system::error_code> UnixLink::connect(std::string path) {
  using namespace asio::experimental::awaitable_operators;
  auto s = state_;
  if (s->phase != State::Phase::Idle) co_return asio::error::already_started;
  s->phase = State::Phase::Connecting;
  s->path = path;
  asio::steady_timer timer(s->executor, s->options.connect_timeout);
  auto result = co_await (s->socket.async_connect(asio::local::stream_protocol::endpoint(path), kAwait) ||
                          timer.async_wait(kAwait));
  boost::system::error_code ec =
      result.index() == 0 ? std::get<0>(std::get<0>(result)) : make_error_code(boost::system::errc::timed_out);
  if (!ec && s->closing) ec = asio::error::operation_aborted;
  if (ec) {
    s->phase = State::Phase::Idle;
    s->finish("cannot connect to " + path + ": " + ec.message());
    co_return ec;
  }
  s->open_connection(/*again=*/false);
  co_return ec;
}

void UnixLink::send(protocol::SurfaceEvent event) {
  asio::dispatch(state_->executor, [s = state_, event = std::move(event)]() mutable {
    if (s->closing || s->phase == State::Phase::Closed) return;
    if (auto* hs = std::get_if<protocol::ev::Handshake>(&event); hs && !hs->auth_token)
      hs->auth_token = s->options.auth_token;
    s->queue_event(std::move(event));
  });
}

asio::awaitable<bool> UnixLink::receive(std::vector<protocol::EnvelopePtr>& batch) {
  auto s = state_;
  for (;;) {
    if (!s->inbox.empty() || s->state_changed) {
      s->state_changed = false;
      if (batch.empty()) {
        batch.swap(s->inbox);
      } else {
        batch.insert(batch.end(), s->inbox.begin(), s->inbox.end());
        s->inbox.clear();
      }
      if (s->reader_waiting) s->inbox_space.try_send(boost::system::error_code{});
      co_return true;
    }
    if (s->phase == State::Phase::Closed) co_return false;
    auto [ec] = co_await s->inbox_ready.async_receive(kAwait);
    if (ec) co_return false;
  }
}

void UnixLink::close() {
  asio::dispatch(state_->executor, [s = state_] { s->close(); });
}

LinkState UnixLink::state() const { return state_->link_state(); }
bool UnixLink::is_open() const { return state_->link_state() == LinkState::Connected; }
std::string UnixLink::close_reason() const { return state_->reason; }
std::size_t UnixLink::reconnects() const { return state_->reconnect_count; }

}  // namespace yollayah::transport
