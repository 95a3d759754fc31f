#include "transport/server_connection.hpp"

#include "transport/queue_sink.hpp"

#include "conductor/surface.hpp"
#include "core/log.hpp"
#include "protocol/frame.hpp"
#include "protocol/json_codec.hpp"
#include "transport/auth_token.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace yollayah::transport {
namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
namespace msg = protocol::msg;
namespace ev = protocol::ev;

}  // namespace


namespace {
// How long a peer has to take its last words (a refusal) before the connection is closed anyway.
constexpr std::chrono::milliseconds kLastWordsGrace{1000};
}  // namespace

ServerConnection::ServerConnection(std::unique_ptr<SurfaceWire> wire, conductor::SurfaceId id,
                                   std::shared_ptr<conductor::Session> session, Options options, ClosedFn on_closed)
    : wire_(std::move(wire)),
      id_(id),
      session_(std::move(session)),
      queue_(std::make_shared<core::EnvelopeQueue>(wire_->get_executor(), options.queue_limits)),
      options_(std::move(options)),
      on_closed_(std::move(on_closed)),
      heartbeat_(wire_->get_executor()),
      last_heard_(std::chrono::steady_clock::now()),
      bucket_(options_.rate_per_second, options_.rate_burst, std::chrono::steady_clock::now()),
      throttle_(wire_->get_executor()),
      deadline_(wire_->get_executor()) {
  admitted_ = options_.authenticated || (options_.auth_token.empty() && options_.extra_tokens.empty());
  wire_->set_max_payload_before_hello(options_.max_frame_before_hello);
  if (options_.counters) SurfaceCounters::add(options_.counters->opened);
}

void ServerConnection::start() {
  session_->attach(id_, std::make_shared<QueueSink>(queue_, /*frames=*/true));
  const bool heartbeat = options_.heartbeat_interval.count() > 0;
  running_ = heartbeat ? 3 : 2;
  auto self = shared_from_this();
  asio::co_spawn(wire_->get_executor(), [self] { return self->read_loop(); }, asio::detached);
  asio::co_spawn(wire_->get_executor(), [self] { return self->write_loop(); }, asio::detached);
  if (heartbeat) asio::co_spawn(wire_->get_executor(), [self] { return self->heartbeat_loop(); }, asio::detached);
  if (options_.handshake_timeout.count() > 0) arm_deadline(options_.handshake_timeout);
}

void ServerConnection::close(std::string reason) {
  asio::dispatch(wire_->get_executor(), [self = shared_from_this(), reason = std::move(reason)] { self->shut(reason); });
}

void ServerConnection::evict_if_waiting(std::string reason) {
  asio::dispatch(wire_->get_executor(), [self = shared_from_this(), reason = std::move(reason)]() mutable {
    if (self->hello_ || self->closing_ || self->shut_) return;
    self->refuse(nullptr, std::move(reason));
  });
}

void ServerConnection::arm_deadline(std::chrono::milliseconds after) {
  deadline_.expires_after(after);
  deadline_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->shut_) return;
    if (self->closing_) {
      self->shut("the peer did not take its last messages in time");
    } else if (!self->hello_) {
      const auto ms = self->options_.handshake_timeout.count();
      const std::string limit = ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
      self->refuse(nullptr, "no Handshake within " + limit);
    }
  });
}

void ServerConnection::shut(const std::string& reason) {
  if (shut_) return;
  shut_ = true;
  close_reason_ = reason;
  queue_->close();
  heartbeat_.cancel();
  throttle_.cancel();
  deadline_.cancel();
  wire_->close();
}

void ServerConnection::coroutine_done() {
  if (--running_ > 0) return;
  if (options_.counters) SurfaceCounters::add(options_.counters->closed);
  session_->detach(id_);
  if (warnings_.suppressed() > 0)
    core::log().warn("surface {}: {} more ignored message(s) were not reported", id_, warnings_.suppressed());
  // Peers that never said hello come and go at debug level: a flood of them is not news.
  core::log().log(hello_ ? spdlog::level::info : spdlog::level::debug, "surface {} disconnected: {}", id_, close_reason_);
  if (on_closed_) on_closed_(id_);
}

asio::awaitable<void> ServerConnection::read_loop() {
  auto self = shared_from_this();
  std::string reason = "the surface closed the connection";
  while (!shut_ && !closing_) {
    auto in = co_await wire_->read();
    if (in.status == WireRead::Status::Broken) {
      // CRC mismatch or oversize: the byte stream can no longer be trusted.
      core::log().warn("surface {}: closing the connection: {}", id_, in.reason);
      reason = "framing error";
      break;
    }
    if (in.status != WireRead::Status::Payload) {
      if (in.status == WireRead::Status::Failed) reason = std::move(in.reason);
      break;
    }
    handle_frame(in.payload);
    if (closing_ || shut_) break;
    // Over the rate: stop reading for a while (the peer's writes back up), then carry on.
    if (const auto pause = spend_rate(); pause.count() > 0 && !shut_) {
      throttle_.expires_after(pause);
      co_await throttle_.async_wait(kAwait);
    }
  }
  if (!closing_) shut(reason);  // a refused peer is closed by the writer, once the refusal is out
  coroutine_done();
}

std::chrono::microseconds ServerConnection::spend_rate() {
  // Every payload counts against the rate, readable or not: garbage is paced like anything else.
  const auto pause = bucket_.spend(std::chrono::steady_clock::now());
  if (pause.count() > 0) {
    if (!throttle_notified_) {
      throttle_notified_ = true;
      core::log().info("surface {}: over the message rate; slowing it down", id_);
      warn_peer("Too many messages: the Conductor is slowing this connection down (nothing is dropped).");
    }
    return pause;
  }
  throttle_notified_ = false;
  return pause;
}

