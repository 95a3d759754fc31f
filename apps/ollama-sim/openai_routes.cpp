#include "openai_routes.hpp"

#include "chat_request.hpp"
#include "completion.hpp"

#include <boost/json.hpp>

#include <strings.h>

namespace yollayah::sim {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

// JSON is built in plain functions: g++ 12 miscompiles braced json::object initialisers inside
// coroutines.
std::string error_json(std::string_view message, std::string_view type, std::string_view code) {
  json::object error{{"message", message}, {"type", type}, {"param", nullptr}, {"code", nullptr}};
  if (!code.empty()) error["code"] = code;
  return json::serialize(json::object{{"error", std::move(error)}});
}

// The types Ollama's /v1 layer gives each status, and OpenAI's for what Ollama never sends.
std::string_view error_type(unsigned status) {
  switch (status) {
    case 400:
    case 401:
    case 405: return "invalid_request_error";
    case 404: return "not_found_error";
    case 429: return "rate_limit_error";
    default: return "api_error";
  }
}

asio::awaitable<bool> send_error(SimStream& stream, const Request& req, unsigned status, std::string_view message,
                                 std::string_view code = {}, unsigned retry_after = 0) {
  co_return co_await send(stream, req, static_cast<http::status>(status),
                          error_json(message, error_type(status), code), kJsonType, retry_after);
}

bool authorised(const SimOptions& o, const Request& req) {
  if (o.require_api_key.empty()) return true;
  auto it = req.find(http::field::authorization);
  if (it == req.end()) return false;
  std::string_view value = it->value();
  constexpr std::string_view kScheme = "Bearer ";
  return value.size() == kScheme.size() + o.require_api_key.size() &&
         strncasecmp(value.data(), kScheme.data(), kScheme.size()) == 0 &&
         value.substr(kScheme.size()) == o.require_api_key;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "library" for official models, the namespace for "user/model".
std::string owner_of(const std::string& name) {
  auto slash = name.find('/');
  return slash == std::string::npos ? "library" : name.substr(0, slash);
}

json::object model_object(const SimModel& m) {
  return {{"id", m.name}, {"object", "model"}, {"created", m.created}, {"owned_by", owner_of(m.name)}};
}

std::string models_json(const SimContext& ctx) {
  json::array data;
  for (const auto& m : ctx.models.list()) data.push_back(model_object(m));
  return json::serialize(json::object{{"object", "list"}, {"data", std::move(data)}});
}

std::string model_json(const SimModel& m) { return json::serialize(model_object(m)); }

std::string not_found(std::string_view model) {
  return "model \"" + std::string(model) + "\" not found, try pulling it first";
}

bool bool_field(const json::object& o, std::string_view key, bool fallback) {
  if (const auto* v = o.if_contains(key); v && v->is_bool()) return v->get_bool();
  return fallback;
}

std::optional<std::size_t> max_tokens_of(const json::object& body) {
  for (std::string_view key : {"max_completion_tokens", "max_tokens"}) {
    if (const auto* v = body.if_contains(key); v && v->is_int64() && v->get_int64() >= 0) {
      return static_cast<std::size_t>(v->get_int64());
    }
  }
  return std::nullopt;
}

bool include_usage_of(const json::object& body) {
  const auto* opts = body.if_contains("stream_options");
  return opts && opts->is_object() && bool_field(opts->get_object(), "include_usage", false);
}

bool has_messages(const json::object& body) {
  const auto* msgs = body.if_contains("messages");
  return msgs && msgs->is_array() && !msgs->get_array().empty();
}

asio::awaitable<bool> chat(SimStream& stream, SimContext& ctx, const Request& req) {
  boost::system::error_code ec;
  auto parsed = json::parse(std::string_view(req.body()), ec);
  if (ec || !parsed.is_object()) co_return co_await send_error(stream, req, 400, "invalid JSON in the request body");
  const auto& body = parsed.get_object();
  auto model = string_field(body, "model");
  if (model.empty()) co_return co_await send_error(stream, req, 400, "model is required");
  if (!has_messages(body)) co_return co_await send_error(stream, req, 400, "[] is too short - 'messages'");
  if (!ctx.models.accepts(model)) co_return co_await send_error(stream, req, 404, not_found(model), "model_not_found");

  CompletionRequest c;
  c.api = CompletionRequest::Api::OpenAi;
  c.model = std::string(model);
  c.stream = bool_field(body, "stream", false);
  c.include_usage = c.stream && include_usage_of(body);
  c.cap = max_tokens_of(body);
  c.keep_alive = req.keep_alive();
  c.id = ctx.next_completion_id++;
  c.created = unix_now();
  c.received = std::chrono::steady_clock::now();
  read_chat_input(ctx, body, c);
  co_return co_await serve_completion(stream, ctx, std::move(c));
}

asio::awaitable<bool> model(SimStream& stream, const SimContext& ctx, const Request& req, std::string_view name) {
  auto m = ctx.models.find(name);
  if (!m) co_return co_await send_error(stream, req, 404, "model \"" + std::string(name) + "\" not found", "model_not_found");
  co_return co_await send(stream, req, http::status::ok, model_json(*m));
}

}  // namespace

asio::awaitable<bool> handle_openai(SimStream& stream, SimContext& ctx, const Request& req, std::string_view path) {
  const auto& o = ctx.options;
  if (!authorised(o, req)) {
    co_return co_await send_error(stream, req, 401, "Incorrect API key provided", "invalid_api_key");
  }
  if (o.http_error != 0) {
    co_return co_await send_error(stream, req, o.http_error, "simulated error " + std::to_string(o.http_error), {},
                                  retry_after_for(o.http_error, o.retry_after));
  }
  const auto method = req.method();
  constexpr std::string_view kModelPrefix = "/v1/models/";
  if (path == "/v1/chat/completions") {
    if (method == http::verb::post) co_return co_await chat(stream, ctx, req);
  } else if (path == "/v1/models") {
    if (method == http::verb::get) co_return co_await send(stream, req, http::status::ok, models_json(ctx));
  } else if (path.starts_with(kModelPrefix) && path.size() > kModelPrefix.size()) {
    if (method == http::verb::get) co_return co_await model(stream, ctx, req, path.substr(kModelPrefix.size()));
  } else {
    co_return co_await send(stream, req, http::status::not_found, "404 page not found", "text/plain");
  }
  co_return co_await send_error(stream, req, 405, "method not allowed");
}

}  // namespace yollayah::sim
