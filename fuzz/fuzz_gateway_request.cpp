// Fuzzes the gateway's request decoding: the JSON bodies of /api/chat, /api/generate, /api/show and
// /v1/chat/completions (gateway/request_decode.*), and the HTTP parser in front of them (Beast's
// request_parser with the gateway's limits). Checked:
// - a refused body gives a non-empty message in valid UTF-8 (the API sends it back as JSON);
// - an accepted chat has a model name, every text in it is valid UTF-8, a temperature is finite,
//   and the request round-trips: written by each backend's body writer (ollama_chat_body, and
//   openai_chat_body when there are messages, which OpenAI requires) and decoded again, it is the
//   same request (the temperature to a few ulps: Boost.JSON 1.81 reads doubles that closely), and the decoder agrees with a DOM of the body on the model, the message count
//   and the token limit (the integer, saturated to int);
// - HTTP, read as the gateway reads (Gateway::read_head counts the head over all reads; Beast's
//   header_limit alone bounds each read, not the head): the bytes fed whole and in the chosen
//   chunks give the same outcome (refused, or the same method, target, fields and body); a request
//   read keeps to the header and body limits, and its body goes on to the decoder its path names,
//   as the gateway routes it.
// Input: byte 0's flags (fuzz_input.hpp) pick the mode. Modes 0-3 (ollama chat, generate, show,
// openai chat): the rest of the input is the body. Modes 4-7: HTTP, byte 0's low bits give the
// chunk lengths as in fuzz_input.hpp, and the mode the limits (the gateway's, or small ones).
#include "backend/json_write.hpp"
#include "fuzz_input.hpp"
#include "gateway/request_decode.hpp"
#include "protocol/utf8.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using namespace yollayah;
namespace http = boost::beast::http;
namespace json = boost::json;
using backend::ChatRequest;
using gateway::ChatCall;
using gateway::Decoded;

[[noreturn]] void die(const char* what, std::string_view detail = {}) {
  fuzz::die("fuzz_gateway_request", what, detail);
}

bool utf8(std::string_view s) { return protocol::find_invalid_utf8(s) == protocol::kValidUtf8; }

// Boost.JSON 1.81 reads a double to within about an ulp, not correctly rounded (6e302 becomes
// 6.0000000000000005e+302, written back as such and read again one ulp off): a few ulps apart is
// the same temperature. Boost 1.83's number_precision::precise would make this exact.
bool same_temperature(const std::optional<double>& a, const std::optional<double>& b) {
  if (!a || !b) return a.has_value() == b.has_value();
  return *a == *b || std::abs(*a - *b) <= std::abs(*a) * 0x1p-50;
}

bool same(const ChatRequest& a, const ChatRequest& b) {
  if (a.model != b.model || !same_temperature(a.temperature, b.temperature) || a.num_predict != b.num_predict) return false;
  if (a.messages.size() != b.messages.size()) return false;
  for (std::size_t i = 0; i < a.messages.size(); ++i) {
    if (a.messages[i].role != b.messages[i].role || a.messages[i].content != b.messages[i].content) return false;
  }
  return true;
}

template <class T>
void check_refusal(const Decoded<T>& r, std::string_view body) {
  if (r) return;
  if (r.error().message.empty()) die("a refusal without a message", body);
  if (!utf8(r.error().message)) die("a refusal message in invalid UTF-8", r.error().message);
}

// The token limit the body asks for, by the DOM: `key` of `o`, an integer, saturated to int. Ollama
// reads a finite fraction too, truncated (OpenAI refuses one, so an accepted body has none).
std::optional<int> dom_token_limit(const json::object& o, std::string_view key, bool fraction_truncated = false) {
  const auto* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_uint64()) return std::numeric_limits<int>::max();
  if (fraction_truncated && v->is_double() && std::isfinite(v->get_double())) {
    const double d = std::trunc(v->get_double());
    if (d >= static_cast<double>(std::numeric_limits<int>::max())) return std::numeric_limits<int>::max();
    if (d <= static_cast<double>(std::numeric_limits<int>::min())) return std::numeric_limits<int>::min();
    return static_cast<int>(d);
  }
  if (!v->is_int64()) return std::nullopt;
  return static_cast<int>(std::clamp<std::int64_t>(v->get_int64(), std::numeric_limits<int>::min(),
                                                   std::numeric_limits<int>::max()));
}

// Whether `key` of `o` is missing, not a string, or empty: a text the decoders skip.
bool no_text(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return !v || !v->is_string() || v->get_string().empty();
}

enum class Api { OllamaChat, OllamaGenerate, OllamaShow, OpenAiChat };

// What the DOM of an accepted body says the decoder must have read.
void check_against_dom(const ChatRequest& req, Api api, std::string_view body) {
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) die("accepted a body that is not a JSON object", body);
  const json::object& o = v.get_object();
  const auto* model = o.if_contains("model");
  if (!model || !model->is_string() || model->get_string() != req.model) die("the model is not the body's", body);
  std::optional<int> limit;
  if (api == Api::OpenAiChat) {
    if (req.messages.size() != o.at("messages").get_array().size()) die("a message went missing", body);
    for (const char* key : {"max_tokens", "max_completion_tokens"}) {
      if (auto n = dom_token_limit(o, key)) limit = n;
    }
  } else {
    // /api/generate ignores "messages" (whatever it holds); an accepted /api/chat has a list there.
    const auto* messages = o.if_contains("messages");
    std::size_t expected = 0;
    if (api == Api::OllamaGenerate) expected = std::size_t{!no_text(o, "system")} + std::size_t{!no_text(o, "prompt")};
    else if (messages) expected = messages->get_array().size();
    if (req.messages.size() != expected) die("a message went missing", body);
    if (const auto* opts = o.if_contains("options"); opts && opts->is_object()) {
      limit = dom_token_limit(opts->get_object(), "num_predict", /*fraction_truncated=*/true);
    }
  }
  if (req.num_predict != limit) die("the token limit is not the body's, saturated", body);
}

