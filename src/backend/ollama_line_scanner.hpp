// The fast path of OllamaLineParser: a one-pass scanner for the one shape Ollama gives almost every
// line of an answer. Anything else is "unusual" and goes to the SAX parser, which has the last word.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace yollayah::backend {

struct OllamaLine;

enum class ScanResult : std::uint8_t {
  Parsed,   // `out` holds exactly what the SAX parser makes of the line, and the line is valid
  Unusual,  // not the token shape, or something the scanner does not decide; `out` is unspecified
};

// Reads a token line of /api/chat or /api/generate, in Ollama's field order (api.ChatResponse):
//   {"model":"…","created_at":"…","message":{"role":"assistant","content":"…"},"done":false}
//   {"model":"…","created_at":"…","response":"…","done":false}
// followed by nothing but JSON whitespace. The content may hold any JSON escape (Go writes < > &
// as \u003c \u003e \u0026); model and created_at may hold none. Unusual: a lone surrogate, an
// escaped or extra key (thinking, tool_calls, images, done_reason…), other orders, whitespace
// inside the object, the final "done":true line, error lines, and strings that are not UTF-8.
ScanResult scan_token_line(std::string_view line, OllamaLine& out);

// The start of the previous token line of a stream, up to its text's opening quote. The next line
// usually starts the same (the same model; the same created_at within a tick of Ollama's clock, or
// always, from ollama-sim); then only its text is left to read.
struct ScanCache {
  std::string prefix;  // empty: nothing to reuse
  bool chat = true;    // the prefix ends with message.content, not response
};

// The same, for the lines of one stream parsed into the same `out` in turn: a line that starts as
// the previous one did skips to its text, and keeps `out.model` as that line left it. Any line
// not scanned (Unusual) clears the cache, as another parser then fills `out`.
ScanResult scan_token_line(std::string_view line, OllamaLine& out, ScanCache& cache);

}  // namespace yollayah::backend
