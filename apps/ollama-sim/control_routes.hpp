// ollama-sim's back door for tests: GET/POST /sim/control reads or changes the run-time knobs
// between requests (one long-lived sim can fail, recover, stall…), GET /sim/stats counts what
// reached it. Exempt from --hang, --http-error and --require-api-key.
//
// POST /sim/control takes a JSON object with any of these keys and answers every setting:
//   "http_error" (0 or 100..599), "retry_after", "ttft_ms", "load_ms", "stall_close_ms",
//   "accept_delay_ms" (unsigned), "fail_after", "stall_after", "reset_after", "sse_error_after"
//   (tokens; 0 or null clears), "tokens_per_sec" (number >= 0), "hang", "sse_noise" (bool),
//   "unload" (true: forget every loaded model, so the next chat loads cold again).
// An unknown key or a wrong type changes nothing and answers 400.
#pragma once

#include "http_reply.hpp"
#include "sim_context.hpp"
#include "sim_stream.hpp"

#include <boost/asio/awaitable.hpp>

#include <string_view>

namespace yollayah::sim {

// `path` starts with "/sim/". Returns whether the connection may carry another request.
boost::asio::awaitable<bool> handle_control(SimStream& stream, SimContext& ctx, const Request& req,
                                            std::string_view path);

}  // namespace yollayah::sim
