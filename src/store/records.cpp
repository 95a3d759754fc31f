#include "store/records.hpp"

#include <stdexcept>

namespace yollayah::store {

AnswerMeta from_metadata(const protocol::ResponseMetadata& meta, bool interrupted) {
  AnswerMeta out;
  out.model = meta.model_id.value_or("");
  out.backend = meta.backend.value_or("");
  if (meta.first_token_ms) out.first_token_ms = *meta.first_token_ms;
  if (meta.load_ms) out.load_ms = *meta.load_ms;
  out.elapsed_ms = meta.elapsed_ms;
  out.token_count = meta.token_count;
  if (meta.tokens_per_second) out.tokens_per_s = static_cast<double>(*meta.tokens_per_second);
  out.cancelled = meta.context_hint == std::optional<std::string>("cancelled");
  out.interrupted = interrupted || out.cancelled;
  return out;
}

protocol::ResponseMetadata to_metadata(const AnswerMeta& meta) {
  protocol::ResponseMetadata out;
  if (!meta.model.empty()) out.model_id = meta.model;
  if (!meta.backend.empty()) out.backend = meta.backend;
  if (meta.first_token_ms) out.first_token_ms = *meta.first_token_ms;
  if (meta.load_ms) out.load_ms = *meta.load_ms;
  out.elapsed_ms = meta.elapsed_ms;
  out.token_count = meta.token_count;
  if (meta.tokens_per_s) out.tokens_per_second = static_cast<float>(*meta.tokens_per_s);
  if (meta.cancelled) out.context_hint = "cancelled";
  return out;
}

void throw_exception_from_error(const StoreError& e, const boost::source_location&) {
  throw std::runtime_error(e.message);
}

std::string_view role_name(Role role) {
  switch (role) {
    case Role::User: return "user";
    case Role::Assistant: return "assistant";
    case Role::System: return "system";
  }
  return "user";
}

std::optional<Role> role_from_name(std::string_view name) {
  if (name == "user") return Role::User;
  if (name == "assistant") return Role::Assistant;
  if (name == "system") return Role::System;
  return std::nullopt;
}

std::string content_type_name(const ContentType& type) {
  using K = ContentType::Kind;
  switch (type.kind) {
    case K::Plain: return "plain";
    case K::Markdown: return "markdown";
    case K::Code: return type.language.empty() ? "code" : "code:" + type.language;
    case K::Error: return "error";
    case K::System: return "system";
    case K::Quote: return "quote";
  }
  return "plain";
}

ContentType content_type_from_name(std::string_view name) {
  using K = ContentType::Kind;
  ContentType out;
  if (name == "markdown") out.kind = K::Markdown;
  else if (name == "error") out.kind = K::Error;
  else if (name == "system") out.kind = K::System;
  else if (name == "quote") out.kind = K::Quote;
  else if (name == "code" || name.starts_with("code:")) {
    out.kind = K::Code;
    if (name.size() > 5) out.language = std::string(name.substr(5));
  }
  return out;
}

}  // namespace yollayah::store
