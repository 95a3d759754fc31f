// What the models are told when agents work: the request an agent's turn sends (its persona, its
// task, a bounded slice of the conversation) and the report the follow-up turn sums up (each
// agent's answer, or why it has none). Pure functions of their inputs.
#pragma once

#include "backend/backend.hpp"
#include "conductor/agents.hpp"
#include "conductor/history.hpp"
#include "conductor/turn.hpp"

#include <string>
#include <vector>

namespace yollayah::conductor {

struct AgentContextLimits {
  std::size_t messages = 4;            // conversation messages an agent sees (most recent)
  std::size_t message_bytes = 2000;    // each cut to this
  std::size_t answer_bytes = 6000;     // each agent answer in the follow-up report, cut to this
};

// How one agent's task ended, for the follow-up.
struct AgentReport {
  enum class Outcome : std::uint8_t { Completed, Failed, Cancelled };
  protocol::TaskId task_id;
  std::string agent;
  std::string display_name;
  std::string description;
  Outcome outcome = Outcome::Completed;
  std::string answer;  // the clean text it wrote (partial when it failed or was cancelled)
  std::string error;   // why it failed
};

// The request of an agent turn: the persona (with how to report progress), the task, and the last
// few messages of the conversation, each bounded.
backend::ChatRequest agent_request(const AgentInfo& agent, const AgentAssignment& task, const History& history,
                                   const std::string& model, const AgentContextLimits& limits = {});

// The report the follow-up reads: each agent labelled by family name, id and task id, with its
// answer or its failure.
std::string follow_up_report(const std::vector<AgentReport>& reports, const AgentContextLimits& limits = {});

// Marks the report message, so a scripted model (and a reader of logs) can tell it apart.
inline constexpr std::string_view kReportHeading = "[Report from your helpers]";

}  // namespace yollayah::conductor
