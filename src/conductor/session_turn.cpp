// Running turns: the scheduling, one request through the router per turn, the stream through the
// turn's tag parser, and how a main-conversation answer reaches every surface and the history.
#include "conductor/errors.hpp"
#include "conductor/ids.hpp"
#include "conductor/prompts.hpp"
#include "conductor/session.hpp"
#include "core/log.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <ctime>

namespace yollayah::conductor {

namespace msg = protocol::msg;
using protocol::ConductorState;
using protocol::MessageRole;

// Forwards backend content to the session; runs on the session strand, inside chat().
class Session::TurnSink final : public backend::ChatSink {
 public:
  TurnSink(Session& session, Turn& turn) : session_(session), turn_(turn) {}
  void on_content(std::string_view text) override { session_.on_turn_content(turn_, text); }
  void on_batch_end() override { session_.flush_turn(turn_); }
  void on_loading(std::string_view model) override {
    if (turn_.is_agent()) return;  // the task panel shows the wait; one notice per model load is enough
    session_.notify(0, protocol::NotifyLevel::Info, "Loading model",
                    "Loading " + std::string(model) + "… the first answer after a cold start takes longer.");
  }
  void on_switch(std::string_view text) override {
    std::string line(text);
    if (turn_.agent) line = turn_.agent->display_name + ": " + line;
    session_.notify(0, protocol::NotifyLevel::Warning, "Switched model server", std::move(line));
  }

