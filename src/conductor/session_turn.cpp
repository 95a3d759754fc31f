// The chat turn: one request to the backend, streamed through the tag parser to every surface.
#include "conductor/errors.hpp"
#include "conductor/ids.hpp"
#include "conductor/prompts.hpp"
#include "conductor/session.hpp"
#include "core/log.hpp"
#include "protocol/utf8.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>

#include <ctime>

namespace yollayah::conductor {

namespace msg = protocol::msg;
using protocol::ConductorState;
using protocol::MessageRole;

// Forwards backend content to the session; runs on the session strand, inside chat().
class Session::TurnSink final : public backend::ChatSink {
 public:
  TurnSink(Session& session, const protocol::MessageId& id) : session_(session), id_(id) {}
  void on_content(std::string_view text) override { session_.on_stream_content(id_, text); }
  void on_batch_end() override { session_.flush_tokens(id_); }
  void on_loading(std::string_view model) override {
    session_.notify(0, protocol::NotifyLevel::Info, "Loading model",
                    "Loading " + std::string(model) + "… the first answer after a cold start takes longer.");
  }
  void on_switch(std::string_view text) override {
    session_.notify(0, protocol::NotifyLevel::Warning, "Switched model server", std::string(text));
  }

 private:
  Session& session_;
  const protocol::MessageId& id_;
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
    surfaces_.broadcast(session_info());
  }
  maybe_start_turn();
}

void Session::cancel_queued_turns() {
  std::deque<PendingTurn> kept;
  for (const auto& turn : queue_) {
    if (turn.kind != PendingTurn::Kind::Chat) {
      kept.push_back(turn);
      continue;
    }
    // The surface waits for the end of an answer it asked for: it gets one, cancelled and empty.
    msg::StreamEnd end;
    end.message_id = next_message_id();
    end.metadata.model_id = config_.model;
    end.metadata.context_hint = "cancelled";
    surfaces_.broadcast(std::move(end));
  }
  queue_ = std::move(kept);
}

void Session::enqueue_turn(PendingTurn turn) {
  queue_.push_back(turn);
  maybe_start_turn();
}

void Session::maybe_start_turn() {
  if (turn_running_ || queue_.empty() || !ready_ || stopping_) return;
  PendingTurn turn = queue_.front();
  queue_.pop_front();
  turn_running_ = true;
  asio::co_spawn(strand_, run_turn(turn),
                 asio::bind_cancellation_slot(cancel_.slot(), [self = shared_from_this()](std::exception_ptr e) {
                   if (e) {
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& ex) {
                       core::log().error("turn failed with an exception: {}", ex.what());
                     }
                   }
                   self->turn_running_ = false;
                   self->maybe_start_turn();
                 }));
}

