// Conductor configuration. Precedence: flags (applied by the app), then environment, then the
// TOML file, then these defaults. Loading reads a file, so it runs at start-up, before any event
// loop, or on the blocking-work thread (SIGHUP reload).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace yollayah::core {

// One [[backend]] entry of conductor.toml: a model server the router may send requests to.
// Plain data; the backend layer's factory checks the URL and builds the client.
struct BackendEntry {
  std::string name;                       // shown to users; unique
  std::string kind = "ollama";            // "ollama" or "openai"
  std::string url;                        // ollama: "http://host:11434"; openai: the base, "https://host/v1"
  std::vector<std::string> models{"*"};   // glob patterns of the model names it serves
  int priority = 1;                       // lower is tried first
  std::uint32_t max_concurrent = 4;       // streams at once; more wait in a bounded queue
  std::uint32_t max_queue = 16;
  std::chrono::milliseconds queue_timeout{30000};
  std::string api_key_env;                // the variable the key is read from
  std::string api_key;                    // its value, read at load; never logged or shown
  std::string ca_file;                    // a private CA (PEM) for https
  bool tls_insecure = false;              // no certificate check; only when written
  // Deadlines; absent: the backend defaults (backend/backend_config.hpp).
  std::optional<std::chrono::milliseconds> connect_timeout, probe_timeout, first_token_timeout, load_timeout,
      idle_timeout;
  int line = 0;                           // where it is in the file, for messages
};

// One [[agent]] entry of conductor.toml: a specialist the model may delegate to with
// `[yolla:task start <id> …]`. An id that names a built-in agent replaces it.
struct AgentEntry {
  std::string id;             // 1–100 characters of [a-z0-9_-]; unique
  std::string name;           // shown in the task panel; empty: the id, title-cased
  std::string model;          // empty: the conversation's model
  std::string system_prompt;  // its persona; empty: a generic one
  std::uint32_t max_tokens = 0;  // 0: the default (1024)
  int line = 0;
};

// [gateway]: conductord's HTTP listener (WebSocket surface, Ollama/OpenAI-compatible API, /metrics,
// the web page). Off unless `listen` (or --http) names an address.
struct GatewayConfig {
  std::string listen;                        // "127.0.0.1:8080"; "127.0.0.1:0" picks a free port
  std::string auth = "token";                // "token" or "none" (accepted only on a loopback address)
  std::vector<std::string> api_keys_env;     // variables holding further API keys
  std::vector<std::string> api_keys;         // their values, read at load; never logged
  std::vector<std::string> allowed_origins;  // WebSocket origins beside the page's own
  bool record = false;                       // store API conversations in the history (with persistence)
  int line = 0;
};

struct Config {
  // Backend
  std::string ollama_host;  // OLLAMA_HOST syntax: host, host:port or URL; empty means the default
  std::string model = "yollayah";
  std::optional<std::string> system_prompt;  // absent: the built-in personality
  bool greet = true;
  std::uint32_t max_context = 10;  // messages of history sent with each request
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds idle_timeout{120000};  // longest silence between chunks
  std::string additional_agents;                   // comma-separated

  // Agents ([[agent]], [agents])
  std::vector<AgentEntry> agents;
  std::uint32_t agents_max_active = 4;             // agent answers streaming at once per session
  std::uint32_t agents_max_depth = 1;              // 1: agents cannot start agents
  std::chrono::milliseconds agent_time_limit{180000};

  // Limits (anchor-core §6)
  std::size_t max_message_bytes = 100 * 1024;
  std::uint32_t max_messages_per_minute = 30;
  std::size_t max_session_messages = 1000;
  std::size_t max_session_bytes = 10 * 1024 * 1024;

  std::size_t max_answer_bytes = 1024 * 1024;  // an answer longer than this is cut, with a note

  // Routing ([[backend]], [routing], [model_alias]). No backend entry: one Ollama at ollama_host.
  std::vector<BackendEntry> backends;
  bool mid_stream_fallback = true;
  std::uint32_t breaker_failures = 3;                  // consecutive failures that fence a backend
  std::chrono::milliseconds breaker_open{5000};        // first fence; doubles up to breaker_open_max
  std::chrono::milliseconds breaker_open_max{60000};
  std::map<std::string, std::string, std::less<>> model_aliases;
  std::vector<std::string> warnings;  // things the user should hear about but that do not stop us

  // History (issue 11): conversations kept in $XDG_DATA_HOME/ai-way/history.db. false (private
  // mode): nothing is written to disk. [conductor] history, [history] enabled, YOLLAYAH_NO_HISTORY=1.
  bool history = true;

  // Transport
  std::string socket_path;  // empty: core::default_socket_path()

  GatewayConfig gateway;
};

struct ConfigError {
  std::string message;
};

// Defaults, overlaid with the file at `path` (when it exists) and then the environment.
// A file that exists but does not parse is an error that names the line.
std::optional<ConfigError> load_config(Config& config, const std::string& path);

// Only the environment layer (used by load_config; exposed for tests).
void apply_environment(Config& config);

// The file layer from TOML text (load_config reads the file; tests and the fuzzer call this).
// `source` names the text in messages.
std::optional<ConfigError> apply_config_text(Config& config, std::string_view text, const std::string& source);

}  // namespace yollayah::core
