#include "chat_request.hpp"

#include "http_reply.hpp"

#include <boost/json/array.hpp>

#include <vector>

namespace yollayah::sim {

namespace json = boost::json;

std::string content_text(const json::value* content) {
  if (!content) return {};
  if (content->is_string()) return std::string(content->get_string());
  std::string out;
  if (content->is_array()) {
    for (const auto& part : content->get_array()) {
      if (part.is_object()) out += string_field(part.get_object(), "text");
    }
  }
  return out;
}

namespace {

const TokenSource& pick_script(const SimContext& ctx, const std::vector<std::string>& texts) {
  for (const auto& route : ctx.routes) {
    if (route.last_message_only) {
      if (!texts.empty() && texts.back().find(route.pattern) != std::string::npos) return route.tokens;
      continue;
    }
    for (const auto& t : texts) {
      if (t.find(route.pattern) != std::string::npos) return route.tokens;
    }
  }
  return ctx.tokens;
}

}  // namespace

void read_chat_input(const SimContext& ctx, const json::object& body, CompletionRequest& out) {
  std::vector<std::string> texts;
  if (out.api == CompletionRequest::Api::Generate) {
    texts.emplace_back(string_field(body, "system"));
    texts.emplace_back(string_field(body, "prompt"));
  } else if (const auto* msgs = body.if_contains("messages"); msgs && msgs->is_array()) {
    const auto& list = msgs->get_array();
    for (const auto& m : list) {
      if (m.is_object()) texts.push_back(content_text(m.get_object().if_contains("content")));
    }
    if (!list.empty() && list.back().is_object() && string_field(list.back().get_object(), "role") == "assistant") {
      out.prefill = texts.back();
    }
  }
  std::size_t chars = 0;
  for (const auto& t : texts) chars += t.size();
  out.prompt_tokens = 8 + chars / 4;
  out.script = &pick_script(ctx, texts);
}

}  // namespace yollayah::sim
