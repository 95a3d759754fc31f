// What the TUI knows about the Conductor, built only from protocol messages: the conversation,
// the Conductor's state, tasks, notifications and the session. A pure reducer: apply() a message,
// read the state; time is passed in, so tests are deterministic.
#pragma once
#include "protocol/messages.hpp"
#include "tui/view/conversation.hpp"
#include "tui/view/panels.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace yollayah::tui::app {

using Clock = std::chrono::steady_clock;

using view::TaskRow;
using view::Toast;

class ChatState {
 public:
  // History kept on screen. The Conductor prunes its own; this bounds the TUI's memory.
  static constexpr std::size_t kMaxEntries = 5000;
  static constexpr std::chrono::milliseconds kToastTime{4000};
  static constexpr std::chrono::milliseconds kErrorToastTime{7000};
  static constexpr std::chrono::milliseconds kFinishedTaskTime{5000};
  // An agent's finished task stays longer, so its answer can still be opened from the panel.
  static constexpr std::chrono::milliseconds kFinishedAgentTime{60000};
  static constexpr std::size_t kMaxToasts = 3;

  // Applies one message. Returns true when something on screen changed.
  bool apply(const protocol::ConductorMessage& message, Clock::time_point now);
  // Drops expired toasts and finished tasks. Returns true when something went away.
  bool expire(Clock::time_point now);
  // When expire() next has something to do; nullopt when nothing will expire.
  std::optional<Clock::time_point> next_expiry() const;

  // A note from the TUI itself (e.g. "connection lost"), shown as a toast.
  void add_toast(protocol::NotifyLevel level, std::string title, std::string message, Clock::time_point now);

  const std::vector<view::ChatEntry>& entries() const { return entries_; }
  // The last message the user sent, as shown: its Conductor id and text (↑ edits it).
  struct Sent {
    std::string id;
    std::string text;
  };
  std::optional<Sent> last_user_message() const;
  // The view key of the entry showing the Conductor's message `message_id` (a snapshot's focus).
  std::optional<std::uint64_t> key_of(std::string_view message_id) const;
  // The Conductor's id of the newest of the entries `keys` (those on screen) whose message has
  // other versions; nothing when none has.
  std::optional<std::string> newest_with_versions(std::span<const std::uint64_t> keys) const;
  const std::vector<TaskRow>& tasks() const { return tasks_; }
  const TaskRow* task(std::string_view id) const;
  bool agents_running() const;  // some task is still running
  // While held (the task panel has the keyboard), no task row expires under the cursor.
  void hold_tasks(bool hold) { hold_tasks_ = hold; }
  const std::vector<Toast>& toasts() const { return toasts_; }
  protocol::ConductorState conductor_state() const { return state_; }
  bool ready() const { return ready_; }
  bool streaming() const { return streaming_index_.has_value(); }
  const std::string& model() const { return model_; }
  // The Conductor keeps nothing on disk (SessionInfo's history: false): the status bar says so.
  bool history_off() const { return history_off_; }
  bool quit_requested() const { return quit_; }
  const std::optional<std::string>& quit_message() const { return quit_message_; }
  bool refused() const { return refused_; }  // the Conductor turned this surface away
  // Token messages per second over the current or last answer (for the F12 view). A Token carries
  // whatever one network read brought, so this is the delivery rate, not the model's tok/s.
  double token_messages_per_second() const;
  std::uint64_t tokens_received() const { return tokens_received_; }

 private:
  view::ChatEntry& push(view::Role role, std::string text, std::string message_id);
  view::ChatEntry* find(const std::string& message_id);
  void on_token(const protocol::msg::Token& token, Clock::time_point now);
  void on_stream_end(const protocol::msg::StreamEnd& end);
  void on_stream_error(const protocol::msg::StreamError& error);
  void on_snapshot(const protocol::msg::StateSnapshot& snapshot);
  void on_task(const protocol::ConductorMessage& message, Clock::time_point now);
  bool on_agent_conversation(const protocol::ConductorMessage& message);
  TaskRow* task_row(std::string_view id);
  TaskRow* conversation_row(std::string_view conversation_id);
  void touch(view::ChatEntry& entry) { entry.revision = ++revision_; }
  void trim();

  std::vector<view::ChatEntry> entries_;
  // Where each entry comes from (parallel vector): the Conductor's message id, and how many
  // versions of that message the store keeps (version 2: an answer after /retry, an edited question).
  struct Origin {
    std::string id;
    std::uint32_t versions = 1;
  };
  std::vector<Origin> origins_;
  std::optional<std::size_t> streaming_index_;
  std::vector<TaskRow> tasks_;
  bool hold_tasks_ = false;
  std::vector<Toast> toasts_;
  protocol::ConductorState state_ = protocol::ConductorState::Initializing;
  bool ready_ = false;
  std::string model_;
  bool history_off_ = false;
  bool quit_ = false;
  std::optional<std::string> quit_message_;
  bool refused_ = false;
  std::uint64_t next_key_ = 1;
  std::uint64_t revision_ = 0;
  std::uint64_t tokens_received_ = 0;
  Clock::time_point stream_started_{};
  Clock::time_point last_token_at_{};
  std::uint64_t stream_chunks_ = 0;
};

// "llama3.2 · 42.1 tok/s · 3.2 s" from an answer's metadata; "2/3 · llama3.2 · …" when it is one of
// several versions (/retry, an edited question).
std::string format_metadata(const protocol::ResponseMetadata& meta);
// "2/3".
std::string format_branch(const protocol::BranchPosition& branch);

}  // namespace yollayah::tui::app
