#include "conductor/session.hpp"

#include "conductor/ids.hpp"
#include "conductor/prompts.hpp"
#include "conductor/store_journal.hpp"
#include "core/log.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

namespace yollayah::conductor {

namespace msg = protocol::msg;
namespace ev = protocol::ev;
using protocol::ConductorState;
using protocol::NotifyLevel;

SessionConfig SessionConfig::from(const core::Config& c) {
  SessionConfig s;
  s.model = c.model;
  s.system_prompt = c.system_prompt ? *c.system_prompt : std::string(default_system_prompt());
  s.greet = c.greet;
  s.max_context = c.max_context;
  s.history.max_messages = c.max_session_messages;
  s.history.max_bytes = c.max_session_bytes;
  s.input.max_message_bytes = c.max_message_bytes;
  s.input.max_per_minute = c.max_messages_per_minute;
  s.additional_agents = c.additional_agents;
  s.max_answer_bytes = c.max_answer_bytes;
  for (const auto& entry : c.agents) {
    AgentInfo a;
    a.id = entry.id;
    a.display_name = entry.name;
    a.persona = entry.system_prompt;
    a.model = entry.model;
    a.max_tokens = entry.max_tokens;
    s.agents.push_back(std::move(a));
  }
  s.agent.max_active = c.agents_max_active;
  s.agent.max_depth = c.agents_max_depth;
  s.agent.time_limit = c.agent_time_limit;
  return s;
}

std::shared_ptr<const Agents> SessionConfig::make_agents() const {
  if (additional_agents.empty() && agents.empty()) return Agents::builtin();
  auto all = std::make_shared<Agents>();
  all->add_from_list(additional_agents);
  for (const auto& a : agents) all->add(a);
  return all;
}

Session::Session(asio::any_io_executor executor, std::shared_ptr<backend::routing::Router> router, SessionConfig config,
                 core::StallMonitor* monitor)
    : strand_(asio::make_strand(executor)),
      router_(std::move(router)),
      config_(std::move(config)),
      monitor_(monitor),
      id_(next_session_id()),
      created_at_ms_(unix_millis()),
      journal_(std::make_shared<TurnJournal>()),
      agents_(config_.make_agents()),
      history_(config_.history),
      tasks_(agents_, config_.tasks),
      validator_(config_.input),
      scheduler_(config_.agent.max_active) {
  surfaces_.set_behind_handler([this](SurfaceId id) { on_surface_behind(id); });
}

Session::~Session() = default;

void Session::start() {
  asio::co_spawn(strand_, [self = shared_from_this()]() { return self->check_backend(); }, asio::detached);
}

void Session::set_journal(std::shared_ptr<TurnJournal> journal) {
  asio::post(strand_, [self = shared_from_this(), journal = std::move(journal)]() mutable {
    self->journal_ = journal ? std::move(journal) : std::make_shared<TurnJournal>();
  });
}

void Session::set_archive(std::shared_ptr<StoreJournal> journal) {
  asio::post(strand_, [self = shared_from_this(), journal = std::move(journal)]() mutable {
    self->archive_ = journal;
    if (journal) self->journal_ = std::move(journal);
    else self->journal_ = std::make_shared<TurnJournal>();
  });
}

void Session::restore(std::vector<HistoryMessage> messages) {
  asio::post(strand_, [self = shared_from_this(), messages = std::move(messages)]() mutable {
    for (auto& m : messages) self->history_.append(std::move(m));
  });
}

void Session::notify_surfaces(NotifyLevel level, std::string title, std::string message) {
  asio::post(strand_, [self = shared_from_this(), n = msg::Notify{level, std::move(title), std::move(message)}]() mutable {
    if (self->surfaces_.joined_count() == 0) self->held_notices_.push_back(std::move(n));
    else self->surfaces_.broadcast(std::move(n));
  });
}

void Session::reconfigure(SessionConfig config) {
  asio::post(strand_, [self = shared_from_this(), config = std::move(config)]() mutable {
    const bool model_changed = config.model != self->config_.model;
    config.greet = self->config_.greet;
    config.additional_agents = self->config_.additional_agents;
    config.agents = self->config_.agents;
    config.tasks = self->config_.tasks;
    self->scheduler_.set_max_agents(config.agent.max_active);
    self->history_.set_limits(config.history);
    self->validator_ = InputValidator(config.input);
    self->config_ = std::move(config);
    self->history_.prune();
    if (model_changed) self->broadcast_session_info();
  });
}

void Session::attach(SurfaceId id, std::shared_ptr<SurfaceSink> sink) {
  asio::post(strand_, [self = shared_from_this(), id, sink = std::move(sink)]() mutable {
    auto& entry = self->surfaces_.add(id, std::move(sink));
    entry.connection_id = next_connection_id();
  });
}

void Session::detach(SurfaceId id) {
  asio::post(strand_, [self = shared_from_this(), id] { self->surfaces_.remove(id); });
}

void Session::post(SurfaceId from, protocol::SurfaceEvent event) {
  if (monitor_) monitor_->note_activity();
  asio::post(strand_, [self = shared_from_this(), from, event = std::move(event)]() mutable {
    self->handle(from, event);
  });
}

void Session::stop(std::optional<std::string> quit_message) {
  asio::post(strand_, [self = shared_from_this(), quit_message = std::move(quit_message)]() mutable {
    if (self->stopping_) return;
    self->stopping_ = true;
    self->scheduler_.remove_queued([](const Turn&) { return true; });
    if (const auto& main = self->scheduler_.running_main()) main->stop(TurnStop::Stopping);
    for (const auto& agent : self->scheduler_.running_agents()) agent->stop(TurnStop::Stopping);
    self->set_state(ConductorState::ShuttingDown);
    self->surfaces_.broadcast(msg::Quit{std::move(quit_message)});
  });
}

// ---- events -------------------------------------------------------------------------------

void Session::handle(SurfaceId from, protocol::SurfaceEvent& event) {
  SurfaceEntry* surface = surfaces_.find(from);
  if (!surface) return;  // it left while the event was in flight

  // Every event with an event_id gets exactly one Ack, first (PROTOCOL.md). Handshake is the
  // exception in order only: HandshakeAck goes out before its Ack.
  // A UserMessage's Ack, to a version-2 surface, names the answer's id: on_user_message sends it.
  const protocol::EventId* event_id = protocol::event_id_of(event);
  if (event_id && !std::holds_alternative<ev::Handshake>(event) && !std::holds_alternative<ev::UserMessage>(event))
    surfaces_.send_to(from, msg::Ack{*event_id, {}});

  std::visit(
      [&](auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, ev::Connected>) {
          surface->type = e.surface_type;
          surface->capabilities = e.capabilities;
          on_hello(*surface, /*legacy=*/true);
        } else if constexpr (std::is_same_v<E, ev::Handshake>) {
          on_handshake(from, e);
        } else if constexpr (std::is_same_v<E, ev::UserMessage>) {
          on_user_message(from, e);
        } else if constexpr (std::is_same_v<E, ev::UserCommand>) {
          on_command(from, e);
        } else if constexpr (std::is_same_v<E, ev::UserTyping>) {
          on_typing(e.typing);
        } else if constexpr (std::is_same_v<E, ev::CancelResponse>) {
          on_cancel(e);
        } else if constexpr (std::is_same_v<E, ev::RequestSnapshot>) {
          send_snapshot(from);
        } else if constexpr (std::is_same_v<E, ev::QuitRequested>) {
          on_quit(from);
        } else if constexpr (std::is_same_v<E, ev::Disconnected>) {
          surfaces_.remove(from);
        } else if constexpr (std::is_same_v<E, ev::CapabilitiesReport>) {
          surface->capabilities = e.capabilities;
        } else if constexpr (std::is_same_v<E, ev::AvatarClicked>) {
          tag_messages_.clear();
          avatar_.apply_click(tag_messages_);
          for (auto& m : tag_messages_) surfaces_.broadcast(std::move(m));
        } else if constexpr (std::is_same_v<E, ev::TaskClicked>) {
          surfaces_.broadcast(msg::TaskFocus{e.task_id});
        } else if constexpr (std::is_same_v<E, ev::SurfaceError>) {
          core::log().warn("surface {} reported an error ({}): {}", from,
                           e.recoverable ? "recoverable" : "fatal", e.error);
        }
        // Pong is the transport's; Resized, scrolls, clicks on messages, receipts and the
        // multi-conversation events need nothing beyond their Ack.
      },
      event);
}

