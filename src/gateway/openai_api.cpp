// OpenAI-compatible routes: /v1/chat/completions (SSE stream ending in [DONE], with the usage chunk
// when asked, or one body) and /v1/models. Errors are OpenAI's error object with its statuses.
#include "gateway/api.hpp"
#include "gateway/recorder.hpp"
#include "gateway/request_decode.hpp"

#include "protocol/json_writer.hpp"

#include <boost/json.hpp>

#include <atomic>
#include <chrono>

namespace yollayah::gateway {
namespace {

namespace json = boost::json;
using backend::BackendError;
using backend::ChatRequest;
using backend::ChatStats;
using protocol::json::write_string;

asio::awaitable<void> fail(Exchange& ex, http::status status, std::string_view message, std::string_view code = {}) {
  co_await ex.send(status, "application/json", openai_error_body(message, openai_error_type(status), code));
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string completion_id() {
  static std::atomic<std::uint64_t> next{1};
  return "chatcmpl-yollayah-" + std::to_string(unix_now()) + "-" + std::to_string(next.fetch_add(1));
}

std::string_view finish_reason(const ChatStats& s) { return s.done_reason == "length" ? "length" : "stop"; }

void append_usage(std::string& out, const ChatStats& s) {
  out += "\"usage\":{\"prompt_tokens\":" + std::to_string(s.prompt_eval_count) +
         ",\"completion_tokens\":" + std::to_string(s.eval_count) +
         ",\"total_tokens\":" + std::to_string(s.prompt_eval_count + s.eval_count) + "}";
}

class OpenAiFormat final : public AnswerFormat {
 public:
  OpenAiFormat(const std::string& model, bool include_usage) : include_usage_(include_usage) {
    head_ = "{\"id\":\"" + completion_id() + "\",\"object\":\"chat.completion.chunk\",\"created\":" +
            std::to_string(unix_now()) + ",\"model\":";
    write_string(head_, model);
    head_ += ",\"system_fingerprint\":null,\"choices\":[{\"index\":0,\"delta\":{";
    whole_head_ = head_;
    first_piece_head_ = "data: " + head_ + "\"role\":\"assistant\",\"content\":";
    piece_head_ = "data: " + head_ + "\"content\":";
  }
  std::string_view content_type(bool stream) const override {
    return stream ? "text/event-stream" : "application/json";
  }
  // The token path: the event up to the text is made once, so a piece is three appends and the
  // escaped text.
  void piece(std::string& out, std::string_view text) override {
    out += first_ ? first_piece_head_ : piece_head_;
    first_ = false;
    write_string(out, text);
    out += std::string_view("},\"logprobs\":null,\"finish_reason\":null}]}\n\n");
  }
  void done(std::string& out, const ChatStats& s) override {
    out += "data: ";
    out += head_;
    out += "},\"logprobs\":null,\"finish_reason\":\"";
    out += finish_reason(s);
    out += "\"}]}\n\n";
    if (include_usage_) {
      out += "data: ";
      out += head_.substr(0, head_.find("\"choices\":"));
      out += "\"choices\":[],";
      append_usage(out, s);
      out += "}\n\n";
    }
    out += "data: [DONE]\n\n";
  }
  void error_in_stream(std::string& out, const BackendError& e) override {
    out += "data: ";
    out += openai_error_body(e.message, openai_error_type(status_of(e)));
    out += "\n\n";
  }
  std::string whole(std::string_view text, const ChatStats& s) override {
    std::string out = "{\"id\":\"" + completion_id() + "\",\"object\":\"chat.completion\",\"created\":" +
                      std::to_string(unix_now()) + ",\"model\":";
    write_string(out, s.model);
    out += ",\"system_fingerprint\":null,\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":";
    write_string(out, text);
    out += ",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"";
    out += finish_reason(s);
    out += "\"}],";
    append_usage(out, s);
    out += "}";
    return out;
  }
  std::pair<http::status, std::string> error(const BackendError& e) override {
    const auto status = status_of(e);
    return {status, openai_error_body(e.message, openai_error_type(status),
                                      status == http::status::not_found ? "model_not_found" : "")};
  }

 private:
  bool include_usage_;
  bool first_ = true;
  std::string head_, whole_head_;
  std::string first_piece_head_, piece_head_;  // "data: ", head_ and the text's key (the first with the role)
};

asio::awaitable<void> completions(Exchange& ex, ApiContext& api) {
  auto call = decode_openai_chat(ex.request().body());
  if (!call) co_return co_await fail(ex, http::status::bad_request, call.error().message);
  ChatRequest& req = call->request;
  OpenAiFormat format(req.model, call->include_usage);
  const std::string model = req.model;
  const auto recording = begin_recording(api.recorder, "api:openai", req, ex);
  api.active.add(model);
  co_await relay_answer(ex, api.router, std::move(req), format, call->stream, api.limits, api.metrics,
                        recording.get());
  api.active.remove(model);
}

std::string models_json(const std::vector<backend::ModelInfo>& models) {
  json::array data;
  for (const auto& m : models)
    data.push_back(json::object{{"id", m.name}, {"object", "model"}, {"created", 0}, {"owned_by", "yollayah"}});
  return json::serialize(json::object{{"object", "list"}, {"data", std::move(data)}});
}

asio::awaitable<void> models(Exchange& ex, ApiContext& api) {
  auto list = co_await api.router.list_models();
  if (!list) co_return co_await fail(ex, status_of(list.error()), list.error().message);
  co_await ex.send(http::status::ok, "application/json", models_json(*list));
}

}  // namespace

std::string_view openai_error_type(http::status status) {
  switch (status) {
    case http::status::bad_request:
    case http::status::not_found:
    case http::status::method_not_allowed:
    case http::status::payload_too_large: return "invalid_request_error";
    case http::status::unauthorized: return "authentication_error";
    case http::status::too_many_requests: return "rate_limit_error";
    default: return "server_error";
  }
}

std::string openai_error_body(std::string_view message, std::string_view type, std::string_view code) {
  std::string out = "{\"error\":{\"message\":";
  write_string(out, message);
  out += ",\"type\":";
  write_string(out, type);
  out += ",\"param\":null,\"code\":";
  if (code.empty()) out += "null";
  else write_string(out, code);
  out += "}}";
  return out;
}

asio::awaitable<void> serve_openai(Exchange& ex, ApiContext& api) {
  if (api.metrics) api.metrics->openai_requests.fetch_add(1, std::memory_order_relaxed);
  const auto target = ex.request().target();
  const std::string_view path = target.substr(0, target.find('?'));
  const auto method = ex.request().method();
  if (path == "/v1/chat/completions") {
    if (method != http::verb::post) co_return co_await fail(ex, http::status::method_not_allowed, "use POST");
    co_return co_await completions(ex, api);
  }
  if (path == "/v1/models") {
    if (method != http::verb::get) co_return co_await fail(ex, http::status::method_not_allowed, "use GET");
    co_return co_await models(ex, api);
  }
  co_await fail(ex, http::status::not_found,
                "unknown URL " + std::string(path) + " (this gateway serves /v1/chat/completions and /v1/models)",
                "unknown_url");
}

}  // namespace yollayah::gateway
