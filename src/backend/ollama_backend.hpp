// The Ollama backend: /api/chat streamed as NDJSON into a ChatSink, plus /api/tags, /api/version,
// /api/show and /api/ps, over the keep-alive HttpClient. What is Ollama's own (":latest" names,
// `ollama pull`, cold model loads) is known here, not in the Conductor.
#pragma once

#include "backend/backend.hpp"
#include "backend/backend_config.hpp"
#include "backend/http_client.hpp"
#include "backend/json_write.hpp"  // ollama_chat_body
#include "backend/ollama_host.hpp"
#include "core/config.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace yollayah::backend {

// An Ollama server is configured by the common BackendConfig alone (endpoint default
// 127.0.0.1:11434; see ollama_host_from_env()); its own fields, if it ever needs any, go here.
struct OllamaConfig : BackendConfig {
  // A cold model is announced (ChatSink::on_loading) only when no token came within this long:
  // a load that ends at once (a small model, a fast disk) flashes no notice.
  std::chrono::milliseconds loading_notice_after{500};

  // The host and timeouts of a loaded configuration (file, environment, flags), for callers that
  // predate [[backend]] entries.
  static OllamaConfig from(const core::Config& config);
};

class OllamaBackend final : public Backend {
 public:
  using Clock = std::chrono::steady_clock;
  // How long a model seen in /api/ps, or one that answered, counts as loaded. Ollama keeps a
  // model 5 minutes after its last use by default, so a minute is safe.
  static constexpr std::chrono::seconds kLoadedFor{60};

  // Sockets are created on `io` (an io_context executor); each call runs on the awaiting
  // coroutine's executor. Builds the TLS context for https (start-up only: it reads files).
  OllamaBackend(asio::any_io_executor io, OllamaConfig config);

  std::string endpoint() const override;
  std::string name() const override;

  // Before the chat, unless the model counts as loaded: GET /api/ps (probe_timeout). A failure
  // there (the peer is dead) is returned at once; a model not listed gets load_timeout for its
  // first token instead of first_token_timeout, and sink.on_loading() once no token came within
  // loading_notice_after. A server without /api/ps (404) is asked once, then chats wait
  // first_token_timeout.
  asio::awaitable<Result<ChatStats>> chat(const ChatRequest& request, ChatSink& sink) override;
  asio::awaitable<Result<std::vector<ModelInfo>>> list_models() override;  // probe_timeout
  asio::awaitable<Result<std::string>> version() override;                 // probe_timeout
  asio::awaitable<Result<ModelDetails>> show(std::string model) override;  // probe_timeout

  // "llama3.2" is "llama3.2:latest".
  bool same_model(std::string_view listed, std::string_view asked) const override;
  // "Pull it with `ollama pull NAME`."
  std::string missing_model_advice(std::string_view model) const override;

  // Whether `model` counts as loaded at `now` (no /api/ps needed before chatting with it).
  bool known_loaded(std::string_view model, Clock::time_point now = Clock::now()) const;
  // See HttpClient::setup_error (an unreadable tls.ca_file).
  const std::optional<BackendError>& setup_error() const { return http_.setup_error(); }

  // Connection pool statistics (tests, metrics).
  std::size_t connections_opened() const { return http_.connections_opened(); }
  std::size_t idle_connections() const { return http_.idle_connections(); }

 private:
  enum class LoadState : std::uint8_t { Loaded, NotLoaded, Unknown };
  asio::awaitable<Result<LoadState>> load_state(std::string model);
  void note_loaded(std::string_view model, Clock::time_point now);
  // `e` with the advice a user of Ollama can act on, and never the API key.
  BackendError advise(BackendError e, std::string_view model = {}) const;

  HttpClient http_;
  std::chrono::milliseconds loading_notice_after_;
  mutable std::mutex loaded_mutex_;  // held for a few vector operations, never across I/O
  std::vector<std::pair<std::string, Clock::time_point>> loaded_;  // full names ("m:latest"), last seen
  std::atomic<bool> has_ps_{true};   // false once /api/ps answered 404
};

// "name" → "name:latest"; a name with a tag (after the last '/') is kept.
std::string ollama_full_name(std::string_view model);

}  // namespace yollayah::backend