void Session::on_hello(SurfaceEntry& surface, bool legacy) {
  surface.joined = true;
  const SurfaceId id = surface.id;
  const bool headless = surface.type.kind == protocol::SurfaceType::Kind::Headless;
  surfaces_.send_to(id, msg::State{state_});
  surfaces_.send_to(id, session_info(surface.protocol_version));
  if (!legacy) send_snapshot(id);
  // A surface that joins after the start-up check failed is told too (the broadcast missed it).
  if (backend_problem_ && !headless) notify(id, NotifyLevel::Warning, "Model server not available", *backend_problem_);
  for (auto& n : held_notices_) surfaces_.send_to(id, std::move(n));
  held_notices_.clear();

  // The first interactive surface of an empty session is greeted; headless ones (scripts,
  // `yollayah ask`) never are.
  if (headless || greeted_ || history_.size() > 0) return;
  greeted_ = true;
  if (config_.greet) {
    enqueue_turn(make_turn(TurnKind::Greeting, next_message_id()));
  } else if (legacy) {
    surfaces_.send_to(id, msg::Message{next_message_id(), protocol::MessageRole::System,
                                       "Ready to chat! Type a message below.", {}});
  }
}

void Session::on_handshake(SurfaceId from, ev::Handshake& hs) {
  SurfaceEntry* surface = surfaces_.find(from);
  const bool supported = hs.protocol_version == protocol::kProtocolV1 || hs.protocol_version == protocol::kProtocolV2;
  msg::HandshakeAck ack;
  ack.accepted = supported;
  ack.connection_id = surface->connection_id;
  ack.protocol_version = supported ? hs.protocol_version : protocol::kLatestProtocol;
  if (!supported)
    ack.rejection_reason = "Unsupported protocol version: " + std::to_string(hs.protocol_version) +
                           " (supported: 1, 2)";
  surfaces_.send_to(from, std::move(ack));
  surfaces_.send_to(from, msg::Ack{hs.event_id, {}});
  if (!supported) {
    // A refused surface is done: its sink closes once the refusal is out (a socket closes after
    // writing it), and nothing it sent after the Handshake reaches the session.
    auto sink = surface->sink;
    surfaces_.remove(from);
    if (sink) sink->close();
    return;
  }

  surface->protocol_version = hs.protocol_version;
  surface->type = std::move(hs.surface_type);
  surface->capabilities = hs.capabilities;
  on_hello(*surface, /*legacy=*/false);
}

