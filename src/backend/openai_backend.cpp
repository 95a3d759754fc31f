#include "backend/openai_backend.hpp"

#include "backend/json_write.hpp"
#include "backend/openai_chat_stream.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace yollayah::backend {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;
using Kind = BackendError::Kind;

constexpr const char* kChatPath = "/chat/completions";
constexpr const char* kModelsPath = "/models";

}  // namespace

OpenAiBackend::OpenAiBackend(asio::any_io_executor io, OpenAiConfig config)
    : http_(std::move(io), config, "OpenAI-compatible server"), include_usage_(config.include_usage) {}

std::string OpenAiBackend::endpoint() const { return http_.config().endpoint.base_url(); }

std::string OpenAiBackend::name() const { return http_.config().display_name(); }

std::string OpenAiBackend::missing_model_advice(std::string_view) const {
  return "Choose a model " + name() + " lists (see /models).";
}

BackendError OpenAiBackend::advise(BackendError e, std::string_view model) const {
  if (e.advice.empty()) {
    switch (e.kind) {
      case Kind::Unreachable:
        e.advice = "Check that the server at " + endpoint() +
                   " is running and that the url of its [[backend]] entry is right (for OpenAI-compatible "
                   "servers it usually ends in /v1).";
        break;
      case Kind::Http:
        if (e.http_status == 401 || e.http_status == 403) {
          e.advice = "Check the API key: api_key_env in its [[backend]] entry names the environment variable "
                     "that must hold it.";
        } else if (e.http_status == 404) {
          e.advice = model.empty() ? "Check that the url of its [[backend]] entry is the API base (often …/v1)."
                                   : missing_model_advice(model) +
                                         " If it lists the model, check that the url is the API base (often …/v1).";
        } else if (e.http_status == 429) {
          e.advice = "The server limits how fast it may be asked; try again" +
                     (e.retry_after.count() > 0 ? " in " + seconds_text(e.retry_after) : std::string(" later")) +
                     ".";
        }
        break;
      case Kind::Timeout:
        e.advice = "Check that the server is not overloaded, then try again.";
        break;
      default:
        break;
    }
  }
  return http_.redact(std::move(e));
}

asio::awaitable<Result<ChatStats>> OpenAiBackend::chat(const ChatRequest& request, ChatSink& sink) {
  const auto& cfg = http_.config();
  const auto url = http_.url(kChatPath);
  OpenAiChatStream stream(sink, url, http_.where(), ChatDeadlines(cfg.first_token_timeout, cfg.idle_timeout));
  stream.set_secret(cfg.api_key);
  auto r = co_await http_.stream(http::verb::post, kChatPath, openai_chat_body(request, include_usage_), stream);
  if (stream.error()) co_return advise(*stream.error(), request.model);
  if (!r && !(stream.saw_done() && r.error().kind != Kind::Cancelled)) {
    auto e = r.error();
    if (e.kind == Kind::Protocol) e.message = "the stream ended before the model finished: " + e.message;
    co_return advise(std::move(e), request.model);
  }
  stream.finish();  // also when the body did not end cleanly after [DONE]: the answer is whole
  if (stream.error()) co_return advise(*stream.error(), request.model);
  if (!stream.complete()) {
    co_return advise({Kind::Protocol,
                      "the stream from " + http_.where() + " ended before the model finished (no [DONE], no "
                      "finish_reason)",
                      url, r ? *r : 0u},
                     request.model);
  }
  if (stream.stats().model.empty()) stream.stats().model = request.model;
  co_return std::move(stream.stats());
}

asio::awaitable<Result<std::vector<ModelInfo>>> OpenAiBackend::list_models() {
  auto body = co_await http_.fetch(http::verb::get, kModelsPath);
  if (!body) co_return advise(body.error());
  boost::system::error_code ec;
  auto v = json::parse(*body, ec);
  const json::value* data = !ec && v.is_object() ? v.get_object().if_contains("data") : nullptr;
  if (!data || !data->is_array()) {
    co_return advise({Kind::Protocol, http_.where() + " sent a model list without a \"data\" array",
                      http_.url(kModelsPath), 0});
  }
  std::vector<ModelInfo> out;
  for (const auto& m : data->get_array()) {
    const json::value* id = m.is_object() ? m.get_object().if_contains("id") : nullptr;
    if (id && id->is_string()) out.push_back({std::string(id->get_string()), 0, {}});
  }
  co_return out;
}

asio::awaitable<Result<std::string>> OpenAiBackend::version() {
  auto body = co_await http_.fetch(http::verb::get, kModelsPath);
  if (!body) co_return advise(body.error());
  co_return std::string("openai-compatible");
}

}  // namespace yollayah::backend
