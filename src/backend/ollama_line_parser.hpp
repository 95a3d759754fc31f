// Parses one line of Ollama's NDJSON stream (/api/chat or /api/generate): token lines by a scanner
// of their fixed shape, anything else with a SAX handler. No DOM, and after the first few lines no
// allocation (the strings it fills are reused).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace yollayah::backend {

// What one line said. Strings are cleared (capacity kept) at the start of each parse.
struct OllamaLine {
  std::string content;        // message.content (chat) or response (generate)
  bool has_content = false;
  bool done = false;
  bool has_error = false;
  std::string error;          // {"error":"…"}
  std::string model;
  std::string done_reason;
  std::uint64_t eval_count = 0;
  std::uint64_t eval_duration = 0;
  std::uint64_t total_duration = 0;
  std::uint64_t load_duration = 0;
  std::uint64_t prompt_eval_count = 0;
  std::uint64_t prompt_eval_duration = 0;

  void clear();
  bool operator==(const OllamaLine&) const = default;
};

class OllamaLineParser {
 public:
  OllamaLineParser();
  ~OllamaLineParser();
  OllamaLineParser(const OllamaLineParser&) = delete;
  OllamaLineParser& operator=(const OllamaLineParser&) = delete;

  // Parses one complete line. False when it is not a single valid JSON object; line() is then
  // unspecified. Token lines go through scan_token_line (ollama_line_scanner.hpp), the rest
  // through parse_general: the result is the same either way.
  bool parse(std::string_view line);
  // The SAX parser alone, for any shape. Public for the test that holds the scanner to it.
  bool parse_general(std::string_view line);
  const OllamaLine& line() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace yollayah::backend
