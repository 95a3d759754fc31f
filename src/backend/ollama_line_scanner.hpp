// The fast path of OllamaLineParser: a one-pass scanner for the one shape Ollama gives almost every
// line of an answer. Anything else is "unusual" and goes to the SAX parser, which has the last word.
#pragma once

#include <cstdint>
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

}  // namespace yollayah::backend
