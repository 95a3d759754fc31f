#include "gateway/request_decode.hpp"

#include <boost/json.hpp>

#include <cmath>
#include <limits>
#include <optional>
#include <vector>

namespace yollayah::gateway {
namespace {

namespace json = boost::json;
using backend::ChatMessage;
using backend::ChatRequest;

RequestError refuse(std::string message) { return RequestError{std::move(message)}; }

// Parses the body as a JSON object, or says why not.
Decoded<json::object> parse_object(std::string_view body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec) return refuse("invalid JSON in the request body: " + ec.message());
  if (!v.is_object()) return refuse("the request body must be a JSON object");
  return std::move(v.get_object());
}

std::string string_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// A text field: absent or null is empty, a string is itself, anything else is refused, as both
// servers refuse it ("prompt": 5 is not a prompt to ignore).
Decoded<std::string> text_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  // In place: RequestError can be made from a string too.
  if (!v || v->is_null()) return Decoded<std::string>(boost::system::in_place_value);
  if (!v->is_string()) return refuse(std::string(key) + " must be a string");
  return Decoded<std::string>(boost::system::in_place_value, v->get_string());
}

// A token limit as the backends take it (an int): integers past its range saturate, so that a
// huge limit stays a huge limit instead of wrapping to 0 or a negative. Absent or null: none.
// Ollama truncates a fraction (12.5 is 12); OpenAI refuses it, as it refuses any non-integer.
enum class Fraction : std::uint8_t { Truncated, Refused };
Decoded<std::optional<int>> token_limit_of(const json::value* v, std::string_view key, Fraction fraction) {
  if (!v || v->is_null()) return std::optional<int>();
  constexpr auto kMax = std::numeric_limits<int>::max();
  constexpr auto kMin = std::numeric_limits<int>::min();
  if (v->is_uint64()) return std::optional<int>(kMax);  // past int64's range: Boost.JSON keeps it unsigned
  if (v->is_double() && fraction == Fraction::Truncated && std::isfinite(v->get_double())) {
    const double d = std::trunc(v->get_double());
    return std::optional<int>(d >= kMax ? kMax : d <= kMin ? kMin : static_cast<int>(d));
  }
  if (!v->is_int64()) return refuse(std::string(key) + " must be an integer");
  const std::int64_t n = v->get_int64();
  return std::optional<int>(n > kMax ? kMax : n < kMin ? kMin : static_cast<int>(n));
}

// JSON reads 1e400 as infinity: a temperature the backends could not be sent (their JSON has no
// infinity), so it is refused as the servers themselves would. Not a number: refused too.
std::optional<RequestError> read_temperature(const json::value* t, ChatRequest& req) {
  if (!t || t->is_null()) return std::nullopt;
  if (!t->is_number()) return refuse("temperature must be a number");
  const double v = t->to_number<double>();
  if (!std::isfinite(v)) return refuse("temperature must be a finite number");
  req.temperature = v;
  return std::nullopt;
}

// The options Ollama's routes share: temperature and num_predict.
std::optional<RequestError> read_ollama_options(const json::object& body, ChatRequest& req) {
  const auto* opts = body.if_contains("options");
  if (!opts || opts->is_null()) return std::nullopt;
  if (!opts->is_object()) return refuse("options must be an object");
  const auto& o = opts->get_object();
  const auto limit = token_limit_of(o.if_contains("num_predict"), "num_predict", Fraction::Truncated);
  if (!limit) return limit.error();
  if (*limit) req.num_predict = **limit;
  return read_temperature(o.if_contains("temperature"), req);
}

// `stream` as both APIs read it: true or false, absent or null for the API's default. Anything
// else is refused, as both do: "no" read as the default would stream to a client that said no.
Decoded<bool> stream_of(const json::object& o, bool by_default) {
  const auto* v = o.if_contains("stream");
  if (!v || v->is_null()) return by_default;
  if (!v->is_bool()) return refuse("stream must be true or false");
  return v->get_bool();
}

std::optional<ChatMessage::Role> ollama_role_of(std::string_view r) {
  if (r == "system") return ChatMessage::Role::System;
  if (r == "user") return ChatMessage::Role::User;
  if (r == "assistant") return ChatMessage::Role::Assistant;
  if (r == "tool") return ChatMessage::Role::User;
  return std::nullopt;
}

std::optional<ChatMessage::Role> openai_role_of(std::string_view r) {
  if (r == "system" || r == "developer") return ChatMessage::Role::System;
  if (r == "user" || r == "tool" || r == "function") return ChatMessage::Role::User;
  if (r == "assistant") return ChatMessage::Role::Assistant;
  return std::nullopt;
}

