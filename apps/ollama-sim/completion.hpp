// Answers the chat APIs: /api/chat and /api/generate (Ollama's NDJSON lines, or one JSON object
// when stream is false) and /v1/chat/completions (OpenAI's Server-Sent Events, or one
// chat.completion object). Paces tokens from the request's script, waits out a cold model load,
// and plays the fault knobs (fail, stall, reset, error event, malformed lines).
#pragma once

#include "sim_context.hpp"
#include "sim_stream.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace yollayah::sim {

struct CompletionRequest {
  enum class Api : std::uint8_t { Chat, Generate, OpenAi };
  Api api = Api::Chat;
  std::string model;                  // echoed back as the request spelled it
  bool stream = true;
  bool include_usage = false;         // OpenAI: stream_options.include_usage
  const TokenSource* script = nullptr;
  std::string prefill;                // content of a final assistant message: continue it
  std::optional<std::size_t> cap;     // num_predict / max_tokens
  std::uint64_t prompt_tokens = 0;
  bool keep_alive = true;
  std::uint64_t id = 0;               // OpenAI: "chatcmpl-<id>"
  std::int64_t created = 0;           // OpenAI: Unix seconds
  std::chrono::steady_clock::time_point received;
  // Filled by serve_completion: how long the model's cold load kept this request waiting.
  std::chrono::nanoseconds load{0};
};

// Returns whether the connection may carry another request.
boost::asio::awaitable<bool> serve_completion(SimStream& stream, SimContext& ctx, CompletionRequest request);

}  // namespace yollayah::sim
