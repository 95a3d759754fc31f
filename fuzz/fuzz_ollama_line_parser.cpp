// Fuzzes OllamaLineParser, the SAX parser of one line of Ollama's NDJSON stream, against a DOM
// parse of the same line by Boost.JSON (same options: UTF-8 is checked only in the strings the
// parser keeps, max depth 32). Checked:
// - accepted ⇒ Boost.JSON parses the line to an object;
// - when the line has no duplicate keys (the SAX parser appends a repeated key's strings, the DOM
//   keeps the last: Ollama never repeats one), accepted ⇔ Boost.JSON parses it to an object whose
//   kept strings are valid UTF-8, and every field extracted equals what the DOM holds there;
// - a parser that has just parsed another line gives the same result as a fresh one.
#include "backend/ollama_line_parser.hpp"
#include "fuzz_input.hpp"
#include "protocol/utf8.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace {

using namespace yollayah;
namespace json = boost::json;
using boost::system::error_code;

[[noreturn]] void die(const char* what, std::string_view detail = {}) {
  fuzz::die("fuzz_ollama_line_parser", what, detail);
}

json::parse_options options() {
  json::parse_options o;
  o.allow_invalid_utf8 = true;
  return o;
}

// Counts the keys as written; the DOM merges repeated ones, so fewer there means a repeat.
struct KeyCounter {
  static constexpr std::size_t max_object_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_array_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_key_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_string_size = std::numeric_limits<std::size_t>::max();
  std::size_t keys = 0;
  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) { return true; }
  bool on_object_end(std::size_t, error_code&) { return true; }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(std::size_t, error_code&) { return true; }
  bool on_key_part(std::string_view, std::size_t, error_code&) { return true; }
  bool on_key(std::string_view, std::size_t, error_code&) { return ++keys, true; }
  bool on_string_part(std::string_view, std::size_t, error_code&) { return true; }
  bool on_string(std::string_view, std::size_t, error_code&) { return true; }
  bool on_number_part(std::string_view, error_code&) { return true; }
  bool on_int64(std::int64_t, std::string_view, error_code&) { return true; }
  bool on_uint64(std::uint64_t, std::string_view, error_code&) { return true; }
  bool on_double(double, std::string_view, error_code&) { return true; }
  bool on_bool(bool, error_code&) { return true; }
  bool on_null(error_code&) { return true; }
  bool on_comment_part(std::string_view, error_code&) { return true; }
  bool on_comment(std::string_view, error_code&) { return true; }
};

std::size_t written_keys(std::string_view line) {
  json::basic_parser<KeyCounter> p(options());
  error_code ec;
  p.write_some(false, line.data(), line.size(), ec);
  return p.handler().keys;
}

std::size_t dom_keys(const json::value& v) {
  std::size_t n = 0;
  if (const auto* o = v.if_object()) {
    n += o->size();
    for (const auto& kv : *o) n += dom_keys(kv.value());
  } else if (const auto* a = v.if_array()) {
    for (const auto& e : *a) n += dom_keys(e);
  }
  return n;
}

// What the line holds, read from the DOM in document order.
backend::OllamaLine from_dom(const json::object& top) {
  backend::OllamaLine l;
  const auto number = [](const json::value& v, std::uint64_t& out) {
    if (v.is_uint64()) out = v.get_uint64();
    if (v.is_int64() && v.get_int64() >= 0) out = static_cast<std::uint64_t>(v.get_int64());
    if (v.is_double() && v.get_double() >= 0) {
      const double d = v.get_double();
      out = d < 0x1p64 ? static_cast<std::uint64_t>(d) : std::numeric_limits<std::uint64_t>::max();
    }
  };
  for (const auto& [key, v] : top) {
    const json::string* s = v.if_string();
    if (key == "response" && s) {
      l.has_content = true;
      l.content += *s;
    } else if (key == "message" && v.is_object()) {
      for (const auto& [k, m] : v.get_object()) {
        if (k == "content" && m.is_string()) {
          l.has_content = true;
          l.content += m.get_string();
        }
      }
    } else if (key == "error" && s) {
      l.has_error = true;
      l.error += *s;
    } else if (key == "error" && v.is_object()) {
      l.has_error = true;
      for (const auto& [k, m] : v.get_object()) {
        if (k == "message" && m.is_string()) l.error += m.get_string();
      }
    } else if (key == "model" && s) {
      l.model += *s;
    } else if (key == "done_reason" && s) {
      l.done_reason += *s;
    } else if (key == "done" && v.is_bool()) {
      l.done = v.get_bool();
    } else if (key == "eval_count") {
      number(v, l.eval_count);
    } else if (key == "eval_duration") {
      number(v, l.eval_duration);
    } else if (key == "total_duration") {
      number(v, l.total_duration);
    } else if (key == "load_duration") {
      number(v, l.load_duration);
    } else if (key == "prompt_eval_count") {
      number(v, l.prompt_eval_count);
    } else if (key == "prompt_eval_duration") {
      number(v, l.prompt_eval_duration);
    }
  }
  return l;
}

bool same(const backend::OllamaLine& a, const backend::OllamaLine& b) {
  return a.content == b.content && a.has_content == b.has_content && a.done == b.done &&
         a.has_error == b.has_error && a.error == b.error && a.model == b.model &&
         a.done_reason == b.done_reason && a.eval_count == b.eval_count && a.eval_duration == b.eval_duration &&
         a.total_duration == b.total_duration && a.load_duration == b.load_duration &&
         a.prompt_eval_count == b.prompt_eval_count && a.prompt_eval_duration == b.prompt_eval_duration;
}

bool utf8(std::string_view s) { return protocol::find_invalid_utf8(s) == protocol::kValidUtf8; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);

  backend::OllamaLineParser fresh;
  const bool accepted = fresh.parse(line);
  backend::OllamaLineParser used;
  if (!used.parse(R"({"model":"m","message":{"content":"old"},"done":true,"done_reason":"stop","error":"e",)"
                  R"("eval_count":1,"eval_duration":2,"total_duration":3,"load_duration":4,)"
                  R"("prompt_eval_count":5,"prompt_eval_duration":6})")) {
    die("the warm-up line was refused");
  }
  if (used.parse(line) != accepted) die("a used parser decided differently", line);
  if (accepted && !same(used.line(), fresh.line())) die("a used parser kept something from the last line", line);

  error_code ec;
  const json::value dom = json::parse(line, ec, {}, options());
  const bool object = !ec && dom.is_object();
  if (accepted && !object) die("accepted a line Boost.JSON does not parse to an object", line);
  if (!object || written_keys(line) != dom_keys(dom)) return 0;  // not JSON, or a key repeated

  const backend::OllamaLine expected = from_dom(dom.get_object());
  const bool kept_valid = utf8(expected.content) && utf8(expected.error) && utf8(expected.model) &&
                          utf8(expected.done_reason);
  if (accepted != kept_valid) die(accepted ? "accepted invalid UTF-8 in a kept string" : "refused a valid line", line);
  if (accepted && !same(fresh.line(), expected)) die("a field differs from the DOM's", line);
  return 0;
}
