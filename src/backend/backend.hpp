// The LLM backend interface the Conductor talks to: a streaming chat plus model queries.
// Implementations (Ollama now, OpenAI-compatible later) live beside it; fakes implement it in tests.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace yollayah::backend {

namespace asio = boost::asio;

struct ChatMessage {
  enum class Role : std::uint8_t { System, User, Assistant };
  Role role = Role::User;
  std::string content;
};

struct ChatRequest {
  std::string model;
  std::vector<ChatMessage> messages;  // role-tagged context, system prompt first
  std::optional<double> temperature;  // absent: the model's own default
  std::optional<int> num_predict;     // absent: no limit from us (OpenAI: max_tokens)
};

// How one answer went. Durations are nanoseconds, as Ollama sends them. Backends fill what their
// server reports (Ollama: the final `done:true` object; OpenAI-compatible: the usage chunk) and
// count or time the rest themselves.
struct ChatStats {
  std::string model;
  std::uint32_t eval_count = 0;             // output tokens
  std::uint64_t eval_duration_ns = 0;       // time spent producing them (0: unknown)
  std::uint64_t total_duration_ns = 0;
  std::string done_reason;                  // "stop", "length", … ("" when the server said none)
  std::uint32_t malformed_lines = 0;        // lines or events that were not valid JSON and were skipped
  std::uint32_t prompt_eval_count = 0;
  std::uint64_t prompt_eval_duration_ns = 0;
  std::uint64_t load_duration_ns = 0;
  std::uint64_t first_token_ns = 0;         // request sent → first content, measured by us (0: none)
  std::string backend;                      // the name of the backend that answered (router)
  std::uint32_t fallbacks = 0;              // backends given up on before or during this answer
};

struct ModelInfo {
  std::string name;
  std::uint64_t size = 0;
  std::string parameter_size;  // details.parameter_size, e.g. "3.2B"
};

// What /api/show says about one model; the system prompt is what `ollama create` baked in.
struct ModelDetails {
  std::string name;
  std::string system;        // empty when the model has none
  std::string modelfile;
  std::string template_text;
  std::string parameters;
  std::string family;
  std::string parameter_size;
  std::string quantization_level;
};

struct BackendError {
  enum class Kind : std::uint8_t {
    Unreachable,  // resolve or connect failed, or TLS could not be set up (handshake, certificate)
    Timeout,      // connect timeout, no first token in time, or no bytes within the idle gap
    Http,         // non-2xx status; message carries the server's own error text
    Server,       // a {"error":…} line (NDJSON) or error event (SSE) inside a 200 stream
    Protocol,     // the stream broke: connection dropped mid-body, bad framing, ended unfinished
    Cancelled,    // the caller cancelled through the cancellation slot
    Unavailable,  // the router had no backend to try (none matches, all fenced, queues full)
  };
  BackendError() = default;
  BackendError(Kind kind, std::string message, std::string url = {}, unsigned http_status = 0, std::string advice = {},
               std::chrono::milliseconds retry_after = {})
      : kind(kind), message(std::move(message)), url(std::move(url)), http_status(http_status),
        advice(std::move(advice)), retry_after(retry_after) {}

  Kind kind = Kind::Protocol;
  std::string message;   // user-facing, names what failed; never holds an API key
  std::string url;       // the URL that was tried
  unsigned http_status = 0;
  std::string advice;    // what the user can do, in the backend's own terms ("" when nothing useful)
  std::chrono::milliseconds retry_after{0};  // a 429 or 503 with Retry-After: how long the server asked for
};

template <class T>
using Result = boost::system::result<T, BackendError>;

// Receives content as it is parsed, on the caller's executor, before the next socket read.
// The view is valid only during the call.
class ChatSink {
 public:
  virtual ~ChatSink() = default;
  virtual void on_content(std::string_view text) = 0;

  // Everything parsed from one network read has been passed to on_content: content that
  // arrived together can now go on together. Called before the next read.
  virtual void on_batch_end() {}

  // Whether the consumer is behind: it holds what it was given and cannot pass it on yet (a
  // client that reads slower than the backend answers). The backend then awaits drained() before
  // reading more of the answer, so that a slow reader holds the backend back (TCP does the rest)
  // instead of the answer piling up in memory. Asked after on_batch_end.
  virtual bool backlogged() const { return false; }
  // Returns once the backlog is taken or the chat's awaiting coroutine is cancelled.
  virtual asio::awaitable<void> drained();

  // The server is loading `model` before it can answer (a cold start): the wait is not a hang.
  // Called at most once per chat, before any content.
  virtual void on_loading(std::string_view /*model*/) {}

  // The router gave up on one backend and goes on with another (before the first token, or
  // mid-stream, when the answer then continues). `text` is one line for the user.
  virtual void on_switch(std::string_view /*text*/) {}
};

class Backend {
 public:
  virtual ~Backend() = default;

  // The base URL, for messages: "http://127.0.0.1:11434".
  virtual std::string endpoint() const = 0;

  // How users know it: the `name` of its [[backend]] entry, else the endpoint.
  virtual std::string name() const { return endpoint(); }

  // Streams one chat completion. Content goes to `sink` as it arrives; the result carries the
  // final stats or the error. Cancelling the awaiting coroutine's slot aborts the request at once
  // and yields Kind::Cancelled.
  virtual asio::awaitable<Result<ChatStats>> chat(const ChatRequest& request, ChatSink& sink) = 0;

  virtual asio::awaitable<Result<std::vector<ModelInfo>>> list_models() = 0;  // /api/tags, /v1/models
  // A quick liveness probe with a short timeout: /api/version, or /v1/models for OpenAI servers.
  virtual asio::awaitable<Result<std::string>> version() = 0;

  // Describes one model (/api/show). Backends that cannot answer return Kind::Http, status 501.
  virtual asio::awaitable<Result<ModelDetails>> show(std::string model);

  // Whether `listed` (a name from list_models) is the model a user asked for as `asked`. Ollama
  // resolves "llama3.2" to "llama3.2:latest"; others compare exactly.
  virtual bool same_model(std::string_view listed, std::string_view asked) const { return listed == asked; }

  // One sentence on getting a model this server lacks ("Pull it with `ollama pull NAME`.").
  virtual std::string missing_model_advice(std::string_view /*model*/) const { return {}; }
};

// Lets result<T, BackendError>::value() throw (found by ADL); used only at program edges.
[[noreturn]] void throw_exception_from_error(const BackendError& e, const boost::source_location& loc);

}  // namespace yollayah::backend
