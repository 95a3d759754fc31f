#include "control_routes.hpp"

#include <boost/json.hpp>

#include <cmath>
#include <optional>

namespace yollayah::sim {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

std::optional<std::uint64_t> as_count(const json::value& v) {
  if (v.is_int64() && v.get_int64() >= 0) return static_cast<std::uint64_t>(v.get_int64());
  if (v.is_uint64()) return v.get_uint64();
  if (v.is_double() && v.get_double() >= 0 && std::floor(v.get_double()) == v.get_double()) {
    return static_cast<std::uint64_t>(v.get_double());
  }
  return std::nullopt;
}

std::optional<double> as_number(const json::value& v) {
  if (!v.is_number()) return std::nullopt;
  return v.to_number<double>();
}

using TokenKnob = std::optional<std::size_t> SimOptions::*;
using MsKnob = unsigned SimOptions::*;
using FlagKnob = bool SimOptions::*;

struct Knobs {
  std::string_view key;
  TokenKnob tokens = nullptr;
  MsKnob unsigned_value = nullptr;
  FlagKnob flag = nullptr;
};

constexpr Knobs kKnobs[] = {
    {"fail_after", &SimOptions::fail_after},
    {"stall_after", &SimOptions::stall_after},
    {"reset_after", &SimOptions::reset_after},
    {"sse_error_after", &SimOptions::sse_error_after},
    {"http_error", nullptr, &SimOptions::http_error},
    {"retry_after", nullptr, &SimOptions::retry_after},
    {"ttft_ms", nullptr, &SimOptions::ttft_ms},
    {"load_ms", nullptr, &SimOptions::load_ms},
    {"stall_close_ms", nullptr, &SimOptions::stall_close_ms},
    {"accept_delay_ms", nullptr, &SimOptions::accept_delay_ms},
    {"hang", nullptr, nullptr, &SimOptions::hang},
    {"sse_noise", nullptr, nullptr, &SimOptions::sse_noise},
};

// Applies one key to `o`; an error message when the key or its value is wrong.
std::string apply(SimOptions& o, std::string_view key, const json::value& v) {
  if (key == "tokens_per_sec") {
    auto rate = as_number(v);
    if (!rate || *rate < 0) return "tokens_per_sec must be a number >= 0";
    o.tokens_per_sec = *rate;
    return {};
  }
  for (const auto& k : kKnobs) {
    if (k.key != key) continue;
    if (k.flag) {
      if (!v.is_bool()) return std::string(key) + " must be true or false";
      o.*k.flag = v.get_bool();
      return {};
    }
    auto n = v.is_null() ? std::optional<std::uint64_t>(0) : as_count(v);
    if (!n) return std::string(key) + " must be a whole number >= 0";
    if (k.tokens) {
      o.*k.tokens = *n == 0 ? std::nullopt : std::optional<std::size_t>(*n);
      return {};
    }
    if (key == "http_error" && *n != 0 && (*n < 100 || *n > 599)) return "http_error must be 0 or 100..599";
    if (*n > 0xffffffffu) return std::string(key) + " is too large";
    o.*k.unsigned_value = static_cast<unsigned>(*n);
    return {};
  }
  return "unknown setting \"" + std::string(key) + "\"";
}

std::string settings_json(const SimOptions& o) {
  json::object out;
  for (const auto& k : kKnobs) {
    if (k.flag) {
      out[k.key] = o.*k.flag;
    } else if (k.tokens) {
      out[k.key] = static_cast<std::uint64_t>((o.*k.tokens).value_or(0));
    } else {
      out[k.key] = o.*k.unsigned_value;
    }
  }
  // A whole rate as an integer: Boost.JSON writes the double 0 as "0E0".
  if (o.tokens_per_sec == std::floor(o.tokens_per_sec) && o.tokens_per_sec < 1e15) {
    out["tokens_per_sec"] = static_cast<std::uint64_t>(o.tokens_per_sec);
  } else {
    out["tokens_per_sec"] = o.tokens_per_sec;
  }
  return json::serialize(out);
}

std::string stats_json(const SimStats& s) {
  return json::serialize(json::object{{"connections", s.connections},
                                      {"requests", s.requests},
                                      {"chat_requests", s.chat_requests},
                                      {"generate_requests", s.generate_requests},
                                      {"openai_requests", s.openai_requests}});
}

std::string error_json(std::string_view message) { return json::serialize(json::object{{"error", message}}); }

// Every key is checked before any applies: a bad request changes nothing. Empty: success.
std::string update(SimContext& ctx, std::string_view text) {
  boost::system::error_code ec;
  auto parsed = json::parse(text.empty() ? std::string_view("{}") : text, ec);
  if (ec || !parsed.is_object()) return "the body must be a JSON object";
  SimOptions next = ctx.options;
  bool unload = false;
  for (const auto& [key, value] : parsed.get_object()) {
    if (key == "unload") {
      if (!value.is_bool()) return "unload must be true or false";
      unload = value.get_bool();
      continue;
    }
    if (auto err = apply(next, key, value); !err.empty()) return err;
  }
  ctx.options = std::move(next);
  if (unload) ctx.loads.unload_all();
  return {};
}

}  // namespace

asio::awaitable<bool> handle_control(SimStream& stream, SimContext& ctx, const Request& req, std::string_view path) {
  const auto method = req.method();
  if (path == "/sim/control" && method == http::verb::post) {
    auto err = update(ctx, req.body());
    if (!err.empty()) co_return co_await send(stream, req, http::status::bad_request, error_json(err));
    co_return co_await send(stream, req, http::status::ok, settings_json(ctx.options));
  }
  if (path == "/sim/control" && method == http::verb::get) {
    co_return co_await send(stream, req, http::status::ok, settings_json(ctx.options));
  }
  if (path == "/sim/stats" && method == http::verb::get) {
    co_return co_await send(stream, req, http::status::ok, stats_json(ctx.stats));
  }
  co_return co_await send(stream, req, http::status::not_found, "404 page not found", "text/plain");
}

}  // namespace yollayah::sim
