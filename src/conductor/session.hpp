// A session: one conversation shared by the surfaces attached to it. It is an actor on its own
// strand: every member below is touched only there, so there are no mutexes. The public entry
// points are thread-safe and post onto the strand. The work itself is done by Turns (turn.hpp),
// which the session schedules (turn_scheduler.hpp): the main conversation's one at a time, the
// agents' in parallel.
#pragma once

#include "backend/backend.hpp"
#include "backend/routing/router.hpp"
#include "conductor/agent_context.hpp"
#include "conductor/agents.hpp"
#include "conductor/avatar_state.hpp"
#include "conductor/history.hpp"
#include "conductor/input_validator.hpp"
#include "conductor/surface_registry.hpp"
#include "conductor/task_book.hpp"
#include "conductor/turn.hpp"
#include "conductor/turn_journal.hpp"
#include "conductor/turn_scheduler.hpp"
#include "core/config.hpp"
#include "core/stall_monitor.hpp"
#include "protocol/messages.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace yollayah::conductor {

namespace asio = boost::asio;

class StoreJournal;

struct AgentSettings {
  std::size_t max_active = 4;       // agent turns streaming at once; more wait in order
  std::uint32_t max_depth = 1;      // an answer at depth >= max_depth cannot start agents (1: only the main one can)
  std::chrono::milliseconds time_limit{180000};         // an agent still answering after this fails
  std::chrono::milliseconds progress_interval{250};     // TaskUpdated at most this often per task
  AgentContextLimits context;
};

struct SessionConfig {
  std::string model = "yollayah";
  std::string system_prompt;  // empty: none
  bool greet = true;
  std::size_t max_context = 10;
  std::size_t snapshot_messages = 20;
  std::size_t max_answer_bytes = 1024 * 1024;  // a longer answer is cut, with a note
  History::Limits history;
  InputLimits input;
  std::string additional_agents;     // CONDUCTOR_ADDITIONAL_AGENTS
  std::vector<AgentInfo> agents;     // [[agent]] entries (added to, or replacing, the built-in ones)
  AgentSettings agent;
  TaskLimits tasks;

  static SessionConfig from(const core::Config& config);
  // The agents this configuration allows: the built-in ones, the additional ids, the [[agent]] entries.
  std::shared_ptr<const Agents> make_agents() const;
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
  // Ends every surface's session: cancels the answers in progress and sends Quit to all.
  void stop(std::optional<std::string> quit_message);
  // Applies a reloaded configuration (SIGHUP): the model, system prompt, context size, snapshot
  // size, history and input limits take effect from the next turn or event; an answer streaming
  // now finishes as it started. Surfaces get the new SessionInfo. The agent list and `greet`
  // keep their start-up values.
  void reconfigure(SessionConfig config);
  // Who records the turns (the store). Call before start(); the session keeps it.
  void set_journal(std::shared_ptr<TurnJournal> journal);
  // Keeps this session's conversations in the history store behind `journal` (issue 11): it
  // records the turns, and the history commands (/history, /open, /search, …) ask its store.
  // Without one, history is off: SessionInfo says so to version-2 surfaces. Call before start().
  void set_archive(std::shared_ptr<StoreJournal> journal);
  // An earlier conversation to continue (read back from the store), oldest first. Call before
  // start(): the messages become the history, so they are the model's context and every surface's
  // StateSnapshot, and nobody is greeted.
  void restore(std::vector<HistoryMessage> messages);
  // One Notify to every surface that has joined (the store's Degraded/Recovered events); kept for
  // the first surface to join when none has yet.
  void notify_surfaces(protocol::NotifyLevel level, std::string title, std::string message);

  const protocol::SessionId& id() const { return id_; }
  asio::strand<asio::any_io_executor> strand() const { return strand_; }

 private:
  class TurnSink;
  using TurnPtr = std::shared_ptr<Turn>;

  // The tasks one main answer spawned, until its follow-up is queued.
  struct TaskGroup {
    protocol::MessageId parent;        // the answer whose tags started them
    protocol::MessageId follow_up_id;  // the answer that will sum them up
    std::size_t open = 0;              // tasks not ended yet
    bool parent_done = false;
    bool parent_ok = true;             // the parent ended with StreamEnd, not cancelled
    bool cancelled = false;            // the user cancelled: no follow-up
    std::vector<AgentReport> reports;
  };

  // Events (session.cpp).
  void handle(SurfaceId from, protocol::SurfaceEvent& event);
  void on_hello(SurfaceEntry& surface, bool legacy);
  void on_handshake(SurfaceId from, protocol::ev::Handshake& hs);
  void on_user_message(SurfaceId from, protocol::ev::UserMessage& m);
  HistoryMessage user_message(std::string content);
  void on_typing(bool typing);
  void on_cancel(const protocol::ev::CancelResponse& c);
  void on_quit(SurfaceId from);
  void on_surface_behind(SurfaceId id);

  // Slash commands (session_commands.cpp).
  void on_command(SurfaceId from, protocol::ev::UserCommand& c);
  void system_note(std::string text);
  asio::awaitable<void> list_models_command();
  asio::awaitable<void> set_model_command(std::string name);
  void backends_command();

