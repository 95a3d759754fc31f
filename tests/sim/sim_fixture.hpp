// What ollama-sim's tests share: a known script, request bodies for both chat APIs, and readers
// that turn an NDJSON or SSE answer back into its text and its final objects.
#pragma once

#include "support/sim_client.hpp"
#include "support/sim_process.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace yollayah::test {

namespace json = boost::json;

// Four tokens: "Hello", ",", " world", "!".
inline constexpr const char* kScript = "Hello\n,\n world\n!\n";
inline constexpr const char* kScriptText = "Hello, world!";

// A temporary file removed when the test ends.
struct TempFile {
  explicit TempFile(const std::string& contents = {}) : path(write_temp_file(contents)) {}
  ~TempFile() { std::remove(path.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  std::string read() const {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::string path;
};

inline json::object message(std::string_view role, std::string_view content) {
  return {{"role", role}, {"content", content}};
}

inline json::object ollama_chat(json::array messages, bool stream = true, std::string_view model = "m") {
  return {{"model", model}, {"messages", std::move(messages)}, {"stream", stream}};
}

inline json::object openai_chat(json::array messages, bool stream = true, std::string_view model = "m") {
  return {{"model", model}, {"messages", std::move(messages)}, {"stream", stream}};
}

inline json::array hello() { return json::array{message("user", "hi")}; }

// An Ollama NDJSON answer read back.
struct OllamaAnswer {
  std::string text;
  std::size_t token_lines = 0;
  std::optional<json::object> done;   // the done:true line
  std::optional<json::object> error;  // an {"error":…} line
  std::string partial;                // bytes after the last newline
};

inline OllamaAnswer read_ndjson(std::string_view body) {
  OllamaAnswer a;
  std::size_t pos = 0;
  while (pos < body.size()) {
    auto nl = body.find('\n', pos);
    if (nl == std::string_view::npos) {
      a.partial = std::string(body.substr(pos));
      break;
    }
    auto v = json::parse(body.substr(pos, nl - pos)).as_object();
    pos = nl + 1;
    if (v.contains("error")) {
      a.error = v;
    } else if (v.at("done").as_bool()) {
      a.done = v;
    } else {
      a.text += v.at("message").at("content").as_string();
      ++a.token_lines;
    }
  }
  return a;
}

// An OpenAI SSE answer read back.
struct OpenAiAnswer {
  SseStream sse;
  std::vector<json::object> chunks;  // every JSON event, in order
  std::string text;
  std::size_t content_chunks = 0;    // chunks whose delta carries non-empty content
  std::string finish_reason;         // the last non-null one
  std::optional<json::object> usage;
  std::optional<json::object> error;
  bool done_marker = false;          // "data: [DONE]" came
  bool done_marker_last = false;     // ... as the last event
};

inline OpenAiAnswer read_sse(std::string_view body) {
  OpenAiAnswer a;
  a.sse = parse_sse(body);
  for (std::size_t i = 0; i < a.sse.events.size(); ++i) {
    const auto& e = a.sse.events[i];
    if (e.data == "[DONE]") {
      a.done_marker = true;
      a.done_marker_last = i + 1 == a.sse.events.size();
      continue;
    }
    auto v = json::parse(e.data).as_object();
    a.chunks.push_back(v);
    if (v.contains("error")) {
      a.error = v;
      continue;
    }
    if (const auto* u = v.if_contains("usage"); u && u->is_object()) a.usage = u->as_object();
    for (const auto& c : v.at("choices").as_array()) {
      const auto& choice = c.as_object();
      if (const auto* content = choice.at("delta").as_object().if_contains("content")) {
        if (!content->as_string().empty()) ++a.content_chunks;
        a.text += content->as_string();
      }
      if (const auto& fr = choice.at("finish_reason"); fr.is_string()) a.finish_reason = fr.as_string();
    }
  }
  return a;
}

inline std::string bearer(std::string_view key) { return "Authorization: Bearer " + std::string(key) + "\r\n"; }

}  // namespace yollayah::test
