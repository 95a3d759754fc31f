// Ollama's NDJSON answer lines (/api/chat, /api/generate), built from fixed pieces so a token line
// is five appends and no allocation.
#pragma once

#include "completion.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace yollayah::sim {

// How an answer ended, for its final line or object.
struct AnswerEnd {
  std::size_t eval_count = 0;
  bool cut_short = false;  // the request's token limit ended it
  std::chrono::steady_clock::time_point first_token;
};

class OllamaLines {
 public:
  static constexpr std::string_view kContentType = "application/x-ndjson";

  OllamaLines(const CompletionRequest& req, const SimOptions& options);

  void token(std::string& out, std::string_view ts, std::string_view escaped) const {
    out.append(prefix_);
    out.append(ts);
    out.append(content_key_);
    out.append(escaped);
    out.append(close_content_);
    out.append(",\"done\":false}\n");
  }

  void done(std::string& out, std::string_view ts, const AnswerEnd& end) const;
  void malformed(std::string& out) const;
  // A mid-stream failure, as Ollama reports one inside a 200 answer.
  void error(std::string& out) const;
  // The whole answer in one object (stream false); `content` is already escaped.
  std::string whole(std::string_view ts, std::string_view content, const AnswerEnd& end) const;

 private:
  const CompletionRequest& req_;
  std::string prefix_, content_key_, close_content_;
};

}  // namespace yollayah::sim