 private:
  Session& session_;
  Turn& turn_;
};

asio::awaitable<void> Session::check_backend() {
  auto version = co_await router_->version();
  ready_ = true;
  backend_problem_.reset();
  if (!version) {
    core::log().warn("backend check failed: {}", version.error().message);
    backend_problem_ = describe_backend_error(version.error(), config_.model);
    notify(0, protocol::NotifyLevel::Warning, "Model server not available", *backend_problem_);
  }
  if (!stopping_) {
    set_state(ConductorState::Ready);
    broadcast_session_info();
  }
  start_turns();
}

Session::TurnPtr Session::make_turn(TurnKind kind, protocol::MessageId id, std::uint32_t depth) {
  Turn::Options o;
  o.kind = kind;
  o.id = std::move(id);
  o.agents = agents_;
  o.max_answer_bytes = config_.max_answer_bytes;
  o.depth = depth;
  return std::make_shared<Turn>(std::move(o));
}

void Session::cancel_queued_turns() {
  auto dropped = scheduler_.remove_queued([](const Turn& t) { return t.kind() == TurnKind::Chat || t.kind() == TurnKind::FollowUp; });
  for (const auto& turn : dropped) {
    // The surface waits for the end of an answer it asked for: it gets one, cancelled and empty.
    msg::StreamEnd end;
    end.message_id = turn->id();
    end.metadata.model_id = config_.model;
    end.metadata.context_hint = "cancelled";
    surfaces_.broadcast(std::move(end));
  }
}

void Session::enqueue_turn(TurnPtr turn) {
  scheduler_.enqueue(std::move(turn));
  start_turns();
}

void Session::start_turns() {
  if (stopping_) return;
  // A local list: a turn that ends at once (no backend to try) comes back here re-entrantly.
  std::vector<TurnPtr> starting;
  scheduler_.take_startable(ready_, starting);
  for (auto& turn : starting) {
    asio::co_spawn(strand_, run_turn(turn),
                   asio::bind_cancellation_slot(turn->signal().slot(), [self = shared_from_this(), turn](std::exception_ptr e) {
                     if (e) {
                       try {
                         std::rethrow_exception(e);
                       } catch (const std::exception& ex) {
                         core::log().error("turn {} failed with an exception: {}", turn->id(), ex.what());
                       }
                     }
                     turn->mark_ended();
                     self->scheduler_.finished(*turn);
                     self->start_turns();
                   }));
  }
}

asio::awaitable<void> Session::run_turn(TurnPtr turn) {
  // Cancellation must reach the backend's socket operations, not abort this coroutine: the turn
  // still has to send its end.
  co_await asio::this_coro::reset_cancellation_state(asio::enable_terminal_cancellation());
  co_await asio::this_coro::throw_if_cancelled(false);

  turn->mark_started(Turn::Clock::now());
  if (turn->is_agent()) begin_agent(*turn);
  else begin_main(*turn);
  journal_->answer_started(*turn);

  // An agent has a time limit of its own: past it the request stops and the task fails.
  std::optional<asio::steady_timer> limit;
  if (turn->is_agent()) {
    limit.emplace(strand_, config_.agent.time_limit);
    limit->async_wait([turn](const boost::system::error_code& ec) {
      if (!ec) turn->stop(TurnStop::TimedOut);
    });
  }
  TurnSink sink(*this, *turn);
  auto result = co_await router_->chat(turn->request, sink);
  if (limit) limit->cancel();

  // Whatever the parser still holds is resolved now: released as text or dropped as a tag.
  turn->finish();
  flush_turn(*turn);
  apply_commands(*turn);
  report_refused_tasks(*turn);
  if (turn->is_agent()) finish_agent(*turn, result);
  else finish_main(*turn, result);
}

void Session::begin_main(Turn& turn) {
  set_state(ConductorState::Thinking);
  backend::ChatRequest& request = turn.request;
  request.model = config_.model;
  if (turn.kind() == TurnKind::Greeting) {
    std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    if (!config_.system_prompt.empty())
      request.messages.push_back({backend::ChatMessage::Role::System, config_.system_prompt});
    request.messages.push_back({backend::ChatMessage::Role::User, greeting_prompt(local)});
  } else if (turn.kind() == TurnKind::FollowUp) {
    start_follow_up(turn);
  } else {
    request.messages = history_.context(config_.system_prompt, config_.max_context);
  }

  HistoryMessage answer;
  answer.id = turn.id();
  answer.role = MessageRole::Assistant;
  answer.timestamp_ms = unix_millis();
  answer.streaming = true;
  if (retry_branch_ && retry_branch_->first == turn.id()) {
    answer.branch = retry_branch_->second;
    retry_branch_.reset();
  }
  history_.append(std::move(answer));
}

void Session::on_turn_content(Turn& turn, std::string_view text) {
  if (turn.is_main() && !turn.responding()) set_state(ConductorState::Responding);
  if (turn.feed(text)) turn.stop(TurnStop::Cut);
  if (!turn.commands().empty()) {
    // The text before a tag reaches surfaces before the avatar reacts to it.
    flush_turn(turn);
    apply_commands(turn);
  } else if (turn.flush_due()) {
    flush_turn(turn);
  }
}

// Content parsed from one network read goes out as one Token (at most Turn::kMaxLinesPerFlush
// model tokens): lines that arrived together are not delayed, and a fast stream costs one message
// per read instead of one per model token.
void Session::flush_turn(Turn& turn) {
  if (monitor_) monitor_->note_activity();
  if (!turn.has_pending()) {
    if (turn.is_agent()) agent_progress(turn, false);
    return;
  }
  std::string text = turn.take_pending();
  journal_->answer_text(turn, text);
  if (turn.is_agent()) return flush_agent(turn, text);
  if (HistoryMessage* stored = history_.find(turn.id())) history_.append_text(*stored, text);
  surfaces_.broadcast(msg::Token{turn.id(), std::move(text)});
}

void Session::apply_commands(Turn& turn) {
  auto& commands = turn.commands();
  if (commands.empty()) return;
  tag_messages_.clear();
  const auto now = unix_millis();
  for (const auto& command : commands) {
    if (std::holds_alternative<tag::TaskStart>(command)) {
      // Agents of agents only as deep as configured; the follow-up sums up and starts nothing.
      if (turn.depth() >= config_.agent.max_depth || turn.kind() == TurnKind::FollowUp) {
        ++turn.tasks_refused;
        continue;
      }
      const auto refused_before = tasks_.rejection_count();
      tasks_.apply(command, now, tag_messages_);
      if (tasks_.rejection_count() != refused_before) ++turn.tasks_refused;
      continue;
    }
    avatar_.apply(command, tag_messages_);
    tasks_.apply(command, now, tag_messages_);
  }
  commands.clear();
  // Sent in order; spawning an agent only queues it, so the scratch vector is not reused meanwhile.
  std::vector<protocol::ConductorMessage> out;
  out.swap(tag_messages_);
  for (auto& m : out) {
    const auto* created = std::get_if<msg::TaskCreated>(&m);
    std::optional<msg::TaskCreated> spawn;
    if (created) spawn = *created;
    surfaces_.broadcast(std::move(m));
    if (spawn) spawn_agent(turn, *spawn);
  }
  out.clear();
  out.swap(tag_messages_);
  start_turns();
}

// One Notify per answer, however many task starts a storm of tags asked for.
void Session::report_refused_tasks(Turn& turn) {
  const auto over = turn.task_starts_over_limit();
  if (over == 0 && turn.tasks_refused == 0) return;
  std::string text = "This answer asked for more helpers than allowed: " + std::to_string(turn.spawned().size()) +
                     " started, " + std::to_string(over + turn.tasks_refused) + " refused";
  if (turn.depth() >= config_.agent.max_depth && turn.depth() > 0) text += " (helpers cannot start helpers here: max_depth " + std::to_string(config_.agent.max_depth) + ")";
  text += " (at most " + std::to_string(TagParser::kMaxCommands) + " tags per answer, " +
          std::to_string(tasks_.limits().max_active) + " tasks open at once, " +
          std::to_string(config_.agent.max_active) + " running).";
  notify(0, protocol::NotifyLevel::Warning, "Too many helpers", std::move(text));
}

protocol::ResponseMetadata Session::metadata(const Turn& turn, const backend::Result<backend::ChatStats>& result) const {
  protocol::ResponseMetadata meta;
  meta.elapsed_ms = static_cast<std::uint64_t>(turn.elapsed(Turn::Clock::now()).count());
  meta.model_id = turn.request.model.empty() ? config_.model : turn.request.model;
  meta.agent_tasks_spawned = static_cast<std::uint32_t>(turn.spawned().size());
  if (turn.cut()) meta.context_hint = "truncated";
  if (result) {
    const auto& stats = result.value();
    if (!stats.model.empty()) meta.model_id = stats.model;
    if (!stats.backend.empty()) meta.backend = stats.backend;
    if (stats.first_token_ns > 0) meta.first_token_ms = stats.first_token_ns / 1'000'000;
    if (stats.load_duration_ns > 0) meta.load_ms = stats.load_duration_ns / 1'000'000;
    meta.token_count = stats.eval_count;
    if (stats.eval_count > 0 && stats.eval_duration_ns > 0)
      meta.tokens_per_second = static_cast<float>(stats.eval_count * 1e9 / static_cast<double>(stats.eval_duration_ns));
  } else if (!turn.cut()) {
    meta.context_hint = "cancelled";
  }
  return meta;
}

void Session::finish_main(Turn& turn, const backend::Result<backend::ChatStats>& result) {
  const protocol::MessageId& id = turn.id();
  HistoryMessage* stored = history_.find(id);
  std::string content = stored ? stored->content : std::string();
  if (stored) stored->streaming = false;
  const bool cancelled = !result && result.error().kind == backend::BackendError::Kind::Cancelled;
  if (turn.cut()) {
    notify(0, protocol::NotifyLevel::Warning, "Answer cut",
           "The answer passed " + std::to_string(config_.max_answer_bytes / 1024) +
               " KiB and was stopped (max_answer_bytes in conductor.toml).");
  }

  if (result || cancelled) {
    msg::StreamEnd end;
    end.message_id = id;
    end.final_content = content;
    end.metadata = metadata(turn, result);
    if (result && result->malformed_lines > 0)
      notify(0, protocol::NotifyLevel::Warning, "Model server sent bad data",
             std::to_string(result->malformed_lines) + " malformed line(s) from " +
                 (result->backend.empty() ? router_->endpoint() : result->backend) +
                 " were skipped; the answer may be missing words.");
    const bool interrupted = end.metadata.context_hint == std::optional<std::string>("cancelled");
    if (interrupted && stored) stored->interrupted = true;
    if (auto follow_up = parent_finished(turn, !interrupted)) end.metadata.follow_up_id = *follow_up;
    journal_->answer_finished(turn, stored, end.metadata, false);
    if (stored) {
      stored->metadata = end.metadata;
      if (stored->branch) end.metadata.branch = *stored->branch;
    }
    if (end.metadata.branch) {
      msg::StreamEnd v1 = end;
      v1.metadata.branch.reset();
      broadcast_versions(std::move(end), std::move(v1));
    } else {
      surfaces_.broadcast(std::move(end));
    }
  } else if (turn.kind() == TurnKind::Greeting && content.empty()) {
    // No model to greet with: the fallback text goes through the tag parser like model output.
    core::log().info("greeting fell back: {}", result.error().message);
    auto fallback = make_turn(TurnKind::Greeting, id);
    fallback->feed(kFallbackGreeting);
    fallback->finish();
    const std::string text = fallback->take_pending();
    apply_commands(*fallback);
    if (stored) stored->content = text;
    journal_->answer_finished(turn, stored, {}, false);
    surfaces_.broadcast(msg::Message{id, MessageRole::Assistant, text, {}});
  } else {
    const std::string error = describe_backend_error(result.error(), turn.request.model);
    core::log().warn("turn {} failed: {}", id, result.error().message);
    if (stored && content.empty()) {
      // Nothing arrived: keep the error as a system note instead of an empty answer.
      stored->role = MessageRole::System;
      stored->content = "Error: " + error;
      stored->content_type.kind = protocol::ContentType::Kind::Error;
    } else if (stored) {
      stored->interrupted = true;
    }
    parent_finished(turn, false);
    journal_->answer_finished(turn, stored, metadata(turn, result), true);
    surfaces_.broadcast(msg::StreamError{id, error});
  }

  history_.prune();
  if (!stopping_) set_state(ConductorState::Ready);
}

}  // namespace yollayah::conductor
