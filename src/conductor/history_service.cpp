#include "conductor/history_service.hpp"

#include "conductor/store_journal.hpp"
#include "core/log.hpp"
#include "store/history_cli.hpp"

#include <boost/asio/co_spawn.hpp>

#include <chrono>

namespace yollayah::conductor {

// The store's events come on the loop; sessions may be attached from any thread.
struct HistoryService::Relay {
  std::mutex mutex;
  std::vector<std::weak_ptr<Session>> sessions;
  std::vector<store::StoreEvent> held;  // events from before any session was attached

  static void send(Session& session, const store::StoreEvent& e) {
    using Kind = store::StoreEvent::Kind;
    switch (e.kind) {
      case Kind::MovedAside:
        session.notify_surfaces(protocol::NotifyLevel::Warning, "History file moved aside", e.message);
        break;
      case Kind::Degraded:
        session.notify_surfaces(protocol::NotifyLevel::Warning, "History not saved", e.message);
        break;
      case Kind::Recovered:
        session.notify_surfaces(protocol::NotifyLevel::Info, "History saved again", e.message);
        break;
    }
  }

  void deliver(const store::StoreEvent& e) {
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard lock(mutex);
      std::erase_if(sessions, [](const std::weak_ptr<Session>& s) { return s.expired(); });
      for (const auto& weak : sessions)
        if (auto s = weak.lock()) live.push_back(std::move(s));
      if (live.empty()) held.push_back(e);
    }
    for (const auto& s : live) send(*s, e);
  }

  void add(Session& session) {
    std::vector<store::StoreEvent> events;
    {
      std::lock_guard lock(mutex);
      sessions.push_back(session.weak_from_this());
      events.swap(held);
    }
    for (const auto& e : events) send(session, e);
  }
};

HistoryService::HistoryService(asio::any_io_executor loop, std::string path) : relay_(std::make_shared<Relay>()) {
  store::HistoryStore::Options o;
  o.path = std::move(path);
  o.events = std::move(loop);
  // The relay, not the service, is captured: an event the store sends while it closes finds it.
  o.on_event = [relay = relay_](const store::StoreEvent& e) { relay->deliver(e); };
  store_ = std::make_unique<store::HistoryStore>(std::move(o));
}

HistoryService::~HistoryService() = default;

asio::awaitable<std::optional<store::Conversation>> HistoryService::last_conversation(std::string surface) {
  std::optional<store::ConversationId> id;
  if (surface.empty()) {
    auto last = co_await store_->last_conversation();
    if (!last) {
      core::log().warn("{}", last.error().message);
      co_return std::nullopt;
    }
    if (*last) id = (*last)->id;
  } else {
    // A few hundred summaries at most: the surface that began it is not indexed.
    auto recent = co_await store_->list_conversations(200);
    if (!recent) {
      core::log().warn("{}", recent.error().message);
      co_return std::nullopt;
    }
    for (const auto& c : *recent) {
      if (c.surface != surface) continue;
      id = c.id;
      break;
    }
  }
  if (!id) co_return std::nullopt;
  auto conversation = co_await store_->load_conversation(*id);
  if (!conversation) {
    core::log().warn("{}", conversation.error().message);
    co_return std::nullopt;
  }
  co_return std::move(*conversation);
}

asio::awaitable<store::Result<store::Conversation>> HistoryService::find_conversation(std::string typed) {
  auto id = co_await store::resolve_conversation(*store_, std::move(typed));
  if (!id) co_return id.error();
  co_return co_await store_->load_conversation(std::move(*id));
}

void HistoryService::attach(Session& session, const std::string& surface, const SessionConfig& config,
                            const store::Conversation* resume) {
  StoreJournal::Options o;
  o.surface = surface;
  o.model = config.model;
  o.system_prompt = config.system_prompt;
  auto journal = std::make_shared<StoreJournal>(*store_, session.strand(), std::move(o));
  if (resume) journal->switch_to(*resume);
  session.set_archive(std::move(journal));
  relay_->add(session);
}

std::vector<HistoryMessage> restored_history(const store::Conversation& conversation) {
  std::vector<HistoryMessage> out;
  out.reserve(conversation.messages.size());
  for (const auto& m : conversation.messages) {
    if (m.content.empty()) continue;
    HistoryMessage h;
    h.id = m.id;
    h.role = m.role;
    h.content = m.content;
    h.content_type = m.content_type;
    h.timestamp_ms = m.created_ms;
    h.interrupted = m.meta.interrupted;
    if (m.sibling_count > 1) h.branch = protocol::BranchPosition{m.sibling_index, m.sibling_count};
    if (m.role == protocol::MessageRole::Assistant && !m.streaming) h.metadata = store::to_metadata(m.meta);
    out.push_back(std::move(h));
  }
  return out;
}

namespace {

// Start-up only: runs `io` until `task` answers (the loop can be run again afterwards).
template <class T>
T run_at_start(asio::io_context& io, asio::awaitable<T> task, T otherwise) {
  std::optional<T> result;
  bool done = false;
  asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    if (!e) result.emplace(std::move(value));
    done = true;
    io.stop();
  });
  io.restart();
  while (!done) {
    io.run();
    io.restart();
  }
  return result ? std::move(*result) : std::move(otherwise);
}

}  // namespace

std::optional<store::Conversation> load_last_conversation(asio::io_context& io, HistoryService& history,
                                                          std::string surface) {
  return run_at_start<std::optional<store::Conversation>>(io, history.last_conversation(std::move(surface)), std::nullopt);
}

store::Result<store::Conversation> load_conversation_at_start(asio::io_context& io, HistoryService& history,
                                                              std::string typed) {
  using R = store::Result<store::Conversation>;
  return run_at_start<R>(io, history.find_conversation(std::move(typed)),
                         R(store::StoreError{store::StoreError::Kind::Failed, "internal error reading the history"}));
}

}  // namespace yollayah::conductor
