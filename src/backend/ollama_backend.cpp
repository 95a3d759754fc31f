#include "backend/ollama_backend.hpp"

#include "backend/json_write.hpp"
#include "backend/ollama_chat_stream.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>

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

std::string string_at(const json::object& o, std::string_view key) {
  if (const auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->get_string());
  return {};
}

const json::object* object_at(const json::object& o, std::string_view key) {
  if (const auto* v = o.if_contains(key); v && v->is_object()) return &v->get_object();
  return nullptr;
}

Result<json::object> parse_object(const std::string& body, const std::string& url, std::string_view what,
                                  const std::string& where) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) {
    return BackendError{Kind::Protocol, where + " sent " + std::string(what) + " that is not a JSON object", url, 0};
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

// Tells the sink a model is loading once the first token is `after` late. Runs on the chat's own
// executor, so it never races the stream; stop() before the chat returns, after which a pending
// wake-up touches nothing but this object.
class LoadingNotice : public std::enable_shared_from_this<LoadingNotice> {
 public:
  static std::shared_ptr<LoadingNotice> start(const asio::any_io_executor& executor, ChatSink& sink,
                                              const ChatDeadlines& deadlines, std::string model,
                                              std::chrono::milliseconds after) {
    auto n = std::shared_ptr<LoadingNotice>(new LoadingNotice(executor, sink, deadlines, std::move(model)));
    n->timer_.expires_after(after);
    n->timer_.async_wait([n](const boost::system::error_code& ec) {
      if (!ec && !n->stopped_ && !n->deadlines_.got_content()) n->sink_.on_loading(n->model_);
    });
    return n;
  }
  void stop() {
    stopped_ = true;
    timer_.cancel();
  }

 private:
  LoadingNotice(const asio::any_io_executor& executor, ChatSink& sink, const ChatDeadlines& deadlines,
                std::string model)
      : timer_(executor), sink_(sink), deadlines_(deadlines), model_(std::move(model)) {}

  asio::steady_timer timer_;
  ChatSink& sink_;
  const ChatDeadlines& deadlines_;
  std::string model_;
  bool stopped_ = false;
};

}  // namespace

std::string ollama_full_name(std::string_view model) {
  const auto slash = model.rfind('/');
  const auto tail = slash == std::string_view::npos ? model : model.substr(slash + 1);
  if (model.empty() || tail.find(':') != std::string_view::npos) return std::string(model);
  return std::string(model) + ":latest";
}

OllamaBackend::OllamaBackend(asio::any_io_executor io, OllamaConfig config)
    : http_(std::move(io), config, "Ollama"), loading_notice_after_(config.loading_notice_after) {}

std::string OllamaBackend::endpoint() const { return http_.config().endpoint.base_url(); }

std::string OllamaBackend::name() const { return http_.config().display_name(); }

bool OllamaBackend::same_model(std::string_view listed, std::string_view asked) const {
  return listed == asked || ollama_full_name(listed) == ollama_full_name(asked);
}

std::string OllamaBackend::missing_model_advice(std::string_view model) const {
  return "Pull it with `ollama pull " + std::string(model) + "`.";
}

BackendError OllamaBackend::advise(BackendError e, std::string_view model) const {
  if (e.advice.empty()) {
    switch (e.kind) {
      case Kind::Unreachable:
        e.advice = "Start Ollama with `ollama serve`, set OLLAMA_HOST to a running server, or try the simulated "
                   "model: ./yollayah.sh demo";
        break;
      case Kind::Http:
        if (e.http_status == 404 && !model.empty()) e.advice = missing_model_advice(model);
        break;
      case Kind::Timeout:
        e.advice = "Check that Ollama is not overloaded, then try again.";
        break;
      default:
        break;
    }
  }
  return http_.redact(std::move(e));
}

bool OllamaBackend::known_loaded(std::string_view model, Clock::time_point now) const {
  const auto full = ollama_full_name(model);
  std::lock_guard lock(loaded_mutex_);
  for (const auto& [name, seen] : loaded_) {
    if (name == full) return now - seen < kLoadedFor;
  }
  return false;
}

void OllamaBackend::note_loaded(std::string_view model, Clock::time_point now) {
  auto full = ollama_full_name(model);
  std::lock_guard lock(loaded_mutex_);
  for (auto& [name, seen] : loaded_) {
    if (name == full) {
      seen = now;
      return;
    }
  }
  loaded_.emplace_back(std::move(full), now);
}

