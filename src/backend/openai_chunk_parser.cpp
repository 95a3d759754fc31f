#include "backend/openai_chunk_parser.hpp"

#include "backend/json_key_tracker.hpp"

#include "protocol/utf8.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <array>

namespace yollayah::backend {
namespace {

namespace json = boost::json;
using boost::system::error_code;

enum class Field : std::uint8_t {
  None, Other, Choices, Delta, Content, FinishReason, Model, Usage, CompletionTokens, PromptTokens,
  Timings, PredictedMs, PromptMs, Error, Message,
};

// Depth 1 is the chunk object; choices[i] objects are at depth 3 and their delta at depth 4.
struct Handler : json_sax::KeyTracker<Handler, Field, 5> {
  static Field classify(std::string_view key) {
    static constexpr std::array<json_sax::FieldName<Field>, 13> kFields{{
        {"choices", Field::Choices},
        {"delta", Field::Delta},
        {"content", Field::Content},
        {"finish_reason", Field::FinishReason},
        {"model", Field::Model},
        {"usage", Field::Usage},
        {"completion_tokens", Field::CompletionTokens},
        {"prompt_tokens", Field::PromptTokens},
        {"timings", Field::Timings},
        {"predicted_ms", Field::PredictedMs},
        {"prompt_ms", Field::PromptMs},
        {"error", Field::Error},
        {"message", Field::Message},
    }};
    return json_sax::classify(key, kFields, Field::Other);
  }

  OpenAiChunk out;
  bool choices_array = false;    // "choices" is an array (anything else holds no choice)
  std::size_t choices_seen = 0;  // elements of it begun so far, of any type; only the first is read

  void reset() {
    out.clear();
    choices_seen = 0;
    choices_array = false;
  }
  void object_begins() {
    if (depth == 1 && keys[1] == Field::Error) out.has_error = true;
    if (depth == 1 && keys[1] == Field::Choices) choices_array = false;
  }
  void array_begins() {
    if (depth == 1 && keys[1] == Field::Choices) choices_array = true;
  }
  void value_begins() {
    if (depth == 2 && keys[1] == Field::Choices) ++choices_seen;
  }

  bool in_first_choice() const {
    return depth >= 3 && keys[1] == Field::Choices && choices_array && choices_seen == 1;
  }

  std::string* string_target() {
    switch (depth) {
      case 1:
        if (keys[1] == Field::Model) return &out.model;
        if (keys[1] == Field::Error) {
          out.has_error = true;
          return &out.error;
        }
        return nullptr;
      case 2:
        if (keys[1] == Field::Error && keys[2] == Field::Message) return &out.error;
        return nullptr;
      case 3:
        if (in_first_choice() && keys[3] == Field::FinishReason) return &out.finish_reason;
        return nullptr;
      case 4:
        if (in_first_choice() && keys[3] == Field::Delta && keys[4] == Field::Content) {
          out.has_content = true;
          return &out.content;
        }
        return nullptr;
      default:
        return nullptr;
    }
  }

  std::uint64_t* count_target() {
    if (depth != 2 || keys[1] != Field::Usage) return nullptr;
    if (keys[2] == Field::CompletionTokens) return &out.completion_tokens;
    if (keys[2] == Field::PromptTokens) return &out.prompt_tokens;
    return nullptr;
  }
  double* millis_target() {
    if (depth != 2 || keys[1] != Field::Timings) return nullptr;
    if (keys[2] == Field::PredictedMs) return &out.predicted_ms;
    if (keys[2] == Field::PromptMs) return &out.prompt_ms;
    return nullptr;
  }
  // A count written as an integer is kept exactly (a double holds only 53 bits).
  void integer(std::uint64_t v) {
    if (auto* count = count_target()) {
      *count = v;
      out.has_usage = true;
    } else if (auto* ms = millis_target()) {
      *ms = static_cast<double>(v);
      out.has_timings = true;
    }
  }
  void number(double v) {
    if (auto* count = count_target()) {
      *count = json_sax::saturating_count(v);
      out.has_usage = true;
    } else if (auto* ms = millis_target()) {
      *ms = v;
      out.has_timings = true;
    }
  }
};

// As in the Ollama parser: UTF-8 is checked in the strings we keep, not across the whole chunk.
json::parse_options chunk_options() {
  json::parse_options o;
  o.allow_invalid_utf8 = true;
  return o;
}

bool kept_strings_valid(const OpenAiChunk& c) {
  return protocol::find_invalid_utf8(c.content) == protocol::kValidUtf8 &&
         protocol::find_invalid_utf8(c.error) == protocol::kValidUtf8 &&
         protocol::find_invalid_utf8(c.model) == protocol::kValidUtf8 &&
         protocol::find_invalid_utf8(c.finish_reason) == protocol::kValidUtf8;
}

}  // namespace

void OpenAiChunk::clear() {
  content.clear();
  has_content = false;
  finish_reason.clear();
  model.clear();
  has_usage = false;
  completion_tokens = prompt_tokens = 0;
  has_timings = false;
  predicted_ms = prompt_ms = 0;
  has_error = false;
  error.clear();
}

struct OpenAiChunkParser::Impl {
  json::basic_parser<Handler> parser{chunk_options()};
};

OpenAiChunkParser::OpenAiChunkParser() : impl_(std::make_unique<Impl>()) {}
OpenAiChunkParser::~OpenAiChunkParser() = default;

bool OpenAiChunkParser::parse(std::string_view data) {
  auto& p = impl_->parser;
  p.reset();
  error_code ec;
  std::size_t used = p.write_some(false, data.data(), data.size(), ec);
  if (ec || !p.done() || !p.handler().top_is_object) return false;
  return data.substr(used).find_first_not_of(" \t\r\n") == std::string_view::npos &&
         kept_strings_valid(p.handler().out);
}

const OpenAiChunk& OpenAiChunkParser::chunk() const { return impl_->parser.handler().out; }

}  // namespace yollayah::backend
