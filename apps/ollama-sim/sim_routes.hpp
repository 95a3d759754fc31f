// ollama-sim's request router: one parsed HTTP request in, Ollama's response out.
#pragma once

#include "sim_context.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace yollayah::sim {

using Request = boost::beast::http::request<boost::beast::http::string_body>;

// Returns whether the connection may carry another request.
boost::asio::awaitable<bool> handle_request(boost::asio::ip::tcp::socket& socket, SimContext& ctx,
                                            const Request& req);

}  // namespace yollayah::sim
