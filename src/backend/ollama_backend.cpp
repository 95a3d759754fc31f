#include "backend/ollama_backend.hpp"

#include "backend/ollama_chat_stream.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <charconv>

namespace yollayah::backend {

OllamaConfig OllamaConfig::from(const core::Config& config) {
  OllamaConfig c;
  c.endpoint = parse_ollama_host(config.ollama_host);
  c.connect_timeout = config.connect_timeout;
  c.idle_timeout = config.idle_timeout;
  // The first token used to wait the idle timeout: a longer configured gap keeps that patience.
  c.first_token_timeout = std::max(c.first_token_timeout, config.idle_timeout);
  return c;
}
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;
using Kind = BackendError::Kind;

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

std::string_view role_name(ChatMessage::Role role) {
  switch (role) {
    case ChatMessage::Role::System: return "system";
    case ChatMessage::Role::Assistant: return "assistant";
    case ChatMessage::Role::User: break;
  }
  return "user";
}

std::string string_at(const json::object& o, std::string_view key) {
  if (const auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->get_string());
  return {};
}

const json::object* object_at(const json::object& o, std::string_view key) {
  if (const auto* v = o.if_contains(key); v && v->is_object()) return &v->get_object();
  return nullptr;
}

Result<json::object> parse_object(const std::string& body, const std::string& url, std::string_view what) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) {
    return BackendError{Kind::Protocol, "Ollama sent " + std::string(what) + " that is not a JSON object", url, 0};
  }
  return std::move(v.get_object());
}

std::vector<ModelInfo> models_of(const json::object& tags) {
  std::vector<ModelInfo> out;
  const auto* models = tags.if_contains("models");
  if (!models || !models->is_array()) return out;
  for (const auto& m : models->get_array()) {
    if (!m.is_object()) continue;
    const auto& o = m.get_object();
    ModelInfo info;
    info.name = string_at(o, "name");
    if (info.name.empty()) info.name = string_at(o, "model");
    if (const auto* size = o.if_contains("size"); size && size->is_number()) {
      boost::system::error_code ec;
      info.size = size->to_number<std::uint64_t>(ec);
    }
    if (const auto* details = object_at(o, "details")) info.parameter_size = string_at(*details, "parameter_size");
    out.push_back(std::move(info));
  }
  return out;
}

ModelDetails details_of(std::string name, const json::object& o) {
  ModelDetails d;
  d.name = std::move(name);
  d.system = string_at(o, "system");
  d.modelfile = string_at(o, "modelfile");
  d.template_text = string_at(o, "template");
  d.parameters = string_at(o, "parameters");
  if (const auto* details = object_at(o, "details")) {
    d.family = string_at(*details, "family");
    d.parameter_size = string_at(*details, "parameter_size");
    d.quantization_level = string_at(*details, "quantization_level");
  }
  return d;
}

}  // namespace

std::string ollama_chat_body(const ChatRequest& request) {
  std::size_t size = 96 + request.model.size();
  for (const auto& m : request.messages) size += 40 + m.content.size() + m.content.size() / 8;
  std::string out;
  out.reserve(size);
  out += "{\"model\":";
  append_json_string(out, request.model);
  out += ",\"messages\":[";
  for (std::size_t i = 0; i < request.messages.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += "{\"role\":\"";
    out += role_name(request.messages[i].role);
    out += "\",\"content\":";
    append_json_string(out, request.messages[i].content);
    out.push_back('}');
  }
  out += "],\"stream\":true";
  if (request.temperature || request.num_predict) {
    out += ",\"options\":{";
    char num[32];
    if (request.temperature) {
      auto [end, ec] = std::to_chars(num, num + sizeof num, *request.temperature);
      (void)ec;
      out += "\"temperature\":";
      out.append(num, end);
    }
    if (request.num_predict) {
      if (request.temperature) out.push_back(',');
      auto [end, ec] = std::to_chars(num, num + sizeof num, *request.num_predict);
      (void)ec;
      out += "\"num_predict\":";
      out.append(num, end);
    }
    out.push_back('}');
  }
  out.push_back('}');
  return out;
}

OllamaBackend::OllamaBackend(asio::any_io_executor io, OllamaConfig config)
    : http_(std::move(io), std::move(config), "Ollama") {}

std::string OllamaBackend::endpoint() const { return http_.config().endpoint.base_url(); }

asio::awaitable<Result<ChatStats>> OllamaBackend::chat(const ChatRequest& request, ChatSink& sink) {
  const auto& cfg = http_.config();
  OllamaChatStream stream(sink, http_.url("/api/chat"), ChatDeadlines(cfg.first_token_timeout, cfg.idle_timeout));
  auto r = co_await http_.stream(http::verb::post, "/api/chat", ollama_chat_body(request), stream);
  if (stream.error()) co_return *stream.error();
  if (!r) {
    auto e = r.error();
    if (e.kind == Kind::Protocol) e.message = "the stream ended before the model finished: " + e.message;
    co_return e;
  }
  stream.finish();
  if (stream.error()) co_return *stream.error();
  if (!stream.done()) {
    co_return BackendError{Kind::Protocol,
                           "the stream from Ollama at " + endpoint() + " ended before the model finished",
                           http_.url("/api/chat"), *r};
  }
  co_return std::move(stream.stats());
}

asio::awaitable<Result<std::vector<ModelInfo>>> OllamaBackend::list_models() {
  auto body = co_await http_.fetch(http::verb::get, "/api/tags");
  if (!body) co_return body.error();
  auto tags = parse_object(*body, http_.url("/api/tags"), "a model list");
  if (!tags) co_return tags.error();
  co_return models_of(*tags);
}

asio::awaitable<Result<std::string>> OllamaBackend::version() {
  auto body = co_await http_.fetch(http::verb::get, "/api/version");
  if (!body) co_return body.error();
  auto v = parse_object(*body, http_.url("/api/version"), "a version");
  if (!v) co_return v.error();
  co_return string_at(*v, "version");
}

asio::awaitable<Result<ModelDetails>> OllamaBackend::show(std::string model) {
  std::string request = "{\"model\":";
  append_json_string(request, model);
  request.push_back('}');
  auto body = co_await http_.fetch(http::verb::post, "/api/show", std::move(request));
  if (!body) co_return body.error();
  auto o = parse_object(*body, http_.url("/api/show"), "model details");
  if (!o) co_return o.error();
  co_return details_of(std::move(model), *o);
}

}  // namespace yollayah::backend
