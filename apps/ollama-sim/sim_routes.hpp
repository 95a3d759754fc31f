// ollama-sim's request router: one parsed HTTP request in, the answer out. Ollama's own API
// (/api/*) is here; /v1/* is in openai_routes.hpp, /sim/* in control_routes.hpp.
#pragma once

#include "http_reply.hpp"
#include "sim_context.hpp"
#include "sim_stream.hpp"

#include <boost/asio/awaitable.hpp>

namespace yollayah::sim {

// Returns whether the connection may carry another request.
boost::asio::awaitable<bool> handle_request(SimStream& stream, SimContext& ctx, const Request& req);

}  // namespace yollayah::sim
