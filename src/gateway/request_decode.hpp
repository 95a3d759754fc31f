// The JSON bodies of the API's chat requests decoded into a backend ChatRequest: plain functions,
// apart from the routes' coroutines, so that they are unit-tested and fuzzed (fuzz_gateway_request).
#pragma once

#include "backend/backend.hpp"

#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace yollayah::gateway {

// A body the API refuses, with the message it answers (HTTP 400, in the API's own error shape).
struct RequestError {
  std::string message;
};

struct ChatCall {
  backend::ChatRequest request;
  bool stream = true;          // Ollama streams unless told not to; OpenAI only when asked
  bool include_usage = false;  // OpenAI: stream_options.include_usage
};

template <class T>
using Decoded = boost::system::result<T, RequestError>;

// /api/chat. No messages is not an error: Ollama answers that as a model load.
Decoded<ChatCall> decode_ollama_chat(std::string_view body);
// /api/generate: `system` and `prompt` become a system and a user message (none when empty).
Decoded<ChatCall> decode_ollama_generate(std::string_view body);
// /api/show: the model's name, from `model` or the older `name`.
Decoded<std::string> decode_ollama_show(std::string_view body);
// /v1/chat/completions: a content given as a list of parts keeps the text parts, joined.
Decoded<ChatCall> decode_openai_chat(std::string_view body);

}  // namespace yollayah::gateway
