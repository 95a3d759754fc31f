#include "conductor/task_book.hpp"

#include "conductor/ids.hpp"
#include "conductor/text_checks.hpp"

#include <algorithm>
#include <type_traits>

namespace yollayah::conductor {

namespace msg = protocol::msg;

std::string_view to_string(TaskStatus status) {
  switch (status) {
    case TaskStatus::Pending: return "Pending";
    case TaskStatus::Running: return "Running";
    case TaskStatus::Done: return "Done";
    case TaskStatus::Failed: return "Failed";
    case TaskStatus::Cancelled: return "Cancelled";
  }
  return "?";
}

TaskBook::TaskBook(std::shared_ptr<const Agents> agents, Limits limits)
    : agents_(agents ? std::move(agents) : Agents::builtin()), limits_(limits) {}

TaskBook::TaskBook(std::string_view additional_agents, Limits limits)
    : TaskBook(Agents::with_additional(additional_agents), limits) {}

std::optional<std::size_t> TaskBook::resolve_index(std::string_view ref, bool include_finished) const {
  for (std::size_t i = 0; i < tasks_.size(); ++i)
    if (tasks_[i].id == ref) return i;
  std::string agent(ref);
  std::transform(agent.begin(), agent.end(), agent.begin(), ascii_lower);
  std::optional<std::size_t> newest_finished;
  for (auto i = tasks_.size(); i-- > 0;) {
    if (tasks_[i].agent != agent) continue;
    if (!tasks_[i].finished()) return i;
    if (!newest_finished) newest_finished = i;
  }
  return include_finished ? newest_finished : std::nullopt;
}

const Task* TaskBook::find(std::string_view id) const {
  const auto it = std::find_if(tasks_.begin(), tasks_.end(), [&](const Task& t) { return t.id == id; });
  return it == tasks_.end() ? nullptr : &*it;
}

Task* TaskBook::find_mutable(std::string_view id) {
  const auto it = std::find_if(tasks_.begin(), tasks_.end(), [&](const Task& t) { return t.id == id; });
  return it == tasks_.end() ? nullptr : &*it;
}

void TaskBook::attach_agent(std::string_view id) {
  if (Task* task = find_mutable(id)) task->has_agent = true;
}

std::optional<msg::TaskUpdated> TaskBook::progress(std::string_view id, std::uint8_t pct, std::optional<std::string> status,
                                                   std::uint64_t now_ms) {
  Task* task = find_mutable(id);
  if (!task || task->finished()) return std::nullopt;
  task->progress = std::min<std::uint8_t>(pct, 100);
  if (status) task->status_message = std::move(status);
  if (pct > 0 && task->status == TaskStatus::Pending) task->status = TaskStatus::Running;
  task->updated_ms = now_ms;
  return msg::TaskUpdated{task->id, task->progress, task->status_message};
}

std::optional<msg::TaskCompleted> TaskBook::complete(std::string_view id, std::string summary, std::string output,
                                                     std::uint64_t now_ms) {
  Task* task = find_mutable(id);
  if (!task || task->finished()) return std::nullopt;
  task->progress = 100;
  task->status = TaskStatus::Done;
  task->status_message = summary;
  task->output = std::move(output);
  task->updated_ms = now_ms;
  return msg::TaskCompleted{task->id, std::move(summary)};
}

std::optional<msg::TaskFailed> TaskBook::fail(std::string_view id, std::string error, std::string output, bool cancelled,
                                              std::uint64_t now_ms) {
  Task* task = find_mutable(id);
  if (!task || task->finished()) return std::nullopt;
  task->status = cancelled ? TaskStatus::Cancelled : TaskStatus::Failed;
  task->error = error;
  task->output = std::move(output);
  task->updated_ms = now_ms;
  return msg::TaskFailed{task->id, std::move(error)};
}

const Task* TaskBook::resolve(std::string_view ref, bool include_finished) const {
  const auto i = resolve_index(ref, include_finished);
  return i ? &tasks_[*i] : nullptr;
}

Task* TaskBook::resolve_unfinished(std::string_view verb, std::string_view ref) {
  const auto i = resolve_index(ref, false);
  Task* task = i ? &tasks_[*i] : nullptr;
  if (task == nullptr) {
    reject("task " + std::string(verb) + " " + std::string(ref) + ": no unfinished task with that id or agent");
  } else if (task->finished()) {
    reject("task " + std::string(verb) + " " + std::string(ref) + ": the task is already " +
           std::string(to_string(task->status)));
    return nullptr;
  }
  return task;
}

std::uint32_t TaskBook::active_count() const {
  return static_cast<std::uint32_t>(
      std::count_if(tasks_.begin(), tasks_.end(), [](const Task& t) { return !t.finished(); }));
}

std::size_t TaskBook::purge_finished(std::uint64_t now_ms) {
  const auto before = tasks_.size();
  std::erase_if(tasks_, [&](const Task& t) {
    return t.finished() && now_ms >= t.updated_ms && now_ms - t.updated_ms >= limits_.cleanup_age_ms;
  });
  return before - tasks_.size();
}

void TaskBook::start(const tag::TaskStart& c, std::uint64_t now_ms, std::vector<protocol::ConductorMessage>& out) {
  if (!agents_->contains(c.agent)) {
    reject("task start " + c.agent + ": the agent is not on the allowlist");
    return;
  }
  purge_finished(now_ms);
  if (active_count() >= limits_.max_active) {
    reject("task start " + c.agent + ": " + std::to_string(limits_.max_active) + " tasks are already active");
    return;
  }
  if (tasks_.size() >= limits_.max_total) {
    reject("task start " + c.agent + ": " + std::to_string(limits_.max_total) +
           " tasks are already kept; finished ones are cleared after an hour");
    return;
  }
  Task task;
  task.id = next_task_id();
  task.agent = c.agent;
  task.display_name = agents_->display_name(c.agent);
  task.description = c.description;
  task.created_ms = task.updated_ms = now_ms;
  out.emplace_back(msg::TaskCreated{task.id, task.agent, task.description});
  tasks_.push_back(std::move(task));
}

void TaskBook::apply(const TagCommand& command, std::uint64_t now_ms, std::vector<protocol::ConductorMessage>& out) {
  std::visit(
      [&](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, tag::TaskStart>) {
          start(c, now_ms, out);
        } else if constexpr (std::is_same_v<T, tag::TaskProgress>) {
          if (auto* task = resolve_unfinished("progress", c.ref)) {
            task->progress = c.pct;
            if (c.pct > 0 && task->status == TaskStatus::Pending) task->status = TaskStatus::Running;
            task->updated_ms = now_ms;
            out.emplace_back(msg::TaskUpdated{task->id, task->progress, task->status_message});
          }
        } else if constexpr (std::is_same_v<T, tag::TaskDone>) {
          if (auto* task = resolve_unfinished("done", c.ref); task && task->has_agent) {
            reject("task done " + c.ref + ": an agent is working on it; its answer ends the task");
          } else if (task) {
            task->progress = 100;
            task->status = TaskStatus::Done;
            task->updated_ms = now_ms;
            out.emplace_back(msg::TaskCompleted{task->id, std::nullopt});
          }
        } else if constexpr (std::is_same_v<T, tag::TaskFail>) {
          if (auto* task = resolve_unfinished("fail", c.ref); task && task->has_agent) {
            reject("task fail " + c.ref + ": an agent is working on it; its answer ends the task");
          } else if (task) {
            task->status = TaskStatus::Failed;
            task->error = c.reason;
            task->updated_ms = now_ms;
            out.emplace_back(msg::TaskFailed{task->id, c.reason});
          }
        } else if constexpr (std::is_same_v<T, tag::TaskFocus>) {
          if (const auto* task = resolve(c.ref, true)) {
            out.emplace_back(msg::TaskFocus{task->id});
          } else {
            reject("task focus " + c.ref + ": no task with that id or agent");
          }
        }
        // TaskPoint, TaskHover, TaskCelebrate and the avatar commands: nothing to record.
      },
      command);
}

}  // namespace yollayah::conductor
