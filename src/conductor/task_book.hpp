// The task panel's records, driven by `[yolla:task …]` tags (anchor-core "Tasks") and by the agents
// that work on them. The book turns task commands into Task* messages and enforces the limits; the
// session runs an agent turn for each task it creates and reports its end here.
#pragma once

#include "conductor/agents.hpp"
#include "conductor/rejection_log.hpp"
#include "conductor/tag_command.hpp"
#include "protocol/messages.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace yollayah::conductor {

enum class TaskStatus : std::uint8_t { Pending, Running, Done, Failed, Cancelled };
std::string_view to_string(TaskStatus status);

struct Task {
  protocol::TaskId id;
  std::string agent;         // allowlisted agent id
  std::string display_name;  // the family name, e.g. "Uncle Marco"
  std::string description;
  std::uint8_t progress = 0;  // 0–100
  TaskStatus status = TaskStatus::Pending;
  std::optional<std::string> status_message;
  std::optional<std::string> error;
  std::uint64_t created_ms = 0;  // Unix milliseconds
  std::uint64_t updated_ms = 0;
  bool has_agent = false;  // an agent turn works on it: only its end finishes the task
  std::string output;      // the agent's answer, once it ended

  bool finished() const {
    return status == TaskStatus::Done || status == TaskStatus::Failed || status == TaskStatus::Cancelled;
  }
};

struct TaskLimits {
  std::uint32_t max_active = 20;             // Pending or Running
  std::uint32_t max_total = 100;             // every record kept, finished ones included
  std::uint64_t cleanup_age_ms = 3'600'000;  // finished tasks last updated longer ago are purged
};

class TaskBook {
 public:
  using Limits = TaskLimits;

  // Share one Agents with the TagParser, so both accept the same agents:
  //   auto agents = Agents::with_additional(additional);  TaskBook tasks{agents};  TagParser parser{agents};
  explicit TaskBook(std::shared_ptr<const Agents> agents = Agents::builtin(), Limits limits = {});
  // The built-in agents plus a comma-separated list (CONDUCTOR_ADDITIONAL_AGENTS).
  explicit TaskBook(std::string_view additional_agents, Limits limits = {});

  // Applies a task command and appends the matching Task* message to `out`:
  // - start → TaskCreated (id from next_task_id()). Purges old finished tasks first, then rejects
  //   the start when max_active tasks are active or max_total are kept, or when the agent is not
  //   on the allowlist (the TagParser checks it too; this guards other callers).
  // - progress → TaskUpdated; progress above 0 moves Pending to Running.
  // - done → progress 100, Done, TaskCompleted. fail → Failed with the reason, TaskFailed.
  // - focus → TaskFocus. point, hover and celebrate change nothing here (celebrate is the
  //   avatar's). Avatar commands are ignored.
  // A ref that resolves to no task, or progress/done/fail on a finished task, is rejected: nothing
  // is sent and rejections() says why.
  void apply(const TagCommand& command, std::uint64_t now_ms, std::vector<protocol::ConductorMessage>& out);

  // What a ref names, so the model can refer to tasks it started without knowing their ids:
  // 1. the task with exactly that id;
  // 2. else the most recent unfinished task of the agent with that id (case-insensitive);
  // 3. else, if `include_finished`, the most recent task of that agent.
  const Task* resolve(std::string_view ref, bool include_finished = false) const;

  const Task* find(std::string_view id) const;  // by exact id

  // The agent working on task `id` reports; each returns the message to send (nullopt when the task
  // is unknown or already finished). Progress above 0 moves Pending to Running.
  void attach_agent(std::string_view id);
  std::optional<protocol::msg::TaskUpdated> progress(std::string_view id, std::uint8_t pct,
                                                     std::optional<std::string> status, std::uint64_t now_ms);
  std::optional<protocol::msg::TaskCompleted> complete(std::string_view id, std::string summary, std::string output,
                                                       std::uint64_t now_ms);
  // Failed, or Cancelled when `cancelled`; the message is a TaskFailed either way (the protocol
  // has no cancelled variant) whose error says which.
  std::optional<protocol::msg::TaskFailed> fail(std::string_view id, std::string error, std::string output,
                                                bool cancelled, std::uint64_t now_ms);
  std::uint32_t active_count() const;
  std::size_t size() const { return tasks_.size(); }
  const std::vector<Task>& tasks() const { return tasks_; }  // oldest first
  const Limits& limits() const { return limits_; }
  const std::shared_ptr<const Agents>& agents() const { return agents_; }

  // Drops finished tasks whose last update is at least cleanup_age_ms old; returns how many.
  std::size_t purge_finished(std::uint64_t now_ms);

  const std::deque<std::string>& rejections() const { return rejections_.entries(); }
  std::uint64_t rejection_count() const { return rejections_.total(); }

 private:
  Task* find_mutable(std::string_view id);
  std::optional<std::size_t> resolve_index(std::string_view ref, bool include_finished) const;
  Task* resolve_unfinished(std::string_view verb, std::string_view ref);
  void start(const tag::TaskStart& c, std::uint64_t now_ms, std::vector<protocol::ConductorMessage>& out);
  void reject(std::string reason) { rejections_.add(std::move(reason)); }

  std::shared_ptr<const Agents> agents_;
  Limits limits_;
  std::vector<Task> tasks_;
  RejectionLog rejections_;
};

}  // namespace yollayah::conductor
