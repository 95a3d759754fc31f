// Slash commands: /help, /clear, /model NAME, /models, /quit.
#include "conductor/errors.hpp"
#include "conductor/ids.hpp"
#include "conductor/session.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

namespace yollayah::conductor {

namespace msg = protocol::msg;
using protocol::NotifyLevel;

namespace {
constexpr std::string_view kHelp =
    "Commands:\n"
    "  /help          this list\n"
    "  /clear         forget the conversation\n"
    "  /model NAME    talk to another model\n"
    "  /models        list the models the server has\n"
    "  /quit          leave";
}

void Session::on_command(SurfaceId from, protocol::ev::UserCommand& c) {
  if (auto verdict = validator_.check_command(c.command, c.args, std::chrono::steady_clock::now()); verdict) {
    notify(from, NotifyLevel::Warning, "Command not run", std::move(*verdict));
    return;
  }
  const std::string& name = c.command;
  if (name == "help" || name == "h" || name == "?") {
    system_note(std::string(kHelp));
  } else if (name == "clear" || name == "cls") {
    history_.clear();
    // A snapshot with the emptied history tells every surface, of either version, to clear.
    surfaces_.broadcast(state_snapshot());
    notify(0, NotifyLevel::Success, {}, "Conversation cleared");
  } else if (name == "model") {
    if (c.args.empty()) {
      notify(from, NotifyLevel::Info, {}, "Current model: " + config_.model + ". Change it with /model NAME; list them with /models.");
    } else {
      asio::co_spawn(strand_, set_model_command(c.args.front()), asio::detached);
    }
  } else if (name == "models") {
    asio::co_spawn(strand_, list_models_command(), asio::detached);
  } else if (name == "quit" || name == "exit" || name == "q") {
    on_quit(from);
  } else {
    notify(from, NotifyLevel::Warning, {}, "Unknown command: /" + name + ". Type /help for the list.");
  }
}

void Session::system_note(std::string text) {
  HistoryMessage note;
  note.id = next_message_id();
  note.role = protocol::MessageRole::System;
  note.content = std::move(text);
  note.content_type.kind = protocol::ContentType::Kind::System;
  note.timestamp_ms = unix_millis();
  const auto& stored = history_.append(std::move(note));
  surfaces_.broadcast(msg::Message{stored.id, stored.role, stored.content, stored.content_type});
}

asio::awaitable<void> Session::list_models_command() {
  auto self = shared_from_this();  // keep the session alive across the request
  auto models = co_await backend_->list_models();
  if (!models) {
    notify(0, NotifyLevel::Error, "Could not list models", describe_backend_error(models.error(), config_.model));
    co_return;
  }
  std::string text = models->empty() ? "The server has no models. Pull one with `ollama pull llama3.2:3b`."
                                     : "Models on " + backend_->endpoint() + ":";
  for (const auto& m : *models) {
    text += "\n  " + m.name;
    if (!m.parameter_size.empty()) text += " (" + m.parameter_size + ")";
    if (m.name == config_.model) text += "  ← current";
  }
  system_note(std::move(text));
}

asio::awaitable<void> Session::set_model_command(std::string name) {
  auto self = shared_from_this();
  auto models = co_await backend_->list_models();
  if (models) {
    bool found = false;
    std::string names;
    for (const auto& m : *models) {
      // Ollama resolves "llama3.2" to "llama3.2:latest".
      found = found || m.name == name || m.name == name + ":latest";
      names += (names.empty() ? "" : ", ") + m.name;
    }
    if (!found) {
      notify(0, NotifyLevel::Warning, "Unknown model",
             "The server has no model '" + name + "'. Available: " + (names.empty() ? "none" : names) +
                 ". Pull it with `ollama pull " + name + "`.");
      co_return;
    }
  }
  config_.model = name;
  surfaces_.broadcast(session_info());
  if (models) {
    notify(0, NotifyLevel::Success, {}, "Model set to: " + name);
  } else {
    notify(0, NotifyLevel::Warning, "Model set, not checked",
           "Model set to: " + name + ", but the server's model list could not be read: " +
               describe_backend_error(models.error(), name));
  }
}

}  // namespace yollayah::conductor
