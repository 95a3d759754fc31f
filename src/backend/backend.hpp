// The LLM backend interface the Conductor talks to: a streaming chat plus model queries.
// Implementations (Ollama now, OpenAI-compatible later) live beside it; fakes implement it in tests.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

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
  std::optional<int> num_predict;     // absent: no limit from us
};

// What the final `done:true` object reported. Durations are nanoseconds, as Ollama sends them.
struct ChatStats {
  std::string model;
  std::uint32_t eval_count = 0;
  std::uint64_t eval_duration_ns = 0;
  std::uint64_t total_duration_ns = 0;
  std::string done_reason;
  std::uint32_t malformed_lines = 0;  // lines that were not valid JSON and were skipped
  std::uint32_t prompt_eval_count = 0;
  std::uint64_t prompt_eval_duration_ns = 0;
  std::uint64_t load_duration_ns = 0;
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
    Unreachable,  // resolve or connect failed
    Timeout,      // connect timeout, or no bytes within the idle gap
    Http,         // non-2xx status; message carries the server's own error text
    Server,       // a {"error":…} line inside a 200 stream
    Protocol,     // the stream broke: connection dropped mid-body, bad framing
    Cancelled,    // the caller cancelled through the cancellation slot
  };
  Kind kind = Kind::Protocol;
  std::string message;   // user-facing, names what failed
  std::string url;       // the URL that was tried
  unsigned http_status = 0;
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
};

class Backend {
 public:
  virtual ~Backend() = default;

  // The base URL, for messages: "http://127.0.0.1:11434".
  virtual std::string endpoint() const = 0;

  // Streams one chat completion. Content goes to `sink` as it arrives; the result carries the
  // final stats or the error. Cancelling the awaiting coroutine's slot aborts the request at once
  // and yields Kind::Cancelled.
  virtual asio::awaitable<Result<ChatStats>> chat(const ChatRequest& request, ChatSink& sink) = 0;

  virtual asio::awaitable<Result<std::vector<ModelInfo>>> list_models() = 0;  // /api/tags
  virtual asio::awaitable<Result<std::string>> version() = 0;                 // /api/version

  // Describes one model (/api/show). Backends that cannot answer return Kind::Http, status 501.
  virtual asio::awaitable<Result<ModelDetails>> show(std::string model);
};

// Lets result<T, BackendError>::value() throw (found by ADL); used only at program edges.
[[noreturn]] void throw_exception_from_error(const BackendError& e, const boost::source_location& loc);

}  // namespace yollayah::backend
