#include "backend/ollama_line_parser.hpp"

#include "backend/json_key_tracker.hpp"
#include "backend/ollama_line_scanner.hpp"

#include "protocol/utf8.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <array>

namespace yollayah::backend {
namespace {

namespace json = boost::json;
using boost::system::error_code;

enum class Field : std::uint8_t {
  None, Other, Model, Message, Content, Response, Done, DoneReason, Error,
  EvalCount, EvalDuration, TotalDuration, LoadDuration, PromptEvalCount, PromptEvalDuration,
};

// The SAX handler: keeps only the fields we use, by the key at each nesting level.
struct Handler : json_sax::KeyTracker<Handler, Field, 4> {
  static Field classify(std::string_view key) {
    static constexpr std::array<json_sax::FieldName<Field>, 13> kFields{{
        {"model", Field::Model},
        {"message", Field::Message},
        {"content", Field::Content},
        {"response", Field::Response},
        {"done", Field::Done},
        {"done_reason", Field::DoneReason},
        {"error", Field::Error},
        {"eval_count", Field::EvalCount},
        {"eval_duration", Field::EvalDuration},
        {"total_duration", Field::TotalDuration},
        {"load_duration", Field::LoadDuration},
        {"prompt_eval_count", Field::PromptEvalCount},
        {"prompt_eval_duration", Field::PromptEvalDuration},
    }};
    return json_sax::classify(key, kFields, Field::Other);
  }

  OllamaLine out;

  void reset() { out.clear(); }
  void object_begins() {
    if (depth == 1 && keys[1] == Field::Error) out.has_error = true;
  }

  // The string or number the current value belongs to, given where we are.
  std::string* string_target() {
    if (depth == 1) {
      switch (keys[1]) {
        case Field::Response: out.has_content = true; return &out.content;
        case Field::Error: out.has_error = true; return &out.error;
        case Field::Model: return &out.model;
        case Field::DoneReason: return &out.done_reason;
        default: return nullptr;
      }
    }
    if (depth == 2 && keys[1] == Field::Message && keys[2] == Field::Content) {
      out.has_content = true;
      return &out.content;
    }
    if (depth == 2 && keys[1] == Field::Error && keys[2] == Field::Message) {  // {"error":{"message":…}}
      out.has_error = true;
      return &out.error;
    }
    return nullptr;
  }

  std::uint64_t* number_target() {
    if (depth != 1) return nullptr;
    switch (keys[1]) {
      case Field::EvalCount: return &out.eval_count;
      case Field::EvalDuration: return &out.eval_duration;
      case Field::TotalDuration: return &out.total_duration;
      case Field::LoadDuration: return &out.load_duration;
      case Field::PromptEvalCount: return &out.prompt_eval_count;
      case Field::PromptEvalDuration: return &out.prompt_eval_duration;
      default: return nullptr;
    }
  }
  void integer(std::uint64_t v) {
    if (auto* t = number_target()) *t = v;
  }
  void number(double v) {
    if (auto* t = number_target()) *t = json_sax::saturating_count(v);
  }
  void boolean(bool v) {
    if (depth == 1 && keys[1] == Field::Done) out.done = v;
  }
};

bool only_whitespace(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

void OllamaLine::clear() {
  content.clear();
  has_content = false;
  done = false;
  has_error = false;
  error.clear();
  model.clear();
  done_reason.clear();
  eval_count = eval_duration = total_duration = load_duration = 0;
  prompt_eval_count = prompt_eval_duration = 0;
}

// UTF-8 is checked only in the strings we keep (content, error, model), not across the whole
// line: on a fast stream, validating every line's keys and timestamps was the parser's largest cost.
json::parse_options line_options() {
  json::parse_options o;
  o.allow_invalid_utf8 = true;
  return o;
}

bool kept_strings_valid(const OllamaLine& l) {
  return protocol::find_invalid_utf8(l.content) == protocol::kValidUtf8 &&
         protocol::find_invalid_utf8(l.error) == protocol::kValidUtf8 &&
         protocol::find_invalid_utf8(l.model) == protocol::kValidUtf8 &&
         protocol::find_invalid_utf8(l.done_reason) == protocol::kValidUtf8;
}

struct OllamaLineParser::Impl {
  json::basic_parser<Handler> parser{line_options()};
  ScanCache scan;
};

OllamaLineParser::OllamaLineParser() : impl_(std::make_unique<Impl>()) {}
OllamaLineParser::~OllamaLineParser() = default;

bool OllamaLineParser::parse(std::string_view line) {
  // On a fast stream the SAX parser was the relay's largest cost; almost every line is a token
  // line of one fixed shape, which the scanner reads in one pass.
  if (scan_token_line(line, impl_->parser.handler().out, impl_->scan) == ScanResult::Parsed) return true;
  return parse_general(line);
}

bool OllamaLineParser::parse_general(std::string_view line) {
  impl_->scan.prefix.clear();  // `out` is refilled here: the scanner's shortcut relies on its model
  auto& p = impl_->parser;
  p.reset();
  error_code ec;
  std::size_t used = p.write_some(false, line.data(), line.size(), ec);
  if (ec || !p.done() || !p.handler().top_is_object) return false;
  return only_whitespace(line.substr(used)) && kept_strings_valid(p.handler().out);
}

const OllamaLine& OllamaLineParser::line() const { return impl_->parser.handler().out; }

}  // namespace yollayah::backend