asio::awaitable<void> Session::run_turn(PendingTurn turn) {
  // Cancellation must reach the backend's socket operations, not abort this coroutine: the turn
  // still has to send its StreamEnd.
  co_await asio::this_coro::reset_cancellation_state(asio::enable_terminal_cancellation());
  co_await asio::this_coro::throw_if_cancelled(false);

  const auto started = std::chrono::steady_clock::now();
  const bool greeting = turn.kind == PendingTurn::Kind::Greeting;
  set_state(ConductorState::Thinking);

  backend::ChatRequest request;
  request.model = config_.model;
  if (greeting) {
    std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    if (!config_.system_prompt.empty())
      request.messages.push_back({backend::ChatMessage::Role::System, config_.system_prompt});
    request.messages.push_back({backend::ChatMessage::Role::User, greeting_prompt(local)});
  } else {
    request.messages = history_.context(config_.system_prompt, config_.max_context);
  }

  HistoryMessage answer;
  answer.id = next_message_id();
  answer.role = MessageRole::Assistant;
  answer.timestamp_ms = unix_millis();
  answer.streaming = true;
  const protocol::MessageId id = answer.id;
  history_.append(std::move(answer));

  parser_.reset();
  turn_responding_ = false;
  turn_tasks_spawned_ = 0;
  turn_bytes_ = 0;
  turn_cut_ = false;
  TurnSink sink(*this, id);
  auto result = co_await router_->chat(request, sink);

  // Whatever the parser still holds is resolved now: released as text or dropped as a tag.
  commands_.clear();
  parser_.finish(pending_text_, commands_);
  if (turn_cut_) {
    pending_text_ += "\n\n*(The answer was cut here: it reached " + std::to_string(config_.max_answer_bytes / 1024) +
                     " KiB, the limit set by max_answer_bytes in conductor.toml.)*";
  }
  flush_tokens(id);
  apply_commands();

  HistoryMessage* stored = history_.find(id);
  std::string content = stored ? stored->content : std::string();
  if (stored) stored->streaming = false;
  const bool cancelled = !result && result.error().kind == backend::BackendError::Kind::Cancelled;
  if (turn_cut_) {
    notify(0, protocol::NotifyLevel::Warning, "Answer cut",
           "The answer passed " + std::to_string(config_.max_answer_bytes / 1024) +
               " KiB and was stopped (max_answer_bytes in conductor.toml).");
  }

  if (result || cancelled) {
    msg::StreamEnd end;
    end.message_id = id;
    end.final_content = content;
    auto& meta = end.metadata;
    meta.elapsed_ms = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count());
    meta.model_id = config_.model;
    meta.agent_tasks_spawned = turn_tasks_spawned_;
    if (turn_cut_) meta.context_hint = "truncated";
    if (result) {
      const auto& stats = result.value();
      if (!stats.model.empty()) meta.model_id = stats.model;
      if (!stats.backend.empty()) meta.backend = stats.backend;
      if (stats.first_token_ns > 0) meta.first_token_ms = stats.first_token_ns / 1'000'000;
      if (stats.load_duration_ns > 0) meta.load_ms = stats.load_duration_ns / 1'000'000;
      meta.token_count = stats.eval_count;
      if (stats.eval_count > 0 && stats.eval_duration_ns > 0)
        meta.tokens_per_second = static_cast<float>(stats.eval_count * 1e9 / static_cast<double>(stats.eval_duration_ns));
      if (stats.malformed_lines > 0)
        notify(0, protocol::NotifyLevel::Warning, "Model server sent bad data",
               std::to_string(stats.malformed_lines) + " malformed line(s) from " +
                   (stats.backend.empty() ? router_->endpoint() : stats.backend) +
                   " were skipped; the answer may be missing words.");
    } else if (!turn_cut_) {
      meta.context_hint = "cancelled";
      if (stored) stored->interrupted = true;
    }
    surfaces_.broadcast(std::move(end));
  } else if (greeting && content.empty()) {
    // No model to greet with: the fallback text goes through the tag parser like model output.
    core::log().info("greeting fell back: {}", result.error().message);
    parser_.reset();
    clean_.clear();
    commands_.clear();
    parser_.feed(kFallbackGreeting, clean_, commands_);
    parser_.finish(clean_, commands_);
    apply_commands();
    if (stored) stored->content = clean_;
    surfaces_.broadcast(msg::Message{id, MessageRole::Assistant, clean_, {}});
  } else {
    const std::string error = describe_backend_error(result.error(), config_.model);
    core::log().warn("turn {} failed: {}", id, result.error().message);
    if (stored && content.empty()) {
      // Nothing arrived: keep the error as a system note instead of an empty answer.
      stored->role = MessageRole::System;
      stored->content = "Error: " + error;
      stored->content_type.kind = protocol::ContentType::Kind::Error;
    } else if (stored) {
      stored->interrupted = true;
    }
    surfaces_.broadcast(msg::StreamError{id, error});
  }

  history_.prune();
  if (!stopping_) set_state(ConductorState::Ready);
}

void Session::on_stream_content(const protocol::MessageId& id, std::string_view text) {
  if (!turn_responding_) {
    turn_responding_ = true;
    set_state(ConductorState::Responding);
  }
  if (turn_cut_) return;  // the cap was reached: the rest is dropped while the request stops
  commands_.clear();
  // The clean text goes straight onto what the next Token carries: one copy per model token.
  const std::size_t before = pending_text_.size();
  parser_.feed(text, pending_text_, commands_);
  const std::size_t added = pending_text_.size() - before;
  turn_bytes_ += added;
  if (turn_bytes_ > config_.max_answer_bytes) {
    // An endless stream must not grow without bound: keep what fits, stop the request.
    const std::size_t over = turn_bytes_ - config_.max_answer_bytes;
    const std::string_view fresh = std::string_view(pending_text_).substr(before);
    pending_text_.resize(before + protocol::utf8_prefix(fresh, added - std::min(over, added)).size());
    turn_cut_ = true;
    cancel_.emit(asio::cancellation_type::terminal);
  }
  if (!commands_.empty()) {
    // The text before a tag reaches surfaces before the avatar reacts to it.
    flush_tokens(id);
    apply_commands();
  } else if (++pending_lines_ >= kMaxLinesPerToken) {
    flush_tokens(id);
  }
}

// Content parsed from one network read goes out as one Token (at most kMaxLinesPerToken model
// tokens): lines that arrived together are not delayed, and a fast stream costs one message per
// read instead of one per model token.
void Session::flush_tokens(const protocol::MessageId& id) {
  if (monitor_) monitor_->note_activity();
  pending_lines_ = 0;
  if (pending_text_.empty()) return;
  if (HistoryMessage* stored = history_.find(id)) history_.append_text(*stored, pending_text_);
  const std::size_t size = pending_text_.size();
  surfaces_.broadcast(msg::Token{id, std::move(pending_text_)});
  // The text moved out with its buffer: one allocation of the last Token's size now, instead of
  // the string doubling its way up again token by token.
  pending_text_ = std::string();
  pending_text_.reserve(size);
}

void Session::apply_commands() {
  tag_messages_.clear();
  const auto now = unix_millis();
  for (const auto& command : commands_) {
    avatar_.apply(command, tag_messages_);
    tasks_.apply(command, now, tag_messages_);
  }
  for (auto& m : tag_messages_) {
    if (std::holds_alternative<msg::TaskCreated>(m)) ++turn_tasks_spawned_;
    surfaces_.broadcast(std::move(m));
  }
}

}  // namespace yollayah::conductor