  // History commands (session_history.cpp): false when `c` is not one of them.
  bool history_command(SurfaceId from, const protocol::ev::UserCommand& c);
  void new_conversation(SurfaceId from, bool cleared);
  void retry_command(SurfaceId from);
  void title_command(SurfaceId from, std::string title);
  // A version-2 surface gets the list as data (HistoryList, its picker); a version-1 one a note.
  asio::awaitable<void> list_history_command(SurfaceId from);
  // `at`: a message of it (/open ID MESSAGE, a /search jump): the conversation opens on the branch
  // that holds it, and version-2 surfaces are told to scroll to it.
  asio::awaitable<void> open_command(SurfaceId from, std::string typed, std::optional<std::string> at = {});
  // A version-2 surface gets the matches as data (SearchResults, its picker); a version-1 one a note.
  asio::awaitable<void> search_command(SurfaceId from, std::string text);
  asio::awaitable<void> export_command(SurfaceId from, std::string file);
  // `asked`: the surface asked the user itself (a picker's y/n) about the whole id typed.
  asio::awaitable<void> delete_command(SurfaceId from, std::string typed, bool confirmed, bool asked = false);
  // Why the user message `id` cannot be edited now (an answer is being written, it is not the last
  // one); nothing when it can.
  std::optional<std::string> edit_refusal(const protocol::MessageId& id) const;
  // The last user message again, as `content`: a new branch beside it (same parent), answered with
  // the branch up to it as the context; the old question and its answer stay in the store.
  asio::awaitable<void> edit_message(SurfaceId from, std::string content, protocol::MessageId answer_id);
  // Shows the previous (or next) version of the message `at` (a surface's, e.g. the one on screen),
  // or else of the newest message shown that has several; past an answer's ends, of its question.
  // What followed the version shown comes with it.
  asio::awaitable<void> branch_command(SurfaceId from, bool next, std::optional<protocol::MessageId> at);
  // A number from the last /history list, or an id (or 4+ of its first characters, or "last").
  asio::awaitable<std::optional<std::string>> resolve_conversation(SurfaceId from, std::string typed);
  // true (and the surface told why) while an answer is being written.
  bool busy_for(SurfaceId from, std::string_view command);
  // The session now shows `messages` (a conversation opened, or a new empty one): every surface
  // gets a snapshot of it. With `focus`, version-2 surfaces' snapshot names that message and reaches
  // back to it, however far.
  void show_conversation(std::vector<HistoryMessage> messages, std::optional<protocol::MessageId> focus = {});

  // Turns (session_turn.cpp): scheduling, running, the main conversation's output.
  TurnPtr make_turn(TurnKind kind, protocol::MessageId id, std::uint32_t depth = 0);
  void enqueue_turn(TurnPtr turn);
  void start_turns();
  asio::awaitable<void> run_turn(TurnPtr turn);
  void begin_main(Turn& turn);
  void finish_main(Turn& turn, const backend::Result<backend::ChatStats>& result);
  void on_turn_content(Turn& turn, std::string_view text);
  void flush_turn(Turn& turn);
  void apply_commands(Turn& turn);
  void report_refused_tasks(Turn& turn);
  void cancel_queued_turns();
  asio::awaitable<void> check_backend();

  // Agents (session_agents.cpp): tasks, their turns, the follow-up.
  void spawn_agent(Turn& parent, const protocol::msg::TaskCreated& created);
  void begin_agent(Turn& turn);
  void flush_agent(Turn& turn, std::string_view text);
  void agent_progress(Turn& turn, bool force);
  void finish_agent(Turn& turn, const backend::Result<backend::ChatStats>& result);
  void end_task(Turn& turn, AgentReport report);
  TaskGroup* group(const protocol::MessageId& parent);
  // The main answer ended (`ok`: with StreamEnd, not cancelled): its follow-up's id when one will come.
  std::optional<protocol::MessageId> parent_finished(Turn& turn, bool ok);
  void maybe_follow_up(const protocol::MessageId& parent);
  void start_follow_up(Turn& turn);
  void cancel_task(const protocol::TaskId& id);
  void cancel_agents();

  // Helpers.
  void set_state(protocol::ConductorState state);
  protocol::msg::SessionInfo session_info(std::uint32_t version = protocol::kProtocolV1) const;
  void broadcast_session_info();
  // Version-1 surfaces get it without the version-2 extensions (branches, meta lines).
  protocol::msg::StateSnapshot state_snapshot(std::uint32_t version) const;
  void send_snapshot(SurfaceId to);
  void broadcast_snapshot();
  // `full` to version-2 surfaces, `v1` (the same without its extensions) to the others.
  void broadcast_versions(protocol::ConductorMessage full, protocol::ConductorMessage v1);
  void notify(SurfaceId to, protocol::NotifyLevel level, std::string title, std::string message);
  protocol::ResponseMetadata metadata(const Turn& turn, const backend::Result<backend::ChatStats>& result) const;

  asio::strand<asio::any_io_executor> strand_;
  std::shared_ptr<backend::routing::Router> router_;
  SessionConfig config_;
  core::StallMonitor* monitor_;
  protocol::SessionId id_;
  std::uint64_t created_at_ms_;
  std::shared_ptr<TurnJournal> journal_;
  std::shared_ptr<StoreJournal> archive_;  // the same object as journal_ when history is on
  std::vector<std::string> listed_;        // conversation ids of the last /history, numbered from 1
  std::string delete_asked_;               // the conversation /delete asked about, until confirmed
  // The answer /retry queued, and where it will sit among the versions of the answer ("3/3").
  std::optional<std::pair<protocol::MessageId, protocol::BranchPosition>> retry_branch_;

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

  TurnScheduler scheduler_;
  std::vector<TaskGroup> groups_;                          // a few at a time
  std::vector<protocol::ConductorMessage> tag_messages_;  // scratch
  std::vector<protocol::msg::Notify> held_notices_;       // notify_surfaces() before any surface joined
};

}  // namespace yollayah::conductor
