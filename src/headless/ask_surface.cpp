#include "headless/ask_surface.hpp"

#include "protocol/json_codec.hpp"

#include <map>

namespace yollayah::headless {

namespace msg = protocol::msg;
namespace ev = protocol::ev;

int AskOutcome::exit_code() const {
  switch (kind) {
    case Kind::Answered: return 0;
    case Kind::Cancelled: return 130;
    case Kind::Rejected: return 2;
    case Kind::Failed:
    case Kind::Closed: return 1;
  }
  return 1;
}

namespace {

bool cancelled(const protocol::ResponseMetadata& meta) {
  return meta.context_hint == std::optional<std::string>("cancelled");
}

// What the surface follows: its answer, the agents that answer started, and their follow-up.
class TurnFollower {
 public:
  explicit TurnFollower(const AskOptions& options) : options_(options) {}

  // Handles one message, appending what to print to `out`; returns the outcome once the turn ended.
  std::optional<AskOutcome> on_message(const protocol::ConductorMessage& m, std::string& out);
  // The last character printed before this batch's `out` (0 before any): a heading after an
  // answer that arrived in an earlier batch still starts on a line of its own.
  void set_printed_tail(char c) { printed_tail_ = c; }

 private:
  struct Agent {
    std::string name;
    std::string answer;
  };

  bool mine(const protocol::MessageId& id) const { return id == answer_id_ || (follow_up_ && id == *follow_up_); }
  void print_agent(const protocol::TaskId& task, std::string_view status, std::string& out);
  void start_follow_up(std::string& out);
  void end_line(std::string& out) const {
    const char tail = out.empty() ? printed_tail_ : out.back();
    if (tail != 0 && tail != '\n') out.push_back('\n');
  }

