// Turns the body of an Ollama /api/chat (or /api/generate) answer into ChatSink calls: bytes are
// split into NDJSON lines, each line parsed by the SAX parser, and its content handed on at once.
// Used by OllamaBackend; fed directly by tests with any chunking.
#pragma once

#include "backend/backend.hpp"
#include "backend/chat_deadlines.hpp"
#include "backend/http_client.hpp"
#include "backend/line_splitter.hpp"
#include "backend/ollama_line_parser.hpp"

#include <optional>
#include <string>

namespace yollayah::backend {

class OllamaChatStream final : public BodySink {
 public:
  OllamaChatStream(ChatSink& sink, std::string url,
                   ChatDeadlines deadlines = {std::chrono::seconds(60), std::chrono::seconds(30)})
      : sink_(sink), url_(std::move(url)), deadlines_(std::move(deadlines)) {}

  // One network read's worth of body. False once an {"error":…} line arrived (stop reading).
  bool on_body(std::string_view bytes) override;
  bool backlogged() const override { return sink_.backlogged(); }
  asio::awaitable<void> drained() override { return sink_.drained(); }
  void on_sent() override { deadlines_.on_sent(); }
  std::chrono::milliseconds read_timeout(std::chrono::milliseconds) const override {
    return deadlines_.read_timeout();
  }
  std::string timeout_text(std::chrono::milliseconds waited) const override {
    return deadlines_.timeout_text(waited);
  }

  // The body ended: parses an unterminated last line and totals the skipped lines.
  void finish();

  bool done() const { return done_; }                               // a "done":true line arrived
  const std::optional<BackendError>& error() const { return error_; }  // Kind::Server
  ChatStats& stats() { return stats_; }
  ChatDeadlines& deadlines() { return deadlines_; }
  // Masked in what this stream logs: a server may echo the API key back.
  void set_secret(std::string secret) { secret_ = std::move(secret); }

 private:
  bool on_line(std::string_view line);

  ChatSink& sink_;
  std::string url_;
  ChatDeadlines deadlines_;
  std::string secret_;
  LineSplitter lines_;
  OllamaLineParser parser_;
  ChatStats stats_;
  bool done_ = false;
  std::optional<BackendError> error_;
};

}  // namespace yollayah::backend
