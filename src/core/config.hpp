// Conductor configuration. Precedence: flags (applied by the app), then environment, then the
// TOML file, then these defaults. Loading reads a file, so it runs at start-up, before any event
// loop, or on the blocking-work thread (SIGHUP reload).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace yollayah::core {

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

  // Limits (anchor-core §6)
  std::size_t max_message_bytes = 100 * 1024;
  std::uint32_t max_messages_per_minute = 30;
  std::size_t max_session_messages = 1000;
  std::size_t max_session_bytes = 10 * 1024 * 1024;

  // Transport
  std::string socket_path;  // empty: core::default_socket_path()
};

struct ConfigError {
  std::string message;
};

// Defaults, overlaid with the file at `path` (when it exists) and then the environment.
// A file that exists but does not parse is an error that names the line.
std::optional<ConfigError> load_config(Config& config, const std::string& path);

// Only the environment layer (used by load_config; exposed for tests).
void apply_environment(Config& config);

}  // namespace yollayah::core