void Session::on_user_message(SurfaceId from, ev::UserMessage& m) {
  if (auto verdict = validator_.check_message(from, m.content, std::chrono::steady_clock::now()); verdict) {
    surfaces_.send_to(from, msg::Ack{m.event_id, {}});
    notify(from, NotifyLevel::Warning, "Message not sent", std::move(*verdict));
    return;
  }
  if (m.edits) {
    if (auto refusal = edit_refusal(*m.edits)) {
      surfaces_.send_to(from, msg::Ack{m.event_id, {}});
      notify(from, NotifyLevel::Warning, "Message not sent", std::move(*refusal));
      return;
    }
  }
  // The answer's id is known now, so the surface that asked can follow its own turn even when
  // other surfaces of the session ask too.
  const protocol::MessageId answer_id = next_message_id();
  msg::Ack ack{m.event_id, {}};
  if (const SurfaceEntry* surface = surfaces_.find(from); surface && surface->protocol_version >= protocol::kProtocolV2)
    ack.message_id = answer_id;
  surfaces_.send_to(from, std::move(ack));
  if (m.edits) {
    asio::co_spawn(strand_, edit_message(from, std::move(m.content), answer_id), asio::detached);
    return;
  }
  const auto& stored = history_.append(user_message(std::move(m.content)));
  surfaces_.broadcast(msg::Message{stored.id, stored.role, stored.content, stored.content_type});
  journal_->user_message(stored, answer_id);
  enqueue_turn(make_turn(TurnKind::Chat, answer_id));
}

