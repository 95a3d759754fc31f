#include "http_reply.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/write.hpp>

namespace yollayah::sim {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

asio::awaitable<bool> send(SimStream& stream, const Request& req, http::status status, std::string body,
                           std::string_view type, unsigned retry_after) {
  http::response<http::string_body> res{status, req.version()};
  res.set(http::field::content_type, type);
  if (retry_after > 0) res.set(http::field::retry_after, std::to_string(retry_after));
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  auto [ec, n] = co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
  co_return !ec && req.keep_alive();
}

std::string_view string_field(const json::object& o, std::string_view key) {
  if (const auto* v = o.if_contains(key); v && v->is_string()) return v->get_string();
  return {};
}

unsigned retry_after_for(unsigned status, unsigned retry_after) {
  return status == 429 || status == 503 ? retry_after : 0;
}

}  // namespace yollayah::sim
