// The small pieces every ollama-sim route uses: the request type, sending one whole response, and
// reading fields of a JSON body.
#pragma once

#include "sim_stream.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace yollayah::sim {

using Request = boost::beast::http::request<boost::beast::http::string_body>;

inline constexpr std::string_view kJsonType = "application/json; charset=utf-8";

// Sends one response with `body`. `retry_after` > 0 adds a Retry-After header (seconds). Returns
// whether the connection may carry another request.
boost::asio::awaitable<bool> send(SimStream& stream, const Request& req, boost::beast::http::status status,
                                  std::string body, std::string_view type = kJsonType, unsigned retry_after = 0);

// The request path without its query.
inline std::string_view path_of(const Request& req) {
  std::string_view target = req.target();
  return target.substr(0, target.find('?'));
}

std::string_view string_field(const boost::json::object& o, std::string_view key);

// With --http-error: the Retry-After seconds to send with it (only for 429 and 503).
unsigned retry_after_for(unsigned status, unsigned retry_after);

}  // namespace yollayah::sim