asio::awaitable<Result<OllamaBackend::LoadState>> OllamaBackend::load_state(std::string model) {
  if (!has_ps_) co_return LoadState::Unknown;
  auto body = co_await http_.fetch(http::verb::get, "/api/ps");
  if (!body) {
    if (body.error().kind != Kind::Http) co_return body.error();  // nobody there, or nobody answering
    if (body.error().http_status == 404) has_ps_ = false;         // an Ollama before /api/ps
    co_return LoadState::Unknown;
  }
  auto ps = parse_object(*body, http_.url("/api/ps"), "a list of loaded models", http_.where());
  if (!ps) co_return LoadState::Unknown;
  const auto now = Clock::now();
  bool listed = false;
  for (const auto& m : models_of(*ps)) {
    note_loaded(m.name, now);
    listed = listed || same_model(m.name, model);
  }
  co_return listed ? LoadState::Loaded : LoadState::NotLoaded;
}

asio::awaitable<Result<ChatStats>> OllamaBackend::chat(const ChatRequest& request, ChatSink& sink) {
  const auto& cfg = http_.config();
  const auto url = http_.url("/api/chat");
  OllamaChatStream stream(sink, url, ChatDeadlines(cfg.first_token_timeout, cfg.idle_timeout));
  stream.set_secret(cfg.api_key);
  std::shared_ptr<LoadingNotice> notice;
  if (!known_loaded(request.model)) {
    auto state = co_await load_state(request.model);
    if (!state) co_return advise(state.error(), request.model);
    if (*state == LoadState::NotLoaded) {
      stream.deadlines().loading(request.model, cfg.load_timeout);
      auto executor = co_await asio::this_coro::executor;
      notice = LoadingNotice::start(executor, sink, stream.deadlines(), request.model, loading_notice_after_);
    }
  }
  auto r = co_await http_.stream(http::verb::post, "/api/chat", ollama_chat_body(request), stream);
  if (notice) notice->stop();
  if (stream.deadlines().got_content()) note_loaded(request.model, Clock::now());
  if (stream.error()) co_return advise(*stream.error(), request.model);
  if (!r) {
    auto e = r.error();
    if (e.kind == Kind::Protocol) e.message = "the stream ended before the model finished: " + e.message;
    if (e.kind == Kind::Timeout && !stream.deadlines().got_content()) {
      e.advice = stream.deadlines().is_loading()
                     ? "Loading " + request.model + " takes longer than load_timeout allows: raise it, or choose a "
                       "smaller model."
                     : "Check that Ollama is not overloaded; a slow machine may need a longer first_token_timeout.";
    }
    co_return advise(std::move(e), request.model);
  }
  stream.finish();
  if (stream.error()) co_return advise(*stream.error(), request.model);
  if (!stream.done()) {
    co_return advise({Kind::Protocol, "the stream from " + http_.where() + " ended before the model finished", url,
                      *r});
  }
  note_loaded(request.model, Clock::now());
  co_return std::move(stream.stats());
}

asio::awaitable<Result<std::vector<ModelInfo>>> OllamaBackend::list_models() {
  auto body = co_await http_.fetch(http::verb::get, "/api/tags");
  if (!body) co_return advise(body.error());
  auto tags = parse_object(*body, http_.url("/api/tags"), "a model list", http_.where());
  if (!tags) co_return advise(tags.error());
  co_return models_of(*tags);
}

asio::awaitable<Result<std::string>> OllamaBackend::version() {
  auto body = co_await http_.fetch(http::verb::get, "/api/version");
  if (!body) co_return advise(body.error());
  auto v = parse_object(*body, http_.url("/api/version"), "a version", http_.where());
  if (!v) co_return advise(v.error());
  co_return string_at(*v, "version");
}

asio::awaitable<Result<ModelDetails>> OllamaBackend::show(std::string model) {
  std::string request = "{\"model\":";
  append_json_string(request, model);
  request.push_back('}');
  auto body = co_await http_.fetch(http::verb::post, "/api/show", std::move(request));
  if (!body) co_return advise(body.error(), model);
  auto o = parse_object(*body, http_.url("/api/show"), "model details", http_.where());
  if (!o) co_return advise(o.error(), model);
  co_return details_of(std::move(model), *o);
}

}  // namespace yollayah::backend
