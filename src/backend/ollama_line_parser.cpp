#include "backend/ollama_line_parser.hpp"

#include "backend/ollama_line_scanner.hpp"

#include "protocol/utf8.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <array>
#include <limits>

namespace yollayah::backend {
namespace {

namespace json = boost::json;
using boost::system::error_code;

enum class Field : std::uint8_t {
  None, Other, Model, Message, Content, Response, Done, DoneReason, Error,
  EvalCount, EvalDuration, TotalDuration, LoadDuration, PromptEvalCount, PromptEvalDuration,
};

Field classify(std::string_view key) {
  struct Entry {
    std::string_view key;
    Field field;
  };
  static constexpr std::array<Entry, 13> kFields{{
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
  for (const auto& e : kFields) {
    if (e.key == key) return e.field;
  }
  return Field::Other;
}

// The SAX handler: tracks the key at each nesting level and keeps only the fields we use.
struct Handler {
  static constexpr std::size_t max_object_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_array_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_key_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_string_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t kTracked = 4;  // levels whose keys we remember

  OllamaLine out;
  std::array<Field, kTracked> keys{};
  std::size_t depth = 0;
  bool top_is_object = false;
  std::string key_buf;

  Field key_at(std::size_t d) const { return d < kTracked ? keys[d] : Field::Other; }

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

  void open() {
    ++depth;
    if (depth < kTracked) keys[depth] = Field::None;
  }

  bool on_document_begin(error_code&) {
    out.clear();
    depth = 0;
    top_is_object = false;
    key_buf.clear();
    return true;
  }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) {
    if (depth == 0) top_is_object = true;
    if (depth == 1 && keys[1] == Field::Error) out.has_error = true;
    open();
    return true;
  }
  bool on_object_end(std::size_t, error_code&) {
    --depth;
    return true;
  }
  bool on_array_begin(error_code&) {
    open();
    return true;
  }
  bool on_array_end(std::size_t, error_code&) {
    --depth;
    return true;
  }
  bool on_key_part(std::string_view s, std::size_t, error_code&) {
    key_buf.append(s);
    return true;
  }
  bool on_key(std::string_view s, std::size_t, error_code&) {
    Field f;
    if (key_buf.empty()) {
      f = classify(s);
    } else {
      key_buf.append(s);
      f = classify(key_buf);
      key_buf.clear();
    }
    if (depth < kTracked) keys[depth] = f;
    return true;
  }
  bool on_string_part(std::string_view s, std::size_t, error_code&) {
    if (auto* t = string_target()) t->append(s);
    return true;
  }
  bool on_string(std::string_view s, std::size_t n, error_code& ec) { return on_string_part(s, n, ec); }
  bool on_number_part(std::string_view, error_code&) { return true; }
  bool on_int64(std::int64_t v, std::string_view, error_code&) {
    if (auto* t = number_target(); t && v >= 0) *t = static_cast<std::uint64_t>(v);
    return true;
  }
  bool on_uint64(std::uint64_t v, std::string_view, error_code&) {
    if (auto* t = number_target()) *t = v;
    return true;
  }
  bool on_double(double v, std::string_view, error_code&) {
    // Past 2^64 the cast is undefined: saturate.
    if (auto* t = number_target(); t && v >= 0) {
      *t = v < 0x1p64 ? static_cast<std::uint64_t>(v) : std::numeric_limits<std::uint64_t>::max();
    }
    return true;
  }
  bool on_bool(bool v, error_code&) {
    if (depth == 1 && keys[1] == Field::Done) out.done = v;
    return true;
  }
  bool on_null(error_code&) { return true; }
  bool on_comment_part(std::string_view, error_code&) { return true; }
  bool on_comment(std::string_view, error_code&) { return true; }
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
};

OllamaLineParser::OllamaLineParser() : impl_(std::make_unique<Impl>()) {}
OllamaLineParser::~OllamaLineParser() = default;

bool OllamaLineParser::parse(std::string_view line) {
  // On a fast stream the SAX parser was the relay's largest cost; almost every line is a token
  // line of one fixed shape, which the scanner reads in one pass.
  if (scan_token_line(line, impl_->parser.handler().out) == ScanResult::Parsed) return true;
  return parse_general(line);
}

bool OllamaLineParser::parse_general(std::string_view line) {
  auto& p = impl_->parser;
  p.reset();
  error_code ec;
  std::size_t used = p.write_some(false, line.data(), line.size(), ec);
  if (ec || !p.done() || !p.handler().top_is_object) return false;
  return only_whitespace(line.substr(used)) && kept_strings_valid(p.handler().out);
}

const OllamaLine& OllamaLineParser::line() const { return impl_->parser.handler().out; }

}  // namespace yollayah::backend