  const AskOptions& options_;
  char printed_tail_ = 0;
  bool prompt_acked_ = false;
  bool echoed_ = false;
  protocol::MessageId answer_id_;  // empty until known
  std::optional<protocol::MessageId> follow_up_;
  bool follow_up_started_ = false;
  std::map<protocol::ConversationId, protocol::TaskId> conversations_;
  std::map<protocol::TaskId, Agent> agents_;
  std::size_t agents_printed_ = 0;
};

constexpr std::string_view kPromptId = "evt_ask_prompt";

std::optional<AskOutcome> TurnFollower::on_message(const protocol::ConductorMessage& m, std::string& out) {
  using Kind = AskOutcome::Kind;
  if (auto* ack = std::get_if<msg::HandshakeAck>(&m); ack && !ack->accepted)
    return AskOutcome{Kind::Rejected, ack->rejection_reason.value_or("handshake refused")};
  if (auto* a = std::get_if<msg::Ack>(&m); a && a->event_id == kPromptId) {
    prompt_acked_ = true;
    if (a->message_id) answer_id_ = *a->message_id;  // a Conductor before agents names none
    return std::nullopt;
  }
  // The session handles our events in order: after Ack(prompt) comes either the echo of the
  // message or a Notify that rejects it.
  if (auto* n = std::get_if<msg::Notify>(&m); n && prompt_acked_ && !echoed_ && n->level != protocol::NotifyLevel::Info)
    return AskOutcome{Kind::Rejected, n->message};
  if (auto* u = std::get_if<msg::Message>(&m); u && u->role == protocol::MessageRole::User && prompt_acked_) {
    echoed_ = true;
    return std::nullopt;
  }
  if (std::holds_alternative<msg::Quit>(m)) return AskOutcome{Kind::Closed, "the Conductor is shutting down"};
  if (!echoed_) return std::nullopt;

  if (auto* t = std::get_if<msg::Token>(&m)) {
    if (answer_id_.empty()) answer_id_ = t->message_id;  // no id in the Ack: the next answer is ours
    if (!mine(t->message_id)) return std::nullopt;
    if (follow_up_ && t->message_id == *follow_up_) start_follow_up(out);
    if (!options_.json) out += t->text;
  } else if (auto* end = std::get_if<msg::StreamEnd>(&m)) {
    if (answer_id_.empty()) answer_id_ = end->message_id;
    if (!mine(end->message_id)) return std::nullopt;
    if (cancelled(end->metadata)) return AskOutcome{Kind::Cancelled, "cancelled"};
    if (end->message_id == answer_id_ && end->metadata.follow_up_id && !follow_up_) {
      follow_up_ = *end->metadata.follow_up_id;  // agents are at work: wait for their follow-up
      return std::nullopt;
    }
    return AskOutcome{Kind::Answered, {}};
  } else if (auto* err = std::get_if<msg::StreamError>(&m)) {
    if (answer_id_.empty()) answer_id_ = err->message_id;
    if (mine(err->message_id)) return AskOutcome{Kind::Failed, err->error};
  } else if (auto* created = std::get_if<msg::ConversationCreated>(&m)) {
    if (created->parent_message_id && *created->parent_message_id == answer_id_ && created->task_id) {
      conversations_[created->conversation_id] = *created->task_id;
      agents_[*created->task_id].name = created->agent_name.value_or("An agent");
    }
  } else if (auto* cend = std::get_if<msg::ConversationStreamEnd>(&m)) {
    if (auto it = conversations_.find(cend->conversation_id); it != conversations_.end())
      agents_[it->second].answer = cend->final_content;
  } else if (auto* done = std::get_if<msg::TaskCompleted>(&m)) {
    if (agents_.count(done->task_id)) print_agent(done->task_id, {}, out);
  } else if (auto* failed = std::get_if<msg::TaskFailed>(&m)) {
    if (agents_.count(failed->task_id)) print_agent(failed->task_id, failed->error, out);
  }
  return std::nullopt;
}

void TurnFollower::print_agent(const protocol::TaskId& task, std::string_view status, std::string& out) {
  const Agent& agent = agents_[task];
  if (options_.json || options_.quiet_agents) return;
  end_line(out);
  out += agents_printed_++ == 0 ? "\n" : "";
  out += "## " + agent.name;
  if (!status.empty()) out += " (" + std::string(status == "Cancelled" ? "cancelled" : "failed: " + std::string(status)) + ")";
  out += "\n\n";
  out += agent.answer.empty() ? std::string("(no answer)") : agent.answer;
  if (out.back() != '\n') out.push_back('\n');
  out.push_back('\n');
}

void TurnFollower::start_follow_up(std::string& out) {
  if (follow_up_started_) return;
  follow_up_started_ = true;
  if (options_.json || options_.quiet_agents || agents_printed_ == 0) {
    if (!options_.json) {
      end_line(out);
      out += "\n";
    }
    return;
  }
  out += "## Yollayah\n\n";
}

}  // namespace

asio::awaitable<AskOutcome> run_ask(transport::ConductorLink& link, AskOptions options, OutputFn output) {
  link.send(ev::Handshake{"evt_ask_hello", protocol::kProtocolV2, {protocol::SurfaceType::Kind::Headless, {}},
                          protocol::SurfaceCapabilities::headless(), std::nullopt});
  link.send(ev::UserMessage{std::string(kPromptId), std::move(options.prompt)});

  TurnFollower follower(options);
  std::vector<protocol::EnvelopePtr> batch;
  std::string text;
  char last_char = 0;  // the last character written so far; 0 before any
  std::optional<AskOutcome> outcome;

  while (!outcome) {
    batch.clear();
    if (!co_await link.receive(batch)) {
      outcome = AskOutcome{AskOutcome::Kind::Closed, "the Conductor closed the connection"};
      break;
    }
    text.clear();
    follower.set_printed_tail(last_char);
    for (const auto& envelope : batch) {
      const auto& m = envelope->message;
      if (options.json) {
        protocol::encode_into(text, m);
        text.push_back('\n');
      }
      outcome = follower.on_message(m, text);
      if (outcome) break;
    }
    // End the answer with a newline, as a shell user expects.
    const char tail = text.empty() ? last_char : text.back();
    if (outcome && !options.json && tail != 0 && tail != '\n') text.push_back('\n');
    if (!text.empty()) {
      last_char = text.back();
      co_await output(text);
    }
  }
  link.close();
  co_return *outcome;
}

}  // namespace yollayah::headless
