// ollama-sim's knobs, filled from the command line in main.cpp and read by the server. The fault
// knobs apply to both chat APIs (Ollama's /api/chat and /api/generate, and the OpenAI-compatible
// /v1/chat/completions); the ones marked (control) can also be changed at run time through
// POST /sim/control (control_routes.hpp), where 0 or false clears them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace yollayah::sim {

struct SimOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 11434;
  std::string script_path;               // one token per line; "\n" (two characters) is a newline
  std::optional<std::uint64_t> seed;     // generated words instead of a script
  std::optional<std::size_t> tokens;     // answer length (seed default 64; cycles a script)
  std::vector<std::string> routes;       // "PATTERN=FILE": a script (played once, not cycled to
                                         // --tokens) for requests whose messages contain PATTERN
                                         // (plain substring, first match wins)
  bool demo = false;                     // --demo: the demo persona answers (demo_persona.hpp) when
  std::string demo_dir;                  // no --route matches; its files are here (empty: default)
  double tokens_per_sec = 0;             // (control) 0: as fast as the socket takes them
  unsigned ttft_ms = 0;                  // (control) delay before the first token
  unsigned load_ms = 0;                  // (control) cold load: a model's first chat waits this long
                                         // before sending any byte; /api/ps lists it afterwards
  std::vector<std::string> models;       // empty: accept any model name
  unsigned pull_step_ms = 5;             // delay between /api/pull progress lines
  bool stamp_tokens = false;             // a streamed token's text is the steady clock (ns) when it
                                         // was written, then a space: relay latency benchmarks

  // Faults, counted in tokens of one answer.
  std::optional<std::size_t> fail_after;       // (control) drop the connection after N tokens
  std::optional<std::size_t> stall_after;      // (control) go silent after N tokens, connection kept open
  unsigned stall_close_ms = 0;                 // (control) ... then close it after this long (0: never)
  std::optional<std::size_t> reset_after;      // (control) after N tokens write half of the next
                                               // chunk, then reset the connection (RST)
  std::optional<std::size_t> sse_error_after;  // (control) after N tokens an error object inside the
                                               // 200 stream ({"error":…} on NDJSON), then the end
  std::size_t malformed_every = 0;             // every Nth streamed line is not valid JSON (N >= 2)
  bool sse_noise = false;                      // OpenAI stream: comments, event:/id:/retry: fields,
                                               // "data:" without the space, some CRLF line ends

  // Faults of the whole server. /sim/* routes are exempt, so a test can always reach them.
  unsigned http_error = 0;               // (control) answer every request with this status
  unsigned retry_after = 0;              // (control) with http_error 429 or 503: Retry-After seconds
  bool hang = false;                     // (control) read requests, never answer, never close
  unsigned accept_delay_ms = 0;          // (control) wait this long after accept before reading

  // TLS: both set makes the listener HTTPS.
  std::string tls_cert;                  // PEM certificate chain
  std::string tls_key;                   // PEM private key

  std::string require_api_key;           // /v1/* needs "Authorization: Bearer KEY"; never logged
  bool exit_with_parent = false;          // PR_SET_PDEATHSIG: tests' sims never outlive a crashed test
  std::string log_requests;              // append "METHOD PATH auth=yes|no" per request to this file
  bool verbose = false;                  // log each request to stderr
};

}  // namespace yollayah::sim
