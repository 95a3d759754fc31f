// Parses the JSON of one OpenAI-compatible streaming chunk (a chat.completion.chunk, the usage
// chunk, or an error object) with a SAX handler: no DOM, and after the first few chunks no
// allocation (the strings it fills are reused).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace yollayah::backend {

// What one chunk said. Only the first choice is read (we never ask for n > 1). Strings are
// cleared (capacity kept) at the start of each parse.
struct OpenAiChunk {
  std::string content;        // choices[0].delta.content
  bool has_content = false;
  std::string finish_reason;  // choices[0].finish_reason ("" while null or absent)
  std::string model;
  bool has_usage = false;     // a "usage" object with numbers (the include_usage chunk)
  std::uint64_t completion_tokens = 0;
  std::uint64_t prompt_tokens = 0;
  bool has_timings = false;   // llama.cpp's "timings" object
  double predicted_ms = 0;
  double prompt_ms = 0;
  bool has_error = false;
  std::string error;          // {"error":"…"} or {"error":{"message":"…"}}

  void clear();
};

class OpenAiChunkParser {
 public:
  OpenAiChunkParser();
  ~OpenAiChunkParser();
  OpenAiChunkParser(const OpenAiChunkParser&) = delete;
  OpenAiChunkParser& operator=(const OpenAiChunkParser&) = delete;

  // Parses one event's data. False when it is not a single valid JSON object (with valid UTF-8
  // in the strings kept); chunk() is then unspecified.
  bool parse(std::string_view data);
  const OpenAiChunk& chunk() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace yollayah::backend
