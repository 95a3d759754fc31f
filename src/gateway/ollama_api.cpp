// Ollama-compatible routes: /api/chat, /api/generate (NDJSON stream or one body), /api/tags,
// /api/show, /api/version, /api/ps. Shapes follow Ollama's docs/api.md.
#include "gateway/api.hpp"
#include "gateway/recorder.hpp"
#include "gateway/request_decode.hpp"

#include "protocol/json_writer.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace yollayah::gateway {
namespace {

namespace json = boost::json;
using backend::BackendError;
using backend::ChatRequest;
using backend::ChatStats;
using protocol::json::write_string;

std::string error_json(std::string_view message) { return ollama_error_body(message); }

asio::awaitable<void> fail(Exchange& ex, http::status status, std::string_view message) {
  co_await ex.send(status, "application/json", error_json(message));
}

void append_stats(std::string& out, const ChatStats& s) {
  out += ",\"done_reason\":";
  write_string(out, s.done_reason.empty() ? "stop" : s.done_reason);
  out += ",\"total_duration\":" + std::to_string(s.total_duration_ns);
  out += ",\"load_duration\":" + std::to_string(s.load_duration_ns);
  out += ",\"prompt_eval_count\":" + std::to_string(s.prompt_eval_count);
  out += ",\"prompt_eval_duration\":" + std::to_string(s.prompt_eval_duration_ns);
  out += ",\"eval_count\":" + std::to_string(s.eval_count);
  out += ",\"eval_duration\":" + std::to_string(s.eval_duration_ns);
}

// /api/chat and /api/generate differ only in where the text goes.
class OllamaFormat final : public AnswerFormat {
 public:
  OllamaFormat(std::string model, bool chat) : chat_(chat) {
    prefix_ = "{\"model\":";
    write_string(prefix_, model);
    prefix_ += ",\"created_at\":";
  }
  std::string_view content_type(bool stream) const override {
    return stream ? "application/x-ndjson" : "application/json";
  }
  // The token path: the line up to the text is kept whole (it changes once a second), so a piece
  // is three appends and the escaped text.
  void piece(std::string& out, std::string_view text) override {
    refresh_stamp();
    out += line_head_;
    write_string(out, text);
    out += chat_ ? std::string_view("},\"done\":false}\n") : std::string_view(",\"done\":false}\n");
  }
  void done(std::string& out, const ChatStats& s) override {
    open(out);
    out += chat_ ? ",\"message\":{\"role\":\"assistant\",\"content\":\"\"}" : ",\"response\":\"\"";
    out += ",\"done\":true";
    append_stats(out, s);
    out += "}\n";
  }
  void error_in_stream(std::string& out, const BackendError& e) override {
    out += error_json(e.message);
    out += '\n';
  }
  std::string whole(std::string_view text, const ChatStats& s) override {
    std::string out;
    open(out);
    out += chat_ ? ",\"message\":{\"role\":\"assistant\",\"content\":" : ",\"response\":";
    write_string(out, text);
    if (chat_) out += '}';
    out += ",\"done\":true";
    append_stats(out, s);
    out += "}";
    return out;
  }
  std::pair<http::status, std::string> error(const BackendError& e) override {
    return {status_of(e), error_json(e.message)};
  }

  void batch_end() override { stamp_fresh_ = false; }

