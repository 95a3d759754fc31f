// ollama-sim's OpenAI-compatible API, answered as Ollama's /v1 layer answers it:
// POST /v1/chat/completions (Server-Sent Events or one object), GET /v1/models and
// /v1/models/{name}, errors as {"error":{"message","type","param","code"}}, and --require-api-key.
#pragma once

#include "http_reply.hpp"
#include "sim_context.hpp"
#include "sim_stream.hpp"

#include <boost/asio/awaitable.hpp>

#include <string_view>

namespace yollayah::sim {

// `path` starts with "/v1/". Returns whether the connection may carry another request.
boost::asio::awaitable<bool> handle_openai(SimStream& stream, SimContext& ctx, const Request& req,
                                           std::string_view path);

}  // namespace yollayah::sim
