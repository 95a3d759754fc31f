// The Ollama backend: /api/chat streamed as NDJSON into a ChatSink, plus /api/tags, /api/version
// and /api/show, over the keep-alive HttpClient.
#pragma once

#include "backend/backend.hpp"
#include "backend/backend_config.hpp"
#include "backend/http_client.hpp"
#include "backend/ollama_host.hpp"
#include "core/config.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>

namespace yollayah::backend {

// An Ollama server is configured by the common BackendConfig alone (endpoint default
// 127.0.0.1:11434; see ollama_host_from_env()); its own fields, if it ever needs any, go here.
struct OllamaConfig : BackendConfig {
  // The host and timeouts of a loaded configuration (file, environment, flags), for callers that
  // predate [[backend]] entries.
  static OllamaConfig from(const core::Config& config);
};

class OllamaBackend final : public Backend {
 public:
  // Sockets are created on `io` (an io_context executor); each call runs on the awaiting
  // coroutine's executor.
  OllamaBackend(asio::any_io_executor io, OllamaConfig config);

  std::string endpoint() const override;
  asio::awaitable<Result<ChatStats>> chat(const ChatRequest& request, ChatSink& sink) override;
  asio::awaitable<Result<std::vector<ModelInfo>>> list_models() override;
  asio::awaitable<Result<std::string>> version() override;
  asio::awaitable<Result<ModelDetails>> show(std::string model) override;
  // Ollama resolves "llama3.2" to "llama3.2:latest".
  bool same_model(std::string_view listed, std::string_view asked) const override {
    return listed == asked || (asked.find(':') == std::string_view::npos && listed.size() == asked.size() + 7 &&
                               listed.starts_with(asked) && listed.ends_with(":latest"));
  }
  std::string missing_model_advice(std::string_view model) const override {
    return "Pull it with `ollama pull " + std::string(model) + "`.";
  }

  // Connection pool statistics (tests, metrics).
  std::size_t connections_opened() const { return http_.connections_opened(); }
  std::size_t idle_connections() const { return http_.idle_connections(); }

 private:
  HttpClient http_;
};

// The /api/chat request body: {"model","messages":[…],"stream":true[,"options":{…}]}.
std::string ollama_chat_body(const ChatRequest& request);

}  // namespace yollayah::backend
