// ollama-sim's knobs, filled from the command line in main.cpp and read by the server.
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
  double tokens_per_sec = 0;             // 0: as fast as the socket takes them
  unsigned ttft_ms = 0;                  // delay before the first token
  std::optional<std::size_t> fail_after;   // drop the connection after N tokens
  std::optional<std::size_t> stall_after;  // go silent after N tokens, connection kept open
  std::size_t malformed_every = 0;       // every Nth NDJSON line is not valid JSON (N >= 2)
  unsigned http_error = 0;               // answer every request with this status
  std::vector<std::string> models;       // empty: accept any model name
  unsigned pull_step_ms = 5;             // delay between /api/pull progress lines
  bool verbose = false;                  // log each request to stderr
};

}  // namespace yollayah::sim
