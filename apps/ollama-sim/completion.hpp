// Answers /api/chat and /api/generate: paces tokens from the TokenSource into Ollama's NDJSON
// lines (or one JSON object when stream is false), and plays the fault knobs (fail, stall,
// malformed lines).
#pragma once

#include "sim_context.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace yollayah::sim {

struct CompletionRequest {
  enum class Api : std::uint8_t { Chat, Generate };
  Api api = Api::Chat;
  std::string model;               // echoed back as the request spelled it
  bool stream = true;
  std::size_t limit = 0;           // tokens to produce
  bool limited_by_request = false; // num_predict cut the answer short: done_reason "length"
  std::uint64_t prompt_tokens = 0;
  bool keep_alive = true;
  std::chrono::steady_clock::time_point received;
};

// Returns whether the connection may carry another request.
boost::asio::awaitable<bool> serve_completion(boost::asio::ip::tcp::socket& socket, const SimContext& ctx,
                                              const CompletionRequest& request);

}  // namespace yollayah::sim
