// Fuzzes OpenAiChunkParser, the SAX parser of one OpenAI-compatible streaming chunk (an SSE
// event's data), against a DOM parse of the same text by Boost.JSON (same options: UTF-8 is
// checked only in the strings the parser keeps, max depth 32). Checked:
// - accepted ⇒ Boost.JSON parses the text to an object;
// - when no key is repeated (the SAX parser appends a repeated key's strings, the DOM keeps the
//   last), accepted ⇔ Boost.JSON parses it to an object whose kept strings are valid UTF-8, and
//   every field of OpenAiChunk equals what the DOM holds: model, error (a string, or an object's
//   message), choices[0].delta.content, choices[0].finish_reason (choices an array, its first
//   element an object), usage.{completion,prompt}_tokens (non-negative integers exactly, doubles
//   truncated, past 2^64 the largest uint64_t), timings.{predicted,prompt}_ms (non-negative);
// - a parser that has just parsed another chunk gives the same result as a fresh one.
#include "backend/openai_chunk_parser.hpp"
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
  fuzz::die("fuzz_openai_chunk_parser", what, detail);
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

std::size_t written_keys(std::string_view text) {
  json::basic_parser<KeyCounter> p(options());
  error_code ec;
  p.write_some(false, text.data(), text.size(), ec);
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

// A non-negative JSON number as the parser must read it, or nothing.
bool count(const json::value& v, std::uint64_t& out) {
  if (v.is_uint64()) return out = v.get_uint64(), true;
  if (v.is_int64() && v.get_int64() >= 0) return out = static_cast<std::uint64_t>(v.get_int64()), true;
  if (v.is_double() && v.get_double() >= 0) {  // not NaN either
    const double d = v.get_double();
    out = d < 0x1p64 ? static_cast<std::uint64_t>(d) : std::numeric_limits<std::uint64_t>::max();
    return true;
  }
  return false;
}

bool millis(const json::value& v, double& out) {
  if (!v.is_number()) return false;
  const double d = v.to_number<double>();
  if (!(d >= 0)) return false;  // negative, or NaN
  out = d;
  return true;
}

// What the chunk holds, read from the DOM.
backend::OpenAiChunk from_dom(const json::object& top) {
  backend::OpenAiChunk c;
  for (const auto& [key, v] : top) {
    if (key == "model" && v.is_string()) {
      c.model += v.get_string();
    } else if (key == "error" && v.is_string()) {
      c.has_error = true;
      c.error += v.get_string();
    } else if (key == "error" && v.is_object()) {
      c.has_error = true;
      for (const auto& [k, m] : v.get_object()) {
        if (k == "message" && m.is_string()) c.error += m.get_string();
      }
    } else if (key == "choices" && v.is_array() && !v.get_array().empty() && v.get_array()[0].is_object()) {
      for (const auto& [k, m] : v.get_array()[0].get_object()) {
        if (k == "finish_reason" && m.is_string()) {
          c.finish_reason += m.get_string();
        } else if (k == "delta" && m.is_object()) {
          for (const auto& [dk, dv] : m.get_object()) {
            if (dk == "content" && dv.is_string()) {
              c.has_content = true;
              c.content += dv.get_string();
            }
          }
        }
      }
    } else if (key == "usage" && v.is_object()) {
      for (const auto& [k, m] : v.get_object()) {
        if (k == "completion_tokens" && count(m, c.completion_tokens)) c.has_usage = true;
        if (k == "prompt_tokens" && count(m, c.prompt_tokens)) c.has_usage = true;
      }
    } else if (key == "timings" && v.is_object()) {
      for (const auto& [k, m] : v.get_object()) {
        if (k == "predicted_ms" && millis(m, c.predicted_ms)) c.has_timings = true;
        if (k == "prompt_ms" && millis(m, c.prompt_ms)) c.has_timings = true;
      }
    }
  }
  return c;
}

bool same(const backend::OpenAiChunk& a, const backend::OpenAiChunk& b) {
  return a.content == b.content && a.has_content == b.has_content && a.finish_reason == b.finish_reason &&
         a.model == b.model && a.has_usage == b.has_usage && a.completion_tokens == b.completion_tokens &&
         a.prompt_tokens == b.prompt_tokens && a.has_timings == b.has_timings &&
         a.predicted_ms == b.predicted_ms && a.prompt_ms == b.prompt_ms && a.has_error == b.has_error &&
         a.error == b.error;
}

bool utf8(std::string_view s) { return protocol::find_invalid_utf8(s) == protocol::kValidUtf8; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  backend::OpenAiChunkParser fresh;
  const bool accepted = fresh.parse(text);
  backend::OpenAiChunkParser used;
  if (!used.parse(R"({"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"old"},"finish_reason":"stop"}],)"
                  R"("usage":{"prompt_tokens":5,"completion_tokens":6},"timings":{"predicted_ms":1.5,"prompt_ms":2},)"
                  R"("error":{"message":"e"}})")) {
    die("the warm-up chunk was refused");
  }
  if (used.parse(text) != accepted) die("a used parser decided differently", text);
  if (accepted && !same(used.chunk(), fresh.chunk())) die("a used parser kept something from the last chunk", text);

  error_code ec;
  const json::value dom = json::parse(text, ec, {}, options());
  const bool object = !ec && dom.is_object();
  if (accepted && !object) die("accepted a chunk Boost.JSON does not parse to an object", text);
  if (!object || written_keys(text) != dom_keys(dom)) return 0;  // not JSON, or a key repeated

  const backend::OpenAiChunk expected = from_dom(dom.get_object());
  const bool kept_valid = utf8(expected.content) && utf8(expected.error) && utf8(expected.model) &&
                          utf8(expected.finish_reason);
  if (accepted != kept_valid) die(accepted ? "accepted invalid UTF-8 in a kept string" : "refused a valid chunk", text);
  if (accepted && !same(fresh.chunk(), expected)) die("a field differs from the DOM's", text);
  return 0;
}
