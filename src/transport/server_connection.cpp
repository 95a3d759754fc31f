#include "transport/server_connection.hpp"

#include "transport/queue_sink.hpp"

#include "conductor/surface.hpp"
#include "core/log.hpp"
#include "protocol/json_codec.hpp"
#include "transport/auth_token.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace yollayah::transport {
namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
namespace msg = protocol::msg;
namespace ev = protocol::ev;

}  // namespace


ServerConnection::ServerConnection(Socket socket, conductor::SurfaceId id, std::shared_ptr<conductor::Session> session,
                                   Options options, ClosedFn on_closed)
    : socket_(std::move(socket)),
      id_(id),
      session_(std::move(session)),
      queue_(std::make_shared<core::EnvelopeQueue>(socket_.get_executor(), options.queue_limits)),
      options_(options),
      on_closed_(std::move(on_closed)),
      heartbeat_(socket_.get_executor()),
      last_heard_(std::chrono::steady_clock::now()),
      bucket_(options.rate_per_second, options.rate_burst, std::chrono::steady_clock::now()),
      throttle_(socket_.get_executor()) {
  admitted_ = options_.auth_token.empty();
}

void ServerConnection::start() {
  session_->attach(id_, std::make_shared<QueueSink>(queue_, /*frames=*/true));
  const bool heartbeat = options_.heartbeat_interval.count() > 0;
  running_ = heartbeat ? 3 : 2;
  auto self = shared_from_this();
  asio::co_spawn(socket_.get_executor(), [self] { return self->read_loop(); }, asio::detached);
  asio::co_spawn(socket_.get_executor(), [self] { return self->write_loop(); }, asio::detached);
  if (heartbeat) asio::co_spawn(socket_.get_executor(), [self] { return self->heartbeat_loop(); }, asio::detached);
}

void ServerConnection::close(std::string reason) {
  asio::dispatch(socket_.get_executor(), [self = shared_from_this(), reason = std::move(reason)] { self->shut(reason); });
}

