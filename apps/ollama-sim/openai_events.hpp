// OpenAI's chat.completion.chunk events as Ollama's /v1 layer sends them (Server-Sent Events), and
// the same with --sse-noise: the comments, fields, missing spaces and CRLFs of real servers.
#pragma once

#include "completion.hpp"
#include "ollama_lines.hpp"

#include <string>
#include <string_view>

namespace yollayah::sim {

class OpenAiEvents {
 public:
  static constexpr std::string_view kContentType = "text/event-stream";

  OpenAiEvents(const CompletionRequest& req, const SimOptions& options);

  void token(std::string& out, std::string_view /*ts*/, std::string_view escaped) {
    if (noise_) return noisy_token(out, escaped);
    out.append(token_prefix_);
    out.append(escaped);
    out.append(kTokenEnd);
  }

  // The finish_reason chunk, the usage chunk when asked for, and "data: [DONE]".
  void done(std::string& out, std::string_view ts, const AnswerEnd& end);
  void malformed(std::string& out) const;
  // An error object inside the 200 stream (what LiteLLM users see from some servers).
  void error(std::string& out);
  // One chat.completion object (stream false); `content` is already escaped.
  std::string whole(std::string_view ts, std::string_view content, const AnswerEnd& end) const;

 private:
  static constexpr std::string_view kTokenEnd = "\"},\"finish_reason\":null}]}\n\n";

  void noisy_token(std::string& out, std::string_view escaped);
  // One event carrying `json`: plain, or varied by its number under --sse-noise.
  void event(std::string& out, std::string_view json);
  std::string usage_json(std::size_t completion_tokens) const;

  const CompletionRequest& req_;
  bool noise_;
  std::string head_;          // {"id":…,"system_fingerprint":"fp_ollama",
  std::string token_prefix_;  // data: {…"delta":{"role":"assistant","content":"
  std::size_t events_ = 0;
};

}  // namespace yollayah::sim
