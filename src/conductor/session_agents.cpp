// Agents at work: a `task start` tag becomes an agent turn (its own persona, the task, a bounded
// slice of the conversation, through the router), its progress and live text go to the surfaces,
// and once every task an answer spawned has ended, a follow-up turn of the main model sums them up.
#include "conductor/errors.hpp"
#include "conductor/ids.hpp"
#include "conductor/session.hpp"
#include "core/log.hpp"

#include <algorithm>

namespace yollayah::conductor {

namespace msg = protocol::msg;
using protocol::kProtocolV2;

void Session::spawn_agent(Turn& parent, const msg::TaskCreated& created) {
  AgentAssignment a;
  a.task_id = created.task_id;
  a.agent = created.agent;
  a.display_name = agents_->display_name(created.agent);
  a.description = created.description;
  a.conversation_id = next_uuid();
  // Tasks an agent starts (when max_depth allows) are reported in the same follow-up as its own.
  a.group = parent.agent ? parent.agent->group : parent.id();
  a.max_tokens = agents_->max_tokens(created.agent);

  auto turn = make_turn(TurnKind::Agent, next_message_id(), parent.depth() + 1);
  turn->agent = a;
  parent.spawned().push_back(a.task_id);
  tasks_.attach_agent(a.task_id);

  TaskGroup* g = group(a.group);
  if (!g) {
    groups_.push_back(TaskGroup{a.group, next_message_id(), 0, false, true, false, {}});
    g = &groups_.back();
  }
  ++g->open;

  msg::ConversationCreated conversation;
  conversation.conversation_id = a.conversation_id;
  conversation.agent_name = a.display_name;
  conversation.task_id = a.task_id;
  conversation.parent_message_id = a.group;
  surfaces_.broadcast_since(kProtocolV2, std::move(conversation));
  if (const Task* task = tasks_.find(a.task_id)) journal_->task_started(*task, *turn);
  scheduler_.enqueue(std::move(turn));  // the caller starts what may start
}

void Session::begin_agent(Turn& turn) {
  const AgentAssignment& a = *turn.agent;
  AgentInfo fallback;
  const AgentInfo* info = agents_->find(a.agent);
  if (!info) {  // removed from the list since (never today); answer as a generic specialist
    fallback.id = a.agent;
    fallback.display_name = a.display_name;
    fallback.persona = generic_persona(a.display_name, a.agent);
    info = &fallback;
  }
  turn.request = agent_request(*info, a, history_, config_.model, config_.agent.context);
  if (auto m = tasks_.progress(a.task_id, 0, "Asking " + turn.request.model + "…", unix_millis()))
    surfaces_.broadcast(std::move(*m));
  turn.last_progress = Turn::Clock::now();
}

void Session::flush_agent(Turn& turn, std::string_view text) {
  const AgentAssignment& a = *turn.agent;
  surfaces_.broadcast_since(kProtocolV2, msg::ConversationStreamToken{a.conversation_id, turn.id(), std::string(text)});
  agent_progress(turn, false);
}

// Progress is the model tokens so far against the agent's max_tokens (it stops there), and the
// status line the last line it wrote; at most one TaskUpdated per progress_interval.
void Session::agent_progress(Turn& turn, bool force) {
  const auto now = Turn::Clock::now();
  if (!force && now - turn.last_progress < config_.agent.progress_interval) return;
  if (turn.chunks() == 0) return;
  turn.last_progress = now;
  const AgentAssignment& a = *turn.agent;
  const auto pct = std::clamp<std::uint64_t>(std::uint64_t{turn.chunks()} * 100 / std::max<std::uint32_t>(a.max_tokens, 1), 1, 99);
  std::string status = last_line(turn.text());
  if (status.empty()) status = "Thinking…";
  if (auto m = tasks_.progress(a.task_id, static_cast<std::uint8_t>(pct), std::move(status), unix_millis()))
    surfaces_.broadcast(std::move(*m));
}

void Session::finish_agent(Turn& turn, const backend::Result<backend::ChatStats>& result) {
  const AgentAssignment& a = *turn.agent;
  AgentReport report;
  report.task_id = a.task_id;
  report.agent = a.agent;
  report.display_name = a.display_name;
  report.description = a.description;
  report.answer = turn.text();

  protocol::ResponseMetadata meta = metadata(turn, result);
  const TurnStop stop = turn.stop_reason();
  if (result || turn.cut()) {
    report.outcome = AgentReport::Outcome::Completed;
  } else if (stop == TurnStop::Cancelled || stop == TurnStop::Stopping) {
    report.outcome = AgentReport::Outcome::Cancelled;
    report.error = "Cancelled";
  } else if (stop == TurnStop::TimedOut) {
    report.outcome = AgentReport::Outcome::Failed;
    const auto ms = config_.agent.time_limit.count();
    report.error = "took longer than " + (ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms") +
                   " (time_limit_ms in [agents] of conductor.toml)";
    meta.context_hint = "timed out";
  } else {
    report.outcome = AgentReport::Outcome::Failed;
    report.error = describe_backend_error(result.error(), turn.request.model);
    meta.context_hint = "failed";
  }

  // Version-2 surfaces see the agent's conversation end, then its summary.
  surfaces_.broadcast_since(kProtocolV2, msg::ConversationStreamEnd{a.conversation_id, turn.id(), report.answer, meta});
  const auto now = unix_millis();
  if (report.outcome == AgentReport::Outcome::Completed) {
    std::string summary = report.answer.empty() ? std::string("(no answer)") : summarise(report.answer);
    surfaces_.broadcast_since(kProtocolV2, msg::SummaryReady{a.conversation_id, summary, {}});
    if (auto m = tasks_.complete(a.task_id, std::move(summary), report.answer, now)) surfaces_.broadcast(std::move(*m));
  } else {
    if (report.outcome == AgentReport::Outcome::Failed)
      core::log().warn("agent {} ({}) failed: {}", a.agent, a.task_id, report.error);
    const bool cancelled = report.outcome == AgentReport::Outcome::Cancelled;
    if (auto m = tasks_.fail(a.task_id, report.error, report.answer, cancelled, now)) surfaces_.broadcast(std::move(*m));
  }
  if (const Task* task = tasks_.find(a.task_id)) journal_->task_finished(*task, turn, report.answer);
  end_task(turn, std::move(report));
}

void Session::end_task(Turn& turn, AgentReport report) {
  const protocol::MessageId parent = turn.agent->group;
  if (TaskGroup* g = group(parent)) {
    g->reports.push_back(std::move(report));
    if (g->open > 0) --g->open;
  }
  maybe_follow_up(parent);
}

Session::TaskGroup* Session::group(const protocol::MessageId& parent) {
  for (auto& g : groups_)
    if (g.parent == parent) return &g;
  return nullptr;
}

std::optional<protocol::MessageId> Session::parent_finished(Turn& turn, bool ok) {
  TaskGroup* g = group(turn.id());
  if (!g) return std::nullopt;
  g->parent_done = true;
  g->parent_ok = ok && !g->cancelled;
  std::optional<protocol::MessageId> follow_up;
  if (g->parent_ok) follow_up = g->follow_up_id;
  if (!ok) {
    // The answer that asked for them failed or was cancelled: so are they, and nothing sums them up.
    const protocol::MessageId parent = g->parent;
    const auto running = scheduler_.running_agents();  // a copy: stopping one may end it
    for (const auto& agent : running)
      if (agent->agent->group == parent) agent->stop(TurnStop::Cancelled);
    auto queued = scheduler_.remove_queued([&](const Turn& t) { return t.agent && t.agent->group == parent; });
    for (const auto& t : queued) {
      t->stop(TurnStop::Cancelled);
      finish_agent(*t, backend::BackendError(backend::BackendError::Kind::Cancelled, "cancelled"));
    }
  }
  maybe_follow_up(turn.id());
  return follow_up;
}

void Session::maybe_follow_up(const protocol::MessageId& parent) {
  auto it = std::find_if(groups_.begin(), groups_.end(), [&](const TaskGroup& g) { return g.parent == parent; });
  if (it == groups_.end() || !it->parent_done || it->open > 0) return;
  TaskGroup g = std::move(*it);
  groups_.erase(it);
  if (!g.parent_ok) return;  // no follow-up was promised
  if (g.cancelled || stopping_) {
    // A follow-up was promised (StreamEnd.metadata.follow_up_id): its surfaces get its end.
    msg::StreamEnd end;
    end.message_id = g.follow_up_id;
    end.metadata.model_id = config_.model;
    end.metadata.context_hint = "cancelled";
    surfaces_.broadcast(std::move(end));
    return;
  }
  auto turn = make_turn(TurnKind::FollowUp, g.follow_up_id);
  turn->follow_up_of = g.parent;
  // The report is kept in the request until the turn starts and takes the conversation as it is then.
  turn->request.messages.push_back({backend::ChatMessage::Role::User, follow_up_report(g.reports, config_.agent.context)});
  enqueue_turn(std::move(turn));
}

void Session::start_follow_up(Turn& turn) {
  auto report = std::move(turn.request.messages);
  turn.request.messages = history_.context(config_.system_prompt, config_.max_context);
  for (auto& m : report) turn.request.messages.push_back(std::move(m));
}

void Session::cancel_task(const protocol::TaskId& id) {
  const Task* task = tasks_.resolve(id);
  auto turn = scheduler_.find_agent(task ? std::string_view(task->id) : std::string_view(id));
  if (!turn) return;  // it ended already
  turn->stop(TurnStop::Cancelled);
  if (turn->started()) return;  // its run ends it, reported as cancelled
  scheduler_.remove_queued([&](const Turn& t) { return &t == turn.get(); });
  finish_agent(*turn, backend::BackendError(backend::BackendError::Kind::Cancelled, "cancelled"));
}

void Session::cancel_agents() {
  for (auto& g : groups_) g.cancelled = true;
  const auto running = scheduler_.running_agents();  // a copy: stopping one may end it
  for (const auto& agent : running) agent->stop(TurnStop::Cancelled);
  auto queued = scheduler_.remove_queued([](const Turn& t) { return t.is_agent(); });
  for (const auto& t : queued) {
    t->stop(TurnStop::Cancelled);
    finish_agent(*t, backend::BackendError(backend::BackendError::Kind::Cancelled, "cancelled"));
  }
}

}  // namespace yollayah::conductor
