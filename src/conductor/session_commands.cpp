// Slash commands: /help, /clear, /model NAME, /models, /backends, /quit; the history's are in
// session_history.cpp.
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
    "  /new           start a new conversation (/clear does the same)\n"
    "  /retry         ask again for the last answer (the old one stays, as a branch)\n"
    "  /branch prev|next [ID]  show another version of message ID, or of the newest one that has\n"
    "                 several (Alt+←/→: of the newest one on screen that has several)\n"
    "  /history       recent conversations (a list to choose from in the TUI)\n"
    "  /open N|ID     switch to conversation N of /history (or its id)\n"
    "  /search TEXT   find messages in every conversation (a list to jump from in the TUI)\n"
    "  /title TEXT    name this conversation\n"
    "  /export [FILE] save this conversation as Markdown\n"
    "  /delete N|ID   delete a conversation (asks first)\n"
    "  /model NAME    talk to another model\n"
    "  /models        list the models each server has\n"
    "  /backends      the model servers, their health and load\n"
    "  /quit          leave";
}

void Session::on_command(SurfaceId from, protocol::ev::UserCommand& c) {
  if (auto verdict = validator_.check_command(from, c.command, c.args, std::chrono::steady_clock::now()); verdict) {
    notify(from, NotifyLevel::Warning, "Command not run", std::move(*verdict));
    return;
  }
  const std::string& name = c.command;
  if (name == "help" || name == "h" || name == "?") {
    system_note(std::string(kHelp));
  } else if (name == "clear" || name == "cls") {
    new_conversation(from, /*cleared=*/true);
  } else if (history_command(from, c)) {
    // done
  } else if (name == "model") {
    if (c.args.empty()) {
      notify(from, NotifyLevel::Info, {}, "Current model: " + config_.model + ". Change it with /model NAME; list them with /models.");
    } else {
      asio::co_spawn(strand_, set_model_command(c.args.front()), asio::detached);
    }
  } else if (name == "models") {
    asio::co_spawn(strand_, list_models_command(), asio::detached);
  } else if (name == "backends") {
    backends_command();
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
  auto self = shared_from_this();  // keep the session alive across the requests
  auto lists = co_await router_->models_by_backend();
  const bool several = lists.size() > 1;
  std::string text;
  std::optional<backend::BackendError> error;
  std::size_t count = 0;
  for (const auto& l : lists) {
    if (!l.models) {
      if (!error) error = l.models.error();
      if (several) text += "\n  " + l.backend + ": not available (" + l.models.error().message + ")";
      continue;
    }
    if (several) text += "\n  " + l.backend + ":" + (l.models->empty() ? " no models" : "");
    for (const auto& m : *l.models) {
      ++count;
      text += several ? "\n    " : "\n  ";
      text += m.name;
      if (!m.parameter_size.empty()) text += " (" + m.parameter_size + ")";
      if (router_->same_model(m.name, config_.model)) text += "  ← current";
    }
  }
  if (count == 0 && error && !several) {
    notify(0, NotifyLevel::Error, "Could not list models", describe_backend_error(*error, config_.model));
    co_return;
  }
  if (count == 0 && !several) {
    const std::string advice = router_->missing_model_advice(config_.model);
    system_note("The server has no models." + (advice.empty() ? std::string() : " " + advice));
    co_return;
  }
  system_note((several ? std::string("Models by backend:") : "Models on " + router_->endpoint() + ":") + text);
}

asio::awaitable<void> Session::set_model_command(std::string name) {
  auto self = shared_from_this();
  auto found = co_await router_->find_model(name);
  const bool unknown = !found && (found.error().kind == backend::BackendError::Kind::Http ||
                                  found.error().kind == backend::BackendError::Kind::Unavailable);
  if (unknown) {
    notify(0, NotifyLevel::Warning, "Unknown model", describe_backend_error(found.error(), name));
    co_return;
  }
  config_.model = name;
  broadcast_session_info();
  if (found) {
    notify(0, NotifyLevel::Success, {}, "Model set to: " + name + (router_->size() > 1 ? " (on " + *found + ")" : ""));
  } else {
    notify(0, NotifyLevel::Warning, "Model set, not checked",
           "Model set to: " + name + ", but the server's model list could not be read: " +
               describe_backend_error(found.error(), name));
  }
}

void Session::backends_command() {
  std::string text = "Model servers (tried by priority, then by fewest streams):";
  for (const auto& s : router_->status()) {
    text += "\n  " + s.name + " — " + s.kind + " at " + s.url + ", priority " + std::to_string(s.priority);
    text += "\n    state: " + s.state_text();
    text += "; streams " + std::to_string(s.in_flight) + "/" + std::to_string(s.max_concurrent);
    if (s.queued > 0) text += ", " + std::to_string(s.queued) + " waiting";
    if (s.first_token_p50_ms) text += "; first token p50 " + std::to_string(*s.first_token_p50_ms) + " ms";
    text += "; " + std::to_string(s.requests) + " requests, " + std::to_string(s.failures) + " failed";
    if (!(s.models.size() == 1 && s.models[0] == "*")) {
      std::string patterns;
      for (const auto& m : s.models) patterns += (patterns.empty() ? "" : ", ") + m;
      text += "\n    models: " + patterns;
    }
    if (s.tls_insecure) text += "\n    WARNING: tls_insecure = true: its certificate is not checked";
    if (!s.last_error.empty()) text += "\n    last error: " + s.last_error;
  }
  system_note(std::move(text));
}

}  // namespace yollayah::conductor
