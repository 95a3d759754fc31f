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

const TokenSource& pick_script(const SimContext& ctx, const std::vector<DemoMessage>& messages) {
  for (const auto& route : ctx.routes) {
    if (route.last_message_only) {
      if (!messages.empty() && messages.back().text.find(route.pattern) != std::string::npos) return route.tokens;
      continue;
    }
    for (const auto& m : messages) {
      if (m.text.find(route.pattern) != std::string::npos) return route.tokens;
    }
  }
  if (ctx.demo) return ctx.demo->answer(ctx.demo->choose(messages));
  return ctx.tokens;
}

}  // namespace

void read_chat_input(const SimContext& ctx, const json::object& body, CompletionRequest& out) {
  std::vector<DemoMessage> messages;
  if (out.api == CompletionRequest::Api::Generate) {
    messages.push_back({"system", std::string(string_field(body, "system"))});
    messages.push_back({"user", std::string(string_field(body, "prompt"))});
  } else if (const auto* msgs = body.if_contains("messages"); msgs && msgs->is_array()) {
    for (const auto& m : msgs->get_array()) {
      if (!m.is_object()) continue;
      const auto& o = m.get_object();
      messages.push_back({std::string(string_field(o, "role")), content_text(o.if_contains("content"))});
    }
    if (!messages.empty() && messages.back().role == "assistant") out.prefill = messages.back().text;
  }
  std::size_t chars = 0;
  for (const auto& m : messages) chars += m.text.size();
  out.prompt_tokens = 8 + chars / 4;
  out.script = &pick_script(ctx, messages);
}

}  // namespace yollayah::sim
