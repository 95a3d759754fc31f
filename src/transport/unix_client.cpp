#include "transport/unix_client.hpp"

#include "conductor/ids.hpp"
#include "core/log.hpp"
#include "protocol/frame.hpp"
#include "protocol/json_codec.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>

namespace yollayah::transport {
namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
using Signal = asio::experimental::channel<void(boost::system::error_code)>;

}  // namespace

// Lives as long as the link or any of its coroutines; touched only on `executor`.
struct UnixLink::State : std::enable_shared_from_this<State> {
  State(asio::any_io_executor ex, Options opts)
      : executor(std::move(ex)), socket(executor), options(opts), inbox_ready(executor, 1), inbox_space(executor, 1) {}

  asio::any_io_executor executor;
  asio::local::stream_protocol::socket socket;
  Options options;

  enum class Phase : std::uint8_t { Idle, Connecting, Open, Closed } phase = Phase::Idle;
  bool closing = false;  // close() asked: flush, then close the socket
  std::string reason;

  // Outbound: frames appended by send(), swapped out by the writer.
  std::string outbox;
  std::string writing;
  bool writer_running = false;

  // Inbound: decoded messages waiting for receive().
  protocol::FrameDecoder decoder;
  std::array<char, 64 * 1024> read_buf{};
  std::vector<protocol::EnvelopePtr> inbox;
  Signal inbox_ready;  // receive() waits on it
  Signal inbox_space;  // the reader waits on it while the inbox is full
  bool reader_waiting = false;

  void queue_frame(const protocol::SurfaceEvent& event) {
    protocol::encode_frame_into(outbox, event);
    maybe_start_writer();
  }

  void maybe_start_writer() {
    if (writer_running || phase != Phase::Open || (outbox.empty() && !closing)) return;
    writer_running = true;
    asio::co_spawn(executor, [self = shared_from_this()] { return self->write_loop(); }, asio::detached);
  }

  asio::awaitable<void> write_loop() {
    auto self = shared_from_this();
    while (!outbox.empty() && phase == Phase::Open) {
      writing.clear();
      writing.swap(outbox);
      auto [ec, n] = co_await asio::async_write(socket, asio::buffer(writing), kAwait);
      if (ec) {
        finish("write failed: " + ec.message());
        break;
      }
    }
    writer_running = false;
    if (closing && phase == Phase::Open) finish("closed by the surface");
  }

  asio::awaitable<void> read_loop() {
    auto self = shared_from_this();
    while (phase == Phase::Open) {
      if (inbox.size() >= options.max_pending) {
        reader_waiting = true;
        auto [ec] = co_await inbox_space.async_receive(kAwait);
        reader_waiting = false;
        if (ec) break;
        continue;
      }
      auto [ec, n] = co_await socket.async_read_some(asio::buffer(read_buf), kAwait);
      if (ec) {
        finish(ec == asio::error::eof ? "the Conductor closed the connection" : "read failed: " + ec.message());
        break;
      }
      decoder.feed(std::string_view(read_buf.data(), n));
      if (!drain_frames()) break;
    }
  }

  // Decodes every complete frame; false (and closed) when the stream can no longer be trusted.
  bool drain_frames() {
    const bool was_empty = inbox.empty();
    for (;;) {
      auto next = decoder.next();
      if (!next) {
        finish("framing error: " + protocol::describe(next.error()));
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
      inbox.push_back(std::make_shared<const protocol::Envelope>(protocol::Envelope{std::move(*message), {}}));
    }
    if (was_empty && !inbox.empty()) inbox_ready.try_send(boost::system::error_code{});
    return true;
  }

  void finish(std::string why) {
    if (phase == Phase::Closed) return;
    phase = Phase::Closed;
    reason = std::move(why);
    boost::system::error_code ignored;
    socket.shutdown(asio::local::stream_protocol::socket::shutdown_both, ignored);
    socket.close(ignored);
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
    } else if (phase == Phase::Idle) {
      finish("closed by the surface");
    }
    // Connecting: connect() sees `closing` and finishes.
  }
};

UnixLink::UnixLink(asio::any_io_executor executor, Options options)
    : state_(std::make_shared<State>(std::move(executor), options)) {}

UnixLink::~UnixLink() { close(); }

asio::awaitable<boost::system::error_code> UnixLink::connect(std::string path) {
  using namespace asio::experimental::awaitable_operators;
  auto s = state_;
  if (s->phase != State::Phase::Idle) co_return asio::error::already_started;
  s->phase = State::Phase::Connecting;
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
  s->phase = State::Phase::Open;
  asio::co_spawn(s->executor, [s] { return s->read_loop(); }, asio::detached);
  s->maybe_start_writer();
  co_return ec;
}

void UnixLink::send(protocol::SurfaceEvent event) {
  asio::dispatch(state_->executor, [s = state_, event = std::move(event)]() mutable {
    if (s->closing || s->phase == State::Phase::Closed) return;
    if (auto* hs = std::get_if<protocol::ev::Handshake>(&event); hs && !hs->auth_token)
      hs->auth_token = s->options.auth_token;
    s->queue_frame(event);
  });
}

asio::awaitable<bool> UnixLink::receive(std::vector<protocol::EnvelopePtr>& batch) {
  auto s = state_;
  for (;;) {
    if (!s->inbox.empty()) {
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

bool UnixLink::is_open() const { return state_->phase == State::Phase::Open; }
std::string UnixLink::close_reason() const { return state_->reason; }

}  // namespace yollayah::transport
