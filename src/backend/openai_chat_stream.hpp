// Turns the body of an OpenAI-compatible /chat/completions stream (Server-Sent Events) into
// ChatSink calls: events from the SSE parser, each chunk's JSON from the SAX chunk parser, content
// handed on at once. Used by OpenAiBackend; fed directly by tests with any chunking.
#pragma once

#include "backend/backend.hpp"
#include "backend/chat_deadlines.hpp"
#include "backend/http_client.hpp"
#include "backend/openai_chunk_parser.hpp"
#include "backend/sse_parser.hpp"

#include <optional>
#include <string>

namespace yollayah::backend {

class OpenAiChatStream final : public BodySink {
 public:
  // `where` names the server in messages ("gpu-box at http://…").
  OpenAiChatStream(ChatSink& sink, std::string url, std::string where,
                   ChatDeadlines deadlines = {std::chrono::seconds(60), std::chrono::seconds(30)})
      : sink_(sink), url_(std::move(url)), where_(std::move(where)), deadlines_(std::move(deadlines)) {}

  // One network read's worth of body. False once an error object arrived (stop reading).
  bool on_body(std::string_view bytes) override;
  bool backlogged() const override { return sink_.backlogged(); }
  asio::awaitable<void> drained() override { return sink_.drained(); }
  void on_sent() override { deadlines_.on_sent(); }
  // After [DONE] only the end of the body is awaited: a server that keeps the stream open then
  // does not hold a finished answer for the whole idle timeout.
  std::chrono::milliseconds read_timeout(std::chrono::milliseconds) const override;
  std::string timeout_text(std::chrono::milliseconds waited) const override {
    return deadlines_.timeout_text(waited);
  }

  // The body ended (or reading stopped): parses a last unterminated event, totals the stats.
  void finish();

  bool saw_done() const { return saw_done_; }  // "data: [DONE]" arrived
  // The answer is whole: [DONE], or at least a finish_reason (some servers omit [DONE]).
  bool complete() const { return saw_done_ || !stats_.done_reason.empty(); }
  const std::optional<BackendError>& error() const { return error_; }  // Kind::Server
  ChatStats& stats() { return stats_; }
  ChatDeadlines& deadlines() { return deadlines_; }
  // Masked in what this stream logs: a server may echo the API key back.
  void set_secret(std::string secret) { secret_ = std::move(secret); }

 private:
  bool on_event(const SseEvent& event);

  ChatSink& sink_;
  std::string url_;
  std::string where_;
  ChatDeadlines deadlines_;
  std::string secret_;
  SseParser events_;
  OpenAiChunkParser parser_;
  ChatStats stats_;
  std::uint32_t counted_ = 0;     // content pieces, the token count when no usage chunk comes
  bool usage_ = false;
  double predicted_ms_ = -1;      // llama.cpp timings, when sent
  double prompt_ms_ = -1;
  bool saw_done_ = false;
  std::optional<BackendError> error_;
};

}  // namespace yollayah::backend