HistoryMessage Session::user_message(std::string content) {
  HistoryMessage user;
  user.id = next_message_id();
  user.role = protocol::MessageRole::User;
  user.content = std::move(content);
  user.timestamp_ms = unix_millis();
  return user;
}

void Session::on_typing(bool typing) {
  if (typing && state_ == ConductorState::Ready) set_state(ConductorState::Listening);
  // The original never left Listening; stopping typing returns to Ready.
  if (!typing && state_ == ConductorState::Listening) set_state(ConductorState::Ready);
}

void Session::on_cancel(const ev::CancelResponse& c) {
  if (c.task_id) return cancel_task(*c.task_id);
  if (const auto& main = scheduler_.running_main()) main->stop(TurnStop::Cancelled);
  // Answers still waiting (behind the start-up check, or another turn) and every agent are
  // stopped too: one Ctrl+C stops everything the user is waiting for.
  cancel_agents();
  cancel_queued_turns();
}

void Session::on_quit(SurfaceId from) {
  // Only the surface that asked leaves; the others (daemon mode) carry on.
  surfaces_.send_to(from, msg::State{ConductorState::ShuttingDown});
  surfaces_.send_to(from, msg::Quit{std::string("Goodbye!")});
}

void Session::on_surface_behind(SurfaceId id) {
  SurfaceEntry* surface = surfaces_.find(id);
  if (!surface) return;
  core::log().warn("surface {} fell behind; sending a snapshot", id);
  if (surface->protocol_version >= protocol::kProtocolV2)
    surfaces_.send_to(id, msg::Resync{"your queue overflowed; a fresh snapshot follows"});
  send_snapshot(id);
}

// ---- helpers ------------------------------------------------------------------------------

void Session::set_state(ConductorState state) {
  if (state_ == state) return;
  state_ = state;
  surfaces_.broadcast(msg::State{state});
}

msg::SessionInfo Session::session_info(std::uint32_t version) const {
  msg::SessionInfo info{id_, config_.model, ready_};
  if (version >= protocol::kProtocolV2 && !archive_) info.history = false;
  return info;
}

void Session::broadcast_session_info() {
  surfaces_.broadcast_before(protocol::kProtocolV2, session_info(protocol::kProtocolV1));
  surfaces_.broadcast_since(protocol::kProtocolV2, session_info(protocol::kProtocolV2));
}

msg::StateSnapshot Session::state_snapshot(std::uint32_t version) const {
  msg::StateSnapshot s;
  s.conversation_history = history_.snapshot(config_.snapshot_messages);
  if (version < protocol::kProtocolV2)
    for (auto& m : s.conversation_history) {
      m.branch.reset();
      m.metadata.reset();
    }
  s.avatar_state = avatar_.snapshot();
  s.session_info = protocol::SessionSnapshot{id_, config_.model, ready_, state_, created_at_ms_, history_.total_added()};
  return s;
}

void Session::send_snapshot(SurfaceId to) {
  const SurfaceEntry* surface = surfaces_.find(to);
  surfaces_.send_to(to, state_snapshot(surface ? surface->protocol_version : protocol::kProtocolV1));
}

void Session::broadcast_snapshot() {
  broadcast_versions(state_snapshot(protocol::kProtocolV2), state_snapshot(protocol::kProtocolV1));
}

void Session::broadcast_versions(protocol::ConductorMessage full, protocol::ConductorMessage v1) {
  surfaces_.broadcast_before(protocol::kProtocolV2, std::move(v1));
  surfaces_.broadcast_since(protocol::kProtocolV2, std::move(full));
}

void Session::notify(SurfaceId to, NotifyLevel level, std::string title, std::string message) {
  msg::Notify n{level, std::move(title), std::move(message)};
  if (to == 0) surfaces_.broadcast(std::move(n));
  else surfaces_.send_to(to, std::move(n));
}

}  // namespace yollayah::conductor
