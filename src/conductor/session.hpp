// A session: one conversation shared by the surfaces attached to it. It is an actor on its own
// strand: every member below is touched only there, so there are no mutexes. The public entry
// points are thread-safe and post onto the strand.
#pragma once

#include "backend/backend.hpp"
#include "backend/routing/router.hpp"
#include "conductor/agents.hpp"
#include "conductor/avatar_state.hpp"
#include "conductor/history.hpp"
#include "conductor/input_validator.hpp"
#include "conductor/surface_registry.hpp"
#include "conductor/tag_parser.hpp"
#include "conductor/task_book.hpp"
#include "core/config.hpp"
#include "core/stall_monitor.hpp"
#include "protocol/messages.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>

namespace yollayah::conductor {

namespace asio = boost::asio;

struct SessionConfig {
  std::string model = "yollayah";
  std::string system_prompt;  // empty: none
  bool greet = true;
  std::size_t max_context = 10;
  std::size_t snapshot_messages = 20;
  std::size_t max_answer_bytes = 1024 * 1024;  // a longer answer is cut, with a note
  History::Limits history;
  InputLimits input;
  std::string additional_agents;

  static SessionConfig from(const core::Config& config);
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `monitor` (optional) is told of every event and streamed batch, so it measures the loop
  // while the session works and sleeps when it idles.
  Session(asio::any_io_executor executor, std::shared_ptr<backend::routing::Router> router, SessionConfig config,
          core::StallMonitor* monitor = nullptr);
  ~Session();

  // Thread-safe entry points.
  void start();  // checks the backend, then goes Ready
  void attach(SurfaceId id, std::shared_ptr<SurfaceSink> sink);
  void detach(SurfaceId id);
  void post(SurfaceId from, protocol::SurfaceEvent event);
  // Ends every surface's session: cancels the answer in progress and sends Quit to all.
  void stop(std::optional<std::string> quit_message);
  // Applies a reloaded configuration (SIGHUP): the model, system prompt, context size, snapshot
  // size, history and input limits take effect from the next turn or event; an answer streaming
  // now finishes as it started. Surfaces get the new SessionInfo. The agent list and `greet`
  // keep their start-up values.
  void reconfigure(SessionConfig config);

  const protocol::SessionId& id() const { return id_; }
  asio::strand<asio::any_io_executor> strand() const { return strand_; }

 private:
  class TurnSink;
  struct PendingTurn {
    enum class Kind : std::uint8_t { Chat, Greeting };
    Kind kind = Kind::Chat;
  };

  // Events (session.cpp).
  void handle(SurfaceId from, protocol::SurfaceEvent& event);
  void on_hello(SurfaceEntry& surface, bool legacy);
  void on_handshake(SurfaceId from, protocol::ev::Handshake& hs);
  void on_user_message(SurfaceId from, protocol::ev::UserMessage& m);
  void on_typing(bool typing);
  void on_cancel();
  void on_quit(SurfaceId from);
  void on_surface_behind(SurfaceId id);

  // Slash commands (session_commands.cpp).
  void on_command(SurfaceId from, protocol::ev::UserCommand& c);
  void system_note(std::string text);
  asio::awaitable<void> list_models_command();
  asio::awaitable<void> set_model_command(std::string name);
  void backends_command();

  // Turns (session_turn.cpp).
  void enqueue_turn(PendingTurn turn);
  void maybe_start_turn();
  asio::awaitable<void> run_turn(PendingTurn turn);
  void on_stream_content(const protocol::MessageId& id, std::string_view text);
  void cancel_queued_turns();
  void flush_tokens(const protocol::MessageId& id);
  void apply_commands();
  asio::awaitable<void> check_backend();

  // Helpers.
  void set_state(protocol::ConductorState state);
  protocol::msg::SessionInfo session_info() const;
  protocol::msg::StateSnapshot state_snapshot() const;
  void notify(SurfaceId to, protocol::NotifyLevel level, std::string title, std::string message);

  asio::strand<asio::any_io_executor> strand_;
  std::shared_ptr<backend::routing::Router> router_;
  SessionConfig config_;
  core::StallMonitor* monitor_;
  protocol::SessionId id_;
  std::uint64_t created_at_ms_;

  SurfaceRegistry surfaces_;
  std::shared_ptr<const Agents> agents_;
  History history_;
  AvatarState avatar_;
  TaskBook tasks_;
  InputValidator validator_;
  protocol::ConductorState state_ = protocol::ConductorState::Initializing;
  bool ready_ = false;
  std::optional<std::string> backend_problem_;  // what the start-up check found wrong, for late joiners
  bool greeted_ = false;
  bool stopping_ = false;

  // The answer being generated, if any.
  std::deque<PendingTurn> queue_;
  bool turn_running_ = false;
  bool turn_responding_ = false;
  std::uint32_t turn_tasks_spawned_ = 0;
  std::size_t turn_bytes_ = 0;      // clean text of this answer so far, against max_answer_bytes
  bool turn_cut_ = false;           // the answer reached max_answer_bytes and was stopped
  asio::cancellation_signal cancel_;
  TagParser parser_;  // constructed with agents_
  static constexpr std::uint32_t kMaxLinesPerToken = 64;
  std::string pending_text_;     // clean text not yet sent as a Token
  std::uint32_t pending_lines_ = 0;
  std::string clean_;                          // scratch, reused per chunk
  std::vector<TagCommand> commands_;           // scratch, reused per chunk
  std::vector<protocol::ConductorMessage> tag_messages_;  // scratch
};

}  // namespace yollayah::conductor
