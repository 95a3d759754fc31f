#include "ollama_lines.hpp"

#include "json_text.hpp"

namespace yollayah::sim {
namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t ns_between(Clock::time_point a, Clock::time_point b) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
}

// A warm model still reports a little load time, as Ollama does.
constexpr std::uint64_t kWarmLoadNs = 1'250'000;

}  // namespace

OllamaLines::OllamaLines(const CompletionRequest& req, const SimOptions&) : req_(req) {
  prefix_ = "{\"model\":\"" + json_escaped(req.model) + "\",\"created_at\":\"";
  if (req.api == CompletionRequest::Api::Chat) {
    content_key_ = "\",\"message\":{\"role\":\"assistant\",\"content\":\"";
    close_content_ = "\"}";
  } else {
    content_key_ = "\",\"response\":\"";
    close_content_ = "\"";
  }
}

void OllamaLines::done(std::string& out, std::string_view ts, const AnswerEnd& end) const {
  auto now = Clock::now();
  out.append(prefix_);
  out.append(ts);
  out.append(content_key_);
  out.append(close_content_);
  out.append(",\"done\":true,\"done_reason\":\"");
  out.append(end.cut_short ? "length" : "stop");
  out.append("\",\"total_duration\":");
  append_number(out, ns_between(req_.received, now));
  out.append(",\"load_duration\":");
  append_number(out, req_.load.count() > 0 ? static_cast<std::uint64_t>(req_.load.count()) : kWarmLoadNs);
  out.append(",\"prompt_eval_count\":");
  append_number(out, req_.prompt_tokens);
  out.append(",\"prompt_eval_duration\":");
  append_number(out, req_.prompt_tokens * 150'000);
  out.append(",\"eval_count\":");
  append_number(out, end.eval_count);
  out.append(",\"eval_duration\":");
  append_number(out, ns_between(end.first_token, now));
  out.append("}\n");
}

void OllamaLines::malformed(std::string& out) const {
  out.append(prefix_);
  out.append(content_key_);
  out.append("this line is not json\n");  // the content string never closes
}

void OllamaLines::error(std::string& out) const { out.append("{\"error\":\"simulated failure\"}\n"); }

std::string OllamaLines::whole(std::string_view ts, std::string_view content, const AnswerEnd& end) const {
  std::string body;
  done(body, ts, end);
  // The done object with the whole answer spliced in as its content.
  const std::string_view key = req_.api == CompletionRequest::Api::Chat ? "\"content\":\"" : "\"response\":\"";
  body.insert(body.find(key) + key.size(), content);
  body.pop_back();  // the NDJSON newline
  return body;
}

}  // namespace yollayah::sim