// OpenAI's content is a string, or a list of parts of which the text ones count.
std::optional<std::string> openai_content_of(const json::value* v) {
  if (!v || v->is_null()) return std::string();
  if (v->is_string()) return std::string(v->get_string());
  if (!v->is_array()) return std::nullopt;
  std::string out;
  for (const auto& part : v->get_array()) {
    if (!part.is_object()) return std::nullopt;
    const auto& p = part.get_object();
    if (const auto* t = p.if_contains("text"); t && t->is_string()) out += std::string_view(t->get_string());
  }
  return out;
}

// Ollama's two chat routes, which differ only in where the messages come from: checked in the
// order the API always checked them (model, messages, options).
template <class ReadMessages>
Decoded<ChatCall> decode_ollama(std::string_view text, ReadMessages read_messages) {
  auto body = parse_object(text);
  if (!body) return body.error();
  ChatCall call;
  call.request.model = string_of(*body, "model");
  if (call.request.model.empty()) return refuse("model is required");
  if (auto err = read_messages(*body, call.request.messages)) return *err;
  if (auto err = read_ollama_options(*body, call.request)) return *err;
  const auto stream = stream_of(*body, true);  // Ollama streams unless told not to
  if (!stream) return stream.error();
  call.stream = *stream;
  return call;
}

}  // namespace

Decoded<ChatCall> decode_ollama_chat(std::string_view text) {
  return decode_ollama(text, [](const json::object& body, std::vector<ChatMessage>& out) -> std::optional<RequestError> {
    const auto* messages = body.if_contains("messages");
    if (!messages) return std::nullopt;
    if (!messages->is_array()) return refuse("messages must be a list");
    for (const auto& m : messages->get_array()) {
      if (!m.is_object()) return refuse("each message must be an object");
      const auto role = ollama_role_of(string_of(m.get_object(), "role"));
      if (!role) return refuse("a message has an unknown role (system, user, assistant)");
      auto content = text_of(m.get_object(), "content");
      if (!content) return content.error();
      out.push_back({*role, std::move(*content)});
    }
    return std::nullopt;
  });
}

Decoded<ChatCall> decode_ollama_generate(std::string_view text) {
  return decode_ollama(text, [](const json::object& body, std::vector<ChatMessage>& out) -> std::optional<RequestError> {
    auto system = text_of(body, "system");
    if (!system) return system.error();
    auto prompt = text_of(body, "prompt");
    if (!prompt) return prompt.error();
    if (!system->empty()) out.push_back({ChatMessage::Role::System, std::move(*system)});
    if (!prompt->empty()) out.push_back({ChatMessage::Role::User, std::move(*prompt)});
    return std::nullopt;
  });
}

Decoded<std::string> decode_ollama_show(std::string_view text) {
  auto body = parse_object(text);
  if (!body) return body.error();
  std::string model = string_of(*body, "model");
  if (model.empty()) model = string_of(*body, "name");
  if (model.empty()) return refuse("model is required");
  // In place: RequestError can be made from a string too.
  return Decoded<std::string>(boost::system::in_place_value, std::move(model));
}

Decoded<ChatCall> decode_openai_chat(std::string_view text) {
  auto parsed = parse_object(text);
  if (!parsed) return parsed.error();
  const json::object& body = *parsed;
  ChatCall call;
  ChatRequest& req = call.request;
  if (const auto* m = body.if_contains("model"); m && m->is_string()) req.model = m->get_string();
  if (req.model.empty()) return refuse("you must provide a model parameter");
  const auto* messages = body.if_contains("messages");
  if (!messages || !messages->is_array() || messages->get_array().empty())
    return refuse("messages must be a non-empty list");
  for (const auto& m : messages->get_array()) {
    if (!m.is_object()) return refuse("each message must be an object");
    const auto& o = m.get_object();
    const auto* r = o.if_contains("role");
    const auto role = r && r->is_string() ? openai_role_of(r->get_string()) : std::nullopt;
    if (!role) return refuse("a message has an unknown role");
    auto content = openai_content_of(o.if_contains("content"));
    if (!content) return refuse("a message's content must be a string or a list of parts");
    req.messages.push_back({*role, std::move(*content)});
  }
  if (auto err = read_temperature(body.if_contains("temperature"), req)) return *err;
  for (const char* key : {"max_tokens", "max_completion_tokens"}) {
    const auto limit = token_limit_of(body.if_contains(key), key, Fraction::Refused);
    if (!limit) return limit.error();
    if (*limit) req.num_predict = **limit;
  }
  // One answer per request: n > 1 refused rather than silently answered once.
  if (const auto* n = body.if_contains("n"); n && !n->is_null() && !(n->is_int64() && n->get_int64() == 1))
    return refuse("n must be 1: this gateway makes one choice per request");
  const auto stream = stream_of(body, false);
  if (!stream) return stream.error();
  call.stream = *stream;
  if (const auto* so = body.if_contains("stream_options"); so && so->is_object())
    if (const auto* u = so->get_object().if_contains("include_usage"); u && u->is_bool()) call.include_usage = u->get_bool();
  return call;
}

}  // namespace yollayah::gateway
