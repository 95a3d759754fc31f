#include "headless/ask_surface.hpp"

#include "protocol/json_codec.hpp"

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

asio::awaitable<AskOutcome> run_ask(transport::ConductorLink& link, AskOptions options, OutputFn output) {
  const std::string hello_id = "evt_ask_hello";
  const std::string prompt_id = "evt_ask_prompt";
  link.send(ev::Handshake{hello_id, protocol::kProtocolV2, {protocol::SurfaceType::Kind::Headless, {}},
                          protocol::SurfaceCapabilities::headless(), std::nullopt});
  link.send(ev::UserMessage{prompt_id, std::move(options.prompt)});

  // The session handles our events in order: after Ack(prompt) comes either the echo of the
  // message or a Notify that rejects it, nothing in between.
  bool prompt_acked = false;
  bool echoed = false;
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
    for (const auto& envelope : batch) {
      const auto& m = envelope->message;
      if (options.json) {
        protocol::encode_into(text, m);
        text.push_back('\n');
      }
      if (auto* ack = std::get_if<msg::HandshakeAck>(&m); ack && !ack->accepted) {
        outcome = AskOutcome{AskOutcome::Kind::Rejected, ack->rejection_reason.value_or("handshake refused")};
      } else if (auto* a = std::get_if<msg::Ack>(&m); a && a->event_id == prompt_id) {
        prompt_acked = true;
      } else if (auto* n = std::get_if<msg::Notify>(&m);
                 n && prompt_acked && !echoed && n->level != protocol::NotifyLevel::Info) {
        outcome = AskOutcome{AskOutcome::Kind::Rejected, n->message};
      } else if (auto* u = std::get_if<msg::Message>(&m); u && u->role == protocol::MessageRole::User) {
        echoed = true;
      } else if (auto* t = std::get_if<msg::Token>(&m); t && !options.json) {
        text += t->text;
      } else if (auto* end = std::get_if<msg::StreamEnd>(&m)) {
        const bool cancelled = end->metadata.context_hint == std::optional<std::string>("cancelled");
        outcome = cancelled ? AskOutcome{AskOutcome::Kind::Cancelled, "cancelled"} : AskOutcome{AskOutcome::Kind::Answered, {}};
      } else if (auto* err = std::get_if<msg::StreamError>(&m)) {
        outcome = AskOutcome{AskOutcome::Kind::Failed, err->error};
      } else if (std::holds_alternative<msg::Quit>(m)) {
        outcome = AskOutcome{AskOutcome::Kind::Closed, "the Conductor is shutting down"};
      }
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
