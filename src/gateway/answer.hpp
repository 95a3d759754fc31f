// One model answer relayed to an API client through the router: the API's format decides the
// bytes (NDJSON lines, SSE events, one JSON body), this decides when they go. Headers wait for the
// first token, so a request that fails before it gets a proper error status; a client that leaves
// cancels the backend request at once; the gateway's shutdown lets the answer end with a last chunk.
#pragma once

#include "backend/routing/router.hpp"
#include "gateway/exchange.hpp"
#include "gateway/metrics.hpp"

#include <string>
#include <string_view>

namespace yollayah::gateway {

class AnswerFormat {
 public:
  virtual ~AnswerFormat() = default;
  virtual std::string_view content_type(bool stream) const = 0;
  // Streaming: appends the line or event carrying `text`.
  virtual void piece(std::string& out, std::string_view text) = 0;
  // Streaming: the pieces since the last call came in one read of the backend (they may share a
  // timestamp).
  virtual void batch_end() {}
  // Streaming: the closing line(s) of a complete answer.
  virtual void done(std::string& out, const backend::ChatStats& stats) = 0;
  // Streaming, after the headers went out: the error line or event.
  virtual void error_in_stream(std::string& out, const backend::BackendError& error) = 0;
  // Not streaming: the whole body.
  virtual std::string whole(std::string_view text, const backend::ChatStats& stats) = 0;
  // Before any byte went out: the API's own error response.
  virtual std::pair<http::status, std::string> error(const backend::BackendError& error) = 0;
};

// What a recorder ([gateway] record, gateway/recorder.hpp) hears of one answer: nothing per token.
// The relay keeps the answer's text while a tap is given and tells the tap where it is at the start
// (read it on the connection's strand, until the end); at the end, once, how the answer went, before
// the response's last bytes go out.
class AnswerTap {
 public:
  virtual ~AnswerTap() = default;
  virtual void answer_started(const std::string& text_so_far) = 0;
  // `result` as the client is told it (a cut answer is complete, with done_reason "length");
  // `client_gone`: the client left before the end.
  virtual void answer_ended(std::string text, const backend::Result<backend::ChatStats>& result, bool client_gone) = 0;
};

struct AnswerLimits {
  std::size_t max_answer_bytes = 1024 * 1024;
  std::size_t max_pending_bytes = 16 * 1024 * 1024;  // formatted bytes the client has not taken yet
};

// Runs the chat and answers the exchange. Returns after the response ended (or the client left).
asio::awaitable<void> relay_answer(Exchange& ex, backend::routing::Router& router, backend::ChatRequest request,
                                   AnswerFormat& format, bool stream, AnswerLimits limits, Metrics* metrics,
                                   AnswerTap* tap = nullptr);

// The HTTP status a backend failure maps to (both APIs use the same statuses).
http::status status_of(const backend::BackendError& error);

}  // namespace yollayah::gateway