void ServerConnection::handle_frame(std::string_view payload) {
  auto event = protocol::decode_event(payload);
  if (!event) {
    // A well-framed payload we cannot read: drop it and keep the connection (PROTOCOL.md).
    ignore_frame("The Conductor could not read a message and ignored it: " + protocol::describe(event.error()));
    return;
  }
  // A whole readable frame proves the peer alive; bytes of a frame that never completes do not.
  last_heard_ = std::chrono::steady_clock::now();
  unanswered_pings_ = 0;
  if (options_.counters) SurfaceCounters::add(options_.counters->messages_in);
  if (std::holds_alternative<ev::Pong>(*event)) return;  // heartbeat replies stay in the transport
  if (!admit(*event)) return;
  bad_in_a_row_ = 0;
  if (std::holds_alternative<ev::Handshake>(*event) || std::holds_alternative<ev::Connected>(*event))
    said_hello_.store(true, std::memory_order_relaxed);
  session_->post(id_, std::move(*event));
}

bool ServerConnection::admit(const protocol::SurfaceEvent& event) {
  if (hello_) return true;
  const auto* hs = std::get_if<ev::Handshake>(&event);
  const auto* legacy = std::get_if<ev::Connected>(&event);
  if (!hs && !legacy) {
    if (admitted_) return true;  // no token to check: events before the hello go through
    ignore_frame("Send Handshake with the session token first; ignored " + std::string(protocol::variant_name(event)));
    return false;
  }
  const protocol::EventId& event_id = hs ? hs->event_id : legacy->event_id;
  if (!admitted_) {
    if (hs && !(hs->auth_token && token_ok(*hs->auth_token))) {
      refuse(&event_id, hs->auth_token ? "invalid session token"
                                       : "missing session token: send the one in session.token beside the socket");
      return false;
    }
    if (legacy && !options_.allow_legacy) {
      refuse(&event_id, "legacy Connected surfaces are not allowed: send Handshake with the session token "
                        "(or start conductord with --allow-legacy)");
      return false;
    }
  }
  if (options_.on_hello) {
    if (auto no_room = options_.on_hello()) {
      refuse(&event_id, std::move(*no_room));
      return false;
    }
  }
  admitted_ = true;
  hello_ = true;
  core::log().info("surface {} connected ({})", id_, wire_->kind());
  wire_->hello_admitted();
  deadline_.cancel();
  return true;
}

bool ServerConnection::token_ok(const std::string& token) const {
  // Every candidate is compared, so the time taken does not say which one came close.
  bool ok = !options_.auth_token.empty() && tokens_equal(options_.auth_token, token);
  for (const auto& t : options_.extra_tokens) ok = (!t.empty() && tokens_equal(t, token)) || ok;
  return ok;
}

void ServerConnection::ignore_frame(std::string why) {
  if (++bad_in_a_row_ > options_.max_bad_frames) {
    core::log().warn("surface {}: {} unusable messages in a row; closing the connection", id_, bad_in_a_row_);
    finish_with({msg::Notify{protocol::NotifyLevel::Error, std::string("Connection closed"),
                             "The Conductor closed this connection: " + std::to_string(bad_in_a_row_) +
                                 " messages in a row could not be used. The last one: " + why}},
                "too many unusable messages");
    return;
  }
  if (auto quiet = warnings_.allow(std::chrono::steady_clock::now())) {
    core::log().warn("surface {}: ignored a message: {}{}", id_, why, WarningLimiter::more(*quiet));
    warn_peer(why + WarningLimiter::more(*quiet));
  }
}

void ServerConnection::refuse(const protocol::EventId* event_id, std::string reason) {
  const auto now = std::chrono::steady_clock::now();
  if (auto quiet = options_.refusal_log ? options_.refusal_log->allow(now) : refusals_.allow(now))
    core::log().warn("surface {}: refused: {}{}", id_, reason, WarningLimiter::more(*quiet));
  if (options_.counters) SurfaceCounters::add(options_.counters->refused);
  std::vector<protocol::ConductorMessage> last{
      msg::HandshakeAck{false, std::string(), std::move(reason), protocol::kLatestProtocol}};
  if (event_id) last.emplace_back(msg::Ack{*event_id});
  finish_with(std::move(last), "refused");
}

void ServerConnection::finish_with(std::vector<protocol::ConductorMessage> messages, std::string reason) {
  closing_ = true;
  closing_reason_ = std::move(reason);
  for (auto& m : messages) {
    auto envelope = std::make_shared<protocol::Envelope>();
    envelope->message = std::move(m);
    protocol::encode_frame_into(envelope->frame, envelope->message);
    last_words_ = envelope.get();
    queue_->push(std::move(envelope));
  }
  arm_deadline(kLastWordsGrace);
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
  std::string reason = "the session closed the connection";
  bool quit = false;
  bool write_failed = false;
  while (!quit) {
    if (!co_await queue_->wait_and_drain(batch)) break;
    for (const auto& e : batch)
      quit = quit || std::holds_alternative<msg::Quit>(e->message) || (closing_ && e.get() == last_words_);
    auto ec = co_await wire_->write(batch);
    if (options_.counters) SurfaceCounters::add(options_.counters->messages_out, batch.size());
    batch.clear();
    if (ec) {
      if (ec != asio::error::operation_aborted) reason = "write failed: " + ec.message();
      write_failed = true;
      break;
    }
  }
  // After Quit the session is done with this surface; what was written stays readable by the peer.
  if (quit) {
    reason = closing_ ? closing_reason_ : "sent Quit";
    if (!shut_ && !write_failed) co_await wire_->say_goodbye();
  }
  shut(reason);
  coroutine_done();
}

}  // namespace yollayah::transport
