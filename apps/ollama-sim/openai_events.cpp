#include "openai_events.hpp"

#include "json_text.hpp"

namespace yollayah::sim {

OpenAiEvents::OpenAiEvents(const CompletionRequest& req, const SimOptions& options)
    : req_(req), noise_(options.sse_noise) {
  head_ = "{\"id\":\"chatcmpl-";
  append_number(head_, req.id);
  head_ += "\",\"object\":\"chat.completion";
  head_ += req.stream ? ".chunk" : "";
  head_ += "\",\"created\":";
  append_number(head_, static_cast<std::uint64_t>(req.created));
  head_ += ",\"model\":\"" + json_escaped(req.model) + "\",\"system_fingerprint\":\"fp_ollama\",";
  // Ollama repeats the role in every delta; OpenAI sends it once (the --sse-noise shape).
  token_prefix_ = "data: " + head_ + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"";
}

void OpenAiEvents::event(std::string& out, std::string_view json) {
  const std::size_t n = events_++;
  if (!noise_) {
    out.append("data: ");
    out.append(json);
    out.append("\n\n");
    return;
  }
  const std::string_view eol = n % 2 == 1 ? "\r\n" : "\n";
  if (n % 5 == 0) {
    out.append(": keep-alive");
    out.append(eol);
    out.append(eol);
  }
  if (n % 4 == 1) {
    out.append("event: message");
    out.append(eol);
    out.append("id: ");
    append_number(out, n);
    out.append(eol);
  }
  if (n % 7 == 3) {
    out.append("retry: 3000");
    out.append(eol);
  }
  out.append(n % 3 == 2 ? "data:" : "data: ");
  out.append(json);
  out.append(eol);
  out.append(eol);
}

void OpenAiEvents::noisy_token(std::string& out, std::string_view escaped) {
  if (events_ == 0) event(out, head_ + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"},\"finish_reason\":null}]}");
  std::string json = head_;
  json += "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"";
  json += escaped;
  json += "\"},\"finish_reason\":null}]}";
  event(out, json);
}

std::string OpenAiEvents::usage_json(std::size_t completion_tokens) const {
  std::string u = "\"usage\":{\"prompt_tokens\":";
  append_number(u, req_.prompt_tokens);
  u += ",\"completion_tokens\":";
  append_number(u, completion_tokens);
  u += ",\"total_tokens\":";
  append_number(u, req_.prompt_tokens + completion_tokens);
  u += "}";
  return u;
}

void OpenAiEvents::done(std::string& out, std::string_view, const AnswerEnd& end) {
  const std::string_view reason = end.cut_short ? "length" : "stop";
  std::string json = head_;
  json += noise_ ? "\"choices\":[{\"index\":0,\"delta\":{}," : "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},";
  json += "\"finish_reason\":\"";
  json += reason;
  json += "\"}]}";
  event(out, json);
  if (req_.include_usage) event(out, head_ + "\"choices\":[]," + usage_json(end.eval_count) + "}");
  event(out, "[DONE]");
}

void OpenAiEvents::malformed(std::string& out) const {
  out.append(token_prefix_);
  out.append("this line is not json\n\n");  // the content string never closes
}

void OpenAiEvents::error(std::string& out) {
  event(out, R"({"error":{"message":"simulated failure","type":"server_error"}})");
}

std::string OpenAiEvents::whole(std::string_view, std::string_view content, const AnswerEnd& end) const {
  std::string body = head_;
  body += "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"";
  body += content;
  body += "\"},\"finish_reason\":\"";
  body += end.cut_short ? "length" : "stop";
  body += "\"}],";
  body += usage_json(end.eval_count);
  body += "}";
  return body;
}

}  // namespace yollayah::sim
