#include "conductor/agent_context.hpp"

#include "protocol/utf8.hpp"

namespace yollayah::conductor {
namespace {

std::string bounded(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  return std::string(protocol::utf8_prefix(text, max_bytes)) + "… (cut)";
}

std::string_view outcome_word(AgentReport::Outcome o) {
  switch (o) {
    case AgentReport::Outcome::Completed: return "completed";
    case AgentReport::Outcome::Failed: return "FAILED";
    case AgentReport::Outcome::Cancelled: return "CANCELLED by the user";
  }
  return "?";
}

}  // namespace

backend::ChatRequest agent_request(const AgentInfo& agent, const AgentAssignment& task, const History& history,
                                   const std::string& model, const AgentContextLimits& limits) {
  backend::ChatRequest request;
  request.model = agent.model.empty() ? model : agent.model;
  request.num_predict = static_cast<int>(task.max_tokens);
  request.messages.push_back(
      {backend::ChatMessage::Role::System,
       agent.persona + "\n\nYour agent id is " + agent.id + ". While you work you may write [yolla:task progress " +
           agent.id + " N] (N a percentage) to show how far along you are; it is removed from your text."});

  // The recent conversation, oldest first: what the user asked and what Yollayah said.
  std::vector<const HistoryMessage*> picked;
  const auto& messages = history.messages();
  for (auto it = messages.rbegin(); it != messages.rend() && picked.size() < limits.messages; ++it) {
    if (it->role == protocol::MessageRole::System || it->content.empty()) continue;
    picked.push_back(&*it);
  }
  std::string latest_user;
  std::string conversation;
  for (auto it = picked.rbegin(); it != picked.rend(); ++it) {
    const bool user = (*it)->role == protocol::MessageRole::User;
    if (user) latest_user = (*it)->content;
    conversation += user ? "User: " : "Yollayah: ";
    conversation += bounded((*it)->content, limits.message_bytes);
    conversation += "\n\n";
  }

  std::string prompt = "Yollayah asks you, " + agent.display_name + " (task " + task.task_id + "):\n" +
                       task.description + "\n";
  if (!latest_user.empty()) prompt += "\nThe user's request: " + bounded(latest_user, limits.message_bytes) + "\n";
  if (!conversation.empty()) prompt += "\nThe conversation so far, most recent last:\n\n" + conversation;
  request.messages.push_back({backend::ChatMessage::Role::User, std::move(prompt)});
  return request;
}

std::string follow_up_report(const std::vector<AgentReport>& reports, const AgentContextLimits& limits) {
  std::string out(kReportHeading);
  out += "\nYou asked your helpers for help with the user's request; here is what came back. Sum it up for the "
         "user in your own voice: what each helper found, and what to do next. Name each helper by family name. "
         "If a helper failed or was cancelled, say so plainly. You can refer to a task by its agent id or its "
         "task id. Do not start new tasks now.\n";
  for (const auto& r : reports) {
    out += "\n## " + r.display_name + " (" + r.agent + ", task " + r.task_id + "): " +
           std::string(outcome_word(r.outcome)) + "\n";
    out += "Task: " + r.description + "\n";
    if (r.outcome == AgentReport::Outcome::Failed && !r.error.empty()) out += "Error: " + r.error + "\n";
    if (!r.answer.empty()) {
      out += r.outcome == AgentReport::Outcome::Completed ? "Answer:\n" : "What it wrote before it stopped:\n";
      out += bounded(r.answer, limits.answer_bytes) + "\n";
    } else if (r.outcome != AgentReport::Outcome::Completed) {
      out += "It wrote nothing.\n";
    }
  }
  return out;
}

}  // namespace yollayah::conductor