void ServerConnection::shut(const std::string& reason) {
  if (shut_) return;
  shut_ = true;
  close_reason_ = reason;
  queue_->close();
  heartbeat_.cancel();
  throttle_.cancel();
  boost::system::error_code ignored;
  socket_.shutdown(Socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void ServerConnection::coroutine_done() {
  if (--running_ > 0) return;
  session_->detach(id_);
  core::log().info("surface {} disconnected: {}", id_, close_reason_);
  if (on_closed_) on_closed_(id_);
}

asio::awaitable<void> ServerConnection::read_loop() {
  auto self = shared_from_this();
  std::string reason = "the surface closed the connection";
  while (!shut_ && !refused_) {
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(read_buf_), kAwait);
    if (ec) {
      if (ec != asio::error::eof && ec != asio::error::operation_aborted) reason = "read failed: " + ec.message();
      break;
    }
    last_heard_ = std::chrono::steady_clock::now();  // any byte proves the peer alive
    unanswered_pings_ = 0;
    decoder_.feed(std::string_view(read_buf_.data(), n));
    Drain drain = drain_frames();
    while (drain == Drain::Pause && !shut_) {
      // Over the rate: stop reading for a while (the peer's writes back up), then carry on.
      throttle_.expires_after(pause_);
      co_await throttle_.async_wait(kAwait);
      drain = shut_ ? Drain::NeedMore : drain_frames();
    }
    if (drain == Drain::Close) {
      reason = "framing error";
      break;
    }
  }
  if (!refused_) shut(reason);  // a refused peer is closed by the writer, once the refusal is out
  coroutine_done();
}

ServerConnection::Drain ServerConnection::drain_frames() {
  for (;;) {
    auto next = decoder_.next();
    if (!next) {
      // CRC mismatch or oversize: the byte stream can no longer be trusted.
      core::log().warn("surface {}: closing the connection: {}", id_, protocol::describe(next.error()));
      return Drain::Close;
    }
    if (!*next) return Drain::NeedMore;
    auto event = protocol::decode_event(**next);
    if (!event) {
      // A well-framed payload we cannot read: drop it, tell the surface, keep the connection.
      core::log().warn("surface {}: ignored a message: {}", id_, protocol::describe(event.error()));
      warn_peer("The Conductor could not read a message and ignored it: " + protocol::describe(event.error()));
      continue;
    }
    if (std::holds_alternative<ev::Pong>(*event)) continue;  // heartbeat replies stay in the transport
    if (!admit(*event)) {
      if (refused_) return Drain::NeedMore;
      continue;
    }
    if (std::holds_alternative<ev::Handshake>(*event) || std::holds_alternative<ev::Connected>(*event))
      said_hello_.store(true, std::memory_order_relaxed);
    session_->post(id_, std::move(*event));
    pause_ = bucket_.spend(std::chrono::steady_clock::now());
    if (pause_.count() > 0) {
      if (!throttle_notified_) {
        throttle_notified_ = true;
        core::log().info("surface {}: over the message rate; slowing it down", id_);
        warn_peer("Too many messages: the Conductor is slowing this connection down (nothing is dropped).");
      }
      return Drain::Pause;
    }
    throttle_notified_ = false;
  }
}

bool ServerConnection::admit(const protocol::SurfaceEvent& event) {
  if (admitted_) return true;
  if (const auto* hs = std::get_if<ev::Handshake>(&event)) {
    if (hs->auth_token && tokens_equal(options_.auth_token, *hs->auth_token)) {
      admitted_ = true;
      return true;
    }
    refuse(hs->event_id, hs->auth_token ? "invalid session token"
                                        : "missing session token: send the one in session.token beside the socket");
    return false;
  }
  if (const auto* hello = std::get_if<ev::Connected>(&event)) {
    if (options_.allow_legacy) {
      admitted_ = true;
      return true;
    }
    refuse(hello->event_id, "legacy Connected surfaces are not allowed: send Handshake with the session token "
                            "(or start conductord with --allow-legacy)");
    return false;
  }
  warn_peer("Send Handshake with the session token first; ignored " + std::string(protocol::variant_name(event)));
  return false;
}

void ServerConnection::refuse(const protocol::EventId& event_id, std::string reason) {
  core::log().warn("surface {}: refused: {}", id_, reason);
  refused_ = true;
  for (protocol::ConductorMessage m :
       {protocol::ConductorMessage{msg::HandshakeAck{false, std::string(), std::move(reason), protocol::kLatestProtocol}},
        protocol::ConductorMessage{msg::Ack{event_id}}}) {
    auto envelope = std::make_shared<protocol::Envelope>();
    envelope->message = std::move(m);
    protocol::encode_frame_into(envelope->frame, envelope->message);
    queue_->push(std::move(envelope));
  }
}

void ServerConnection::warn_peer(std::string message) {
  auto envelope = std::make_shared<protocol::Envelope>();
  envelope->message = msg::Notify{protocol::NotifyLevel::Warning, std::string("Message ignored"), std::move(message)};
  protocol::encode_frame_into(envelope->frame, envelope->message);
  queue_->push(std::move(envelope));
}

// Pings a peer that has been silent for an interval; after max_missed_pongs Pings in a row with
// nothing heard back, the peer is dead. One timer per connection, none without connections.
asio::awaitable<void> ServerConnection::heartbeat_loop() {
  auto self = shared_from_this();
  const auto interval = options_.heartbeat_interval;
  while (!shut_) {
    const auto due = last_heard_ + interval * (unanswered_pings_ + 1);
    if (std::chrono::steady_clock::now() < due) {
      heartbeat_.expires_at(due);
      co_await heartbeat_.async_wait(kAwait);
      continue;
    }
    if (unanswered_pings_ >= options_.max_missed_pongs) {
      core::log().warn("surface {}: no answer to {} Pings; closing the connection", id_, unanswered_pings_);
      shut("heartbeat: the peer stopped answering");
      break;
    }
    ++unanswered_pings_;
    auto envelope = std::make_shared<protocol::Envelope>();
    envelope->message = msg::Ping{++ping_seq_};
    protocol::encode_frame_into(envelope->frame, envelope->message);
    queue_->push(std::move(envelope));
  }
  coroutine_done();
}

asio::awaitable<void> ServerConnection::write_loop() {
  auto self = shared_from_this();
  std::vector<protocol::EnvelopePtr> batch;
  std::vector<asio::const_buffer> buffers;
  std::string scratch;  // frames of envelopes that came without one (merged Tokens)
  std::vector<std::pair<std::size_t, std::size_t>> scratch_spans;
  std::string reason = "the session closed the connection";
  bool quit = false;
  // No co_await inside `&&`: g++ 12 evaluates it even when the left side is false.
  while (!quit) {
    if (!co_await queue_->wait_and_drain(batch)) break;
    scratch.clear();
    scratch_spans.clear();
    for (const auto& e : batch) {
      if (!e->frame.empty()) continue;
      const std::size_t at = scratch.size();
      protocol::encode_frame_into(scratch, e->message);
      scratch_spans.emplace_back(at, scratch.size() - at);
    }
    buffers.clear();
    std::size_t next_span = 0;
    for (const auto& e : batch) {
      if (e->frame.empty()) {
        auto [at, len] = scratch_spans[next_span++];
        buffers.emplace_back(scratch.data() + at, len);
      } else {
        buffers.emplace_back(e->frame.data(), e->frame.size());
      }
      quit = quit || std::holds_alternative<msg::Quit>(e->message) || (refused_ && std::holds_alternative<msg::Ack>(e->message));
    }
    auto [ec, n] = co_await asio::async_write(socket_, buffers, kAwait);
    batch.clear();
    if (ec) {
      if (ec != asio::error::operation_aborted) reason = "write failed: " + ec.message();
      break;
    }
  }
  // After Quit the session is done with this surface; what was written stays readable by the peer.
  if (quit) reason = refused_ ? "refused" : "sent Quit";
  shut(reason);
  coroutine_done();
}

}  // namespace yollayah::transport