void check_chat(const Decoded<ChatCall>& r, Api api, std::string_view body) {
  check_refusal(r, body);
  if (!r) return;
  const ChatRequest& req = r->request;
  if (req.model.empty()) die("accepted without a model", body);
  if (!utf8(req.model)) die("a model name in invalid UTF-8", req.model);
  for (const auto& m : req.messages) {
    if (!utf8(m.content)) die("a message in invalid UTF-8", m.content);
  }
  if (req.temperature && !std::isfinite(*req.temperature)) die("a temperature that is not finite", body);
  check_against_dom(req, api, body);

  const std::string ollama = backend::ollama_chat_body(req);
  const auto again = gateway::decode_ollama_chat(ollama);
  if (!again) die("the Ollama body writer's body is refused", again.error().message);
  if (!same(again->request, req) || !again->stream) die("the request changed through the Ollama body writer", ollama);
  if (req.messages.empty()) return;
  const std::string openai = backend::openai_chat_body(req, true);
  const auto back = gateway::decode_openai_chat(openai);
  if (!back) die("the OpenAI body writer's body is refused", back.error().message);
  if (!same(back->request, req) || !back->stream || !back->include_usage) {
    die("the request changed through the OpenAI body writer", openai);
  }
}

void check_body(Api api, std::string_view body) {
  switch (api) {
    case Api::OllamaChat: return check_chat(gateway::decode_ollama_chat(body), api, body);
    case Api::OllamaGenerate: return check_chat(gateway::decode_ollama_generate(body), api, body);
    case Api::OpenAiChat: return check_chat(gateway::decode_openai_chat(body), api, body);
    case Api::OllamaShow: {
      const auto model = gateway::decode_ollama_show(body);
      check_refusal(model, body);
      if (model && (model->empty() || !utf8(*model))) die("show accepted an empty or invalid model name", body);
      return;
    }
  }
}

// What the gateway makes of the bytes: a request, or a refusal. Refusals are not told apart:
// Beast's verdict on a malformed head depends on where reads fall (a bad line ending cut after its
// '\r' becomes a partial message at the end of the stream).
struct HttpOutcome {
  bool refused = false;
  std::string method, target, body;
  std::vector<std::pair<std::string, std::string>> fields;
  bool operator==(const HttpOutcome&) const = default;
};

struct Limits {
  std::uint32_t header;
  std::uint64_t body;
};

// Reads one request the way the gateway's loop does (Gateway's read_head, then the body), the
// bytes arriving in `chunks`: the head counted over all reads against the header limit.
HttpOutcome read_request(const std::vector<std::string_view>& chunks, Limits limits) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(limits.header);
  parser.body_limit(limits.body);
  HttpOutcome out;
  std::string buffer;  // bytes the parser has not taken yet
  std::size_t head = 0;
  boost::beast::error_code ec;
  for (const auto chunk : chunks) {
    buffer += chunk;
    while (!buffer.empty() && !parser.is_done()) {
      const bool in_head = !parser.is_header_done();
      const std::size_t n = parser.put(boost::asio::buffer(buffer), ec);
      buffer.erase(0, n);
      if (in_head) head += n;
      if (ec == http::error::need_more) {
        ec = {};
        break;
      }
      if (ec || head > limits.header) {
        out.refused = true;
        return out;
      }
      if (parser.is_header_done()) parser.eager(true);  // the body in as few puts as it comes
      if (n == 0) break;
    }
    if (parser.is_done()) break;
  }
  if (!parser.is_done()) {
    parser.put_eof(ec);
    if (!ec && !parser.is_done()) die("put_eof gave no error and no request");
    if (ec) {
      out.refused = true;
      return out;
    }
  }
  const auto& req = parser.get();
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  out.body = req.body();
  for (const auto& f : req) out.fields.emplace_back(std::string(f.name_string()), std::string(f.value()));
  return out;
}

void check_http(const fuzz::SplitInput& input, unsigned limits_index) {
  // The gateway's defaults (GatewayOptions), then small ones that a short input can pass.
  static constexpr Limits kLimits[] = {{16 * 1024, 4 * 1024 * 1024}, {64, 0}, {256, 16}, {1024, 200}};
  const Limits limits = kLimits[limits_index];
  const std::string_view bytes = input.material;
  const HttpOutcome whole = read_request({bytes}, limits);
  const HttpOutcome pieces = read_request(fuzz::cut(bytes, input.lengths), limits);
  if (!(whole == pieces)) die("cutting the request changed how it was read", bytes);
  if (whole.refused) return;
  if (bytes.find("\r\n\r\n") + 4 > limits.header) die("a head over the limit was read", bytes);
  if (whole.body.size() > limits.body) die("a body over the limit was read", bytes);
  const std::string_view path = std::string_view(whole.target).substr(0, whole.target.find('?'));
  if (path == "/api/chat") check_body(Api::OllamaChat, whole.body);
  if (path == "/api/generate") check_body(Api::OllamaGenerate, whole.body);
  if (path == "/api/show") check_body(Api::OllamaShow, whole.body);
  if (path == "/v1/chat/completions") check_body(Api::OpenAiChat, whole.body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned mode = (data[0] >> 3) & 7;
  if (mode < 4) {
    check_body(static_cast<Api>(mode), std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
  } else {
    check_http(fuzz::read_split_input(data, size), mode - 4);
  }
  return 0;
}
