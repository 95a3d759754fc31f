// One answer being generated, and all of its state: the request, the message id, the tag parser
// and the text not yet sent, the cancellation signal, the answer cap, the timing and the tasks it
// spawned. A user turn, the greeting, an agent's task and the follow-up that sums the agents up
// are all Turns, run the same way by the Session, which only schedules them. Strand-confined.
#pragma once

#include "backend/backend.hpp"
#include "conductor/agents.hpp"
#include "conductor/tag_command.hpp"
#include "conductor/tag_parser.hpp"
#include "protocol/types.hpp"

#include <boost/asio/cancellation_signal.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace yollayah::conductor {

enum class TurnKind : std::uint8_t {
  Chat,      // answers the user's message
  Greeting,  // the hello for the first interactive surface
  Agent,     // a specialist working on one task
  FollowUp,  // the main model summing up the agents a turn spawned
};

// Why a turn was stopped before its stream ended by itself.
enum class TurnStop : std::uint8_t { None, Cancelled, Cut, TimedOut, Stopping };

// What an agent turn works on (only Agent turns have one).
struct AgentAssignment {
  protocol::TaskId task_id;
  std::string agent;          // the agent id, e.g. "backend-engineer"
  std::string display_name;   // "Uncle Marco"
  std::string description;
  protocol::ConversationId conversation_id;
  protocol::MessageId group;  // the main answer whose tasks this belongs to (reported in its follow-up)
  std::uint32_t max_tokens = Agents::kDefaultMaxTokens;
};

class Turn {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::uint32_t kMaxLinesPerFlush = 64;

  struct Options {
    TurnKind kind = TurnKind::Chat;
    protocol::MessageId id;
    std::shared_ptr<const Agents> agents;
    std::size_t max_answer_bytes = 1024 * 1024;
    std::uint32_t depth = 0;  // 0: a main-conversation turn; 1: an agent it started; …
  };

  explicit Turn(Options options);

  TurnKind kind() const { return kind_; }
  bool is_agent() const { return kind_ == TurnKind::Agent; }
  bool is_main() const { return kind_ != TurnKind::Agent; }
  const protocol::MessageId& id() const { return id_; }
  std::uint32_t depth() const { return depth_; }

  // ---- the stream ----
  // Parses one chunk of model output: its clean text is added to pending(), its tags to
  // commands(). Returns true when this chunk reached the answer cap: what fits is kept and the
  // caller must stop the request (stop(TurnStop::Cut)); later chunks are ignored.
  bool feed(std::string_view chunk);
  // The stream ended: resolves what the parser still holds, and adds the cut note if it was cut.
  void finish();
  bool flush_due() const { return pending_lines_ >= kMaxLinesPerFlush; }
  bool has_pending() const { return !pending_.empty(); }
  // The clean text not yet sent; an agent's turn keeps a copy in text().
  std::string take_pending();
  std::vector<TagCommand>& commands() { return commands_; }  // the caller applies and clears them
  const std::string& text() const { return text_; }          // an agent's clean text sent so far
  TagParser& parser() { return parser_; }
  std::uint64_t task_starts_over_limit() const { return parser_.over_limit_task_starts(); }

  // ---- cancellation ----
  boost::asio::cancellation_signal& signal() { return signal_; }
  // Stops the request (the first reason given is kept). Harmless once the turn has ended.
  void stop(TurnStop reason);
  TurnStop stop_reason() const { return stop_reason_; }
  bool cut() const { return stop_reason_ == TurnStop::Cut; }
  bool started() const { return started_.has_value(); }
  bool ended() const { return ended_; }
  void mark_started(Clock::time_point now) { started_ = now; }
  void mark_ended() { ended_ = true; }
  std::chrono::milliseconds elapsed(Clock::time_point now) const;

  // ---- what it did ----
  std::uint32_t chunks() const { return chunks_; }  // model tokens seen (one per on_content)
  bool responding() const { return chunks_ > 0; }
  std::vector<protocol::TaskId>& spawned() { return spawned_; }
  const std::vector<protocol::TaskId>& spawned() const { return spawned_; }
  std::uint32_t tasks_refused = 0;  // task starts refused by a limit (depth, active tasks)

  backend::ChatRequest request;                 // built when the turn starts
  std::optional<AgentAssignment> agent;         // Agent turns
  std::optional<protocol::MessageId> follow_up_of;  // FollowUp turns: the answer that spawned the tasks
  Clock::time_point last_progress{};            // Agent turns: when TaskUpdated last went out

 private:
  TurnKind kind_;
  protocol::MessageId id_;
  std::uint32_t depth_;
  std::size_t max_answer_bytes_;
  TagParser parser_;
  std::string pending_;
  std::string text_;
  std::vector<TagCommand> commands_;
  std::uint32_t pending_lines_ = 0;
  std::uint32_t chunks_ = 0;
  std::size_t bytes_ = 0;
  std::vector<protocol::TaskId> spawned_;
  boost::asio::cancellation_signal signal_;
  TurnStop stop_reason_ = TurnStop::None;
  std::optional<Clock::time_point> started_;
  bool ended_ = false;
};

// A one-line summary of an answer for TaskCompleted and SummaryReady: its first paragraph, at most
// `max_bytes` (cut at a UTF-8 boundary, with "…").
std::string summarise(std::string_view answer, std::size_t max_bytes = 200);

// The last non-empty line of `text`, at most `max_bytes`: what an agent is writing now.
std::string last_line(std::string_view text, std::size_t max_bytes = 120);

}  // namespace yollayah::conductor