 private:
  // The timestamp is on the token path: read once per batch of tokens, formatted once a second.
  void refresh_stamp() {
    if (stamp_fresh_) return;
    stamp_fresh_ = true;
    const auto sec = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    if (sec == stamp_second_) return;
    stamp_second_ = sec;
    head_ = prefix_;
    head_ += '"';
    head_ += rfc3339_now();
    head_ += '"';
    line_head_ = head_;
    line_head_ += chat_ ? ",\"message\":{\"role\":\"assistant\",\"content\":" : ",\"response\":";
  }
  void open(std::string& out) {
    refresh_stamp();
    out += head_;
  }
  bool chat_;
  std::string prefix_;
  std::string head_;       // {"model":…,"created_at":"…"
  std::string line_head_;  // head_ and the key of the text
  bool stamp_fresh_ = false;
  std::chrono::system_clock::time_point stamp_second_{};
};

// Ollama answers a request with nothing to say (a model load) at once, with done: true.
std::string load_answer(const std::string& model, bool chat) {
  ChatStats stats;
  stats.model = model;
  stats.done_reason = "load";
  return OllamaFormat(model, chat).whole("", stats);
}

asio::awaitable<void> answer(Exchange& ex, ApiContext& api, ChatRequest req, bool chat, bool stream) {
  OllamaFormat format(req.model, chat);
  const std::string model = req.model;
  const auto recording = begin_recording(api.recorder, "api:ollama", req, ex);
  api.active.add(model);
  co_await relay_answer(ex, api.router, std::move(req), format, stream, api.limits, api.metrics, recording.get());
  api.active.remove(model);
}

// /api/chat and /api/generate once their bodies are decoded.
asio::awaitable<void> chat_or_generate(Exchange& ex, ApiContext& api, Decoded<ChatCall> call, bool chat) {
  if (!call) co_return co_await fail(ex, http::status::bad_request, call.error().message);
  if (call->request.messages.empty()) {
    co_await ex.send(http::status::ok, "application/json", load_answer(call->request.model, chat));
    co_return;
  }
  co_await answer(ex, api, std::move(call->request), chat, call->stream);
}

asio::awaitable<void> chat(Exchange& ex, ApiContext& api) {
  co_await chat_or_generate(ex, api, decode_ollama_chat(ex.request().body()), true);
}

asio::awaitable<void> generate(Exchange& ex, ApiContext& api) {
  co_await chat_or_generate(ex, api, decode_ollama_generate(ex.request().body()), false);
}

std::string tags_json(const std::vector<backend::ModelInfo>& models) {
  json::array list;
  for (const auto& m : models) {
    list.push_back(json::object{{"name", m.name},
                                {"model", m.name},
                                {"modified_at", "1970-01-01T00:00:00Z"},
                                {"size", m.size},
                                {"digest", ""},
                                {"details", json::object{{"format", "gguf"},
                                                         {"family", ""},
                                                         {"families", json::array{}},
                                                         {"parameter_size", m.parameter_size},
                                                         {"quantization_level", ""}}}});
  }
  return json::serialize(json::object{{"models", std::move(list)}});
}

asio::awaitable<void> tags(Exchange& ex, ApiContext& api) {
  auto models = co_await api.router.list_models();
  if (!models) co_return co_await fail(ex, status_of(models.error()), models.error().message);
  co_await ex.send(http::status::ok, "application/json", tags_json(*models));
}

std::string show_json(const backend::ModelDetails& d) {
  json::object o{{"modelfile", d.modelfile},
                 {"parameters", d.parameters},
                 {"template", d.template_text},
                 {"details", json::object{{"format", "gguf"},
                                          {"family", d.family},
                                          {"families", json::array{}},
                                          {"parameter_size", d.parameter_size},
                                          {"quantization_level", d.quantization_level}}},
                 {"model_info", json::object{}}};
  if (!d.system.empty()) o["system"] = d.system;
  return json::serialize(o);
}

asio::awaitable<void> show(Exchange& ex, ApiContext& api) {
  auto model = decode_ollama_show(ex.request().body());
  if (!model) co_return co_await fail(ex, http::status::bad_request, model.error().message);
  auto details = co_await api.router.show(*model);
  if (!details) co_return co_await fail(ex, status_of(details.error()), details.error().message);
  co_await ex.send(http::status::ok, "application/json", show_json(*details));
}

std::string ps_json(const ActiveModels& active) {
  json::array list;
  for (const auto& [name, n] : active.all()) {
    list.push_back(json::object{{"name", name}, {"model", name}, {"size", 0}, {"digest", ""},
                                {"details", json::object{}}, {"expires_at", "0001-01-01T00:00:00Z"},
                                {"size_vram", 0}});
  }
  return json::serialize(json::object{{"models", std::move(list)}});
}

std::string version_json(const std::string& version) { return json::serialize(json::object{{"version", version}}); }

}  // namespace

std::string ollama_error_body(std::string_view message) {
  std::string out = "{\"error\":";
  write_string(out, message);
  out += '}';
  return out;
}

std::string rfc3339_now() {
  const auto now = std::chrono::system_clock::now();
  const auto secs = std::chrono::system_clock::to_time_t(now);
  const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count() % 1'000'000'000;
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[64];
  const int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                              tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(nanos));
  return std::string(buf, static_cast<std::size_t>(n));
}

asio::awaitable<void> serve_ollama(Exchange& ex, ApiContext& api) {
  if (api.metrics) api.metrics->ollama_requests.fetch_add(1, std::memory_order_relaxed);
  const auto target = ex.request().target();
  const std::string_view path = target.substr(0, target.find('?'));
  const auto method = ex.request().method();
  const bool post = method == http::verb::post;
  const bool get = method == http::verb::get || method == http::verb::head;
  if (path == "/api/chat" && post) co_return co_await chat(ex, api);
  if (path == "/api/generate" && post) co_return co_await generate(ex, api);
  if (path == "/api/tags" && get) co_return co_await tags(ex, api);
  if (path == "/api/show" && post) co_return co_await show(ex, api);
  if (path == "/api/version" && get) {
    co_await ex.send(http::status::ok, "application/json", version_json(api.version));
    co_return;
  }
  if (path == "/api/ps" && get) {
    co_await ex.send(http::status::ok, "application/json", ps_json(api.active));
    co_return;
  }
  const bool known = path == "/api/chat" || path == "/api/generate" || path == "/api/tags" || path == "/api/show" ||
                     path == "/api/version" || path == "/api/ps";
  if (known) co_return co_await fail(ex, http::status::method_not_allowed, "method not allowed for " + std::string(path));
  co_await fail(ex, http::status::not_found,
                std::string(path) + " is not served by this gateway (it serves /api/chat, /api/generate, /api/tags, "
                                    "/api/show, /api/version, /api/ps)");
}

}  // namespace yollayah::gateway
