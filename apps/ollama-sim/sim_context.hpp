// What every ollama-sim connection shares: the options (changed at run time by /sim/control), the
// scripts (or the demo persona), the model store, which models are loaded, and the counters /sim/stats reports.
// One io_context thread runs the server, so this needs no locking.
#pragma once

#include "demo_persona.hpp"
#include "model_loads.hpp"
#include "model_registry.hpp"
#include "request_log.hpp"
#include "sim_options.hpp"
#include "token_source.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace yollayah::sim {

struct SimStats {
  std::uint64_t connections = 0;       // accepted (TLS or not, handshake or not)
  std::uint64_t requests = 0;          // every request read, /sim/* included
  std::uint64_t chat_requests = 0;     // POST /api/chat
  std::uint64_t generate_requests = 0; // POST /api/generate
  std::uint64_t openai_requests = 0;   // POST /v1/chat/completions
};

// --route PATTERN=FILE: this script answers requests whose messages contain the pattern.
// --route last:PATTERN=FILE looks only at the request's last message, so a keyword the user said
// once does not pick the script again for every later turn that carries it in its history.
struct ScriptRoute {
  std::string pattern;
  TokenSource tokens;
  bool last_message_only = false;
};

struct SimContext {
  SimOptions options;
  TokenSource tokens;  // the default script
  ModelRegistry models;
  std::vector<ScriptRoute> routes;
  std::optional<DemoPersona> demo;  // with --demo: answers what no route matches
  ModelLoads loads;
  SimStats stats;
  std::uint64_t next_completion_id = 1;
  std::unique_ptr<RequestLog> request_log;  // with --log-requests
};

}  // namespace yollayah::sim
