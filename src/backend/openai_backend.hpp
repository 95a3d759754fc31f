// The OpenAI-compatible backend (llama.cpp, vLLM, LM Studio, Ollama's /v1, hosted APIs):
// POST {base}/chat/completions streamed as Server-Sent Events into a ChatSink, GET {base}/models,
// over the keep-alive HttpClient, with the key as a Bearer header.
#pragma once

#include "backend/backend.hpp"
#include "backend/backend_config.hpp"
#include "backend/http_client.hpp"
#include "backend/json_write.hpp"  // openai_chat_body

#include <boost/asio/any_io_executor.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace yollayah::backend {

// endpoint.base_path is the API base, e.g. "/v1" for "https://host/v1".
struct OpenAiConfig : BackendConfig {
  // Ask for the usage chunk (stream_options.include_usage) for exact token counts. Off for a
  // server that refuses the field; tokens are then counted from the deltas.
  bool include_usage = true;
};

class OpenAiBackend final : public Backend {
 public:
  // Sockets are created on `io` (an io_context executor); each call runs on the awaiting
  // coroutine's executor. Builds the TLS context for https (start-up only: it reads files).
  OpenAiBackend(asio::any_io_executor io, OpenAiConfig config);

  std::string endpoint() const override;  // the base URL, "https://host/v1"
  std::string name() const override;

  // Waits first_token_timeout for the first content, then idle_timeout between pieces. Ends
  // well on [DONE] or a finish_reason; a body that ends with neither is Kind::Protocol, an error
  // object inside the stream Kind::Server.
  asio::awaitable<Result<ChatStats>> chat(const ChatRequest& request, ChatSink& sink) override;
  asio::awaitable<Result<std::vector<ModelInfo>>> list_models() override;  // GET /models: data[].id
  // The liveness probe: GET /models within probe_timeout; "openai-compatible" when it answers.
  asio::awaitable<Result<std::string>> version() override;
  // show(): the base class's 501; these servers cannot describe a model.

  std::string missing_model_advice(std::string_view model) const override;

  const std::optional<BackendError>& setup_error() const { return http_.setup_error(); }
  std::size_t connections_opened() const { return http_.connections_opened(); }
  std::size_t idle_connections() const { return http_.idle_connections(); }

 private:
  // `e` with the advice a user can act on, and never the API key.
  BackendError advise(BackendError e, std::string_view model = {}) const;

  HttpClient http_;
  bool include_usage_;
};

}  // namespace yollayah::backend
