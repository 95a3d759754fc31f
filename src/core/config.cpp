#include "core/config.hpp"

#include <toml++/toml.h>

#include <cstdlib>
#include <filesystem>

namespace yollayah::core {
namespace {

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return (v && *v) ? v : nullptr;
}

bool parse_bool(std::string_view v) { return !(v == "0" || v == "false" || v == "no" || v == "off"); }

template <class T>
void set_number(T& field, const char* name) {
  if (const char* v = env(name)) {
    char* end = nullptr;
    auto n = std::strtoull(v, &end, 10);
    if (end && *end == '\0') field = static_cast<T>(n);
  }
}

void apply_file(Config& c, const toml::table& t) {
  if (auto v = t["backend"]["ollama_host"].value<std::string>()) c.ollama_host = *v;
  if (auto v = t["backend"]["model"].value<std::string>()) c.model = *v;
  if (auto v = t["routing"]["default_model"].value<std::string>()) c.model = *v;
  if (auto v = t["conductor"]["system_prompt"].value<std::string>()) c.system_prompt = *v;
  if (auto v = t["conductor"]["greet"].value<bool>()) c.greet = *v;
  if (auto v = t["conductor"]["max_context"].value<std::int64_t>()) c.max_context = static_cast<std::uint32_t>(*v);
  if (auto v = t["transport"]["connect_timeout_ms"].value<std::int64_t>()) c.connect_timeout = std::chrono::milliseconds(*v);
  if (auto v = t["transport"]["read_timeout_ms"].value<std::int64_t>(); v && *v > 0) c.idle_timeout = std::chrono::milliseconds(*v);
  if (auto v = t["transport"]["socket_path"].value<std::string>()) c.socket_path = *v;
  if (auto v = t["security"]["max_message_size"].value<std::int64_t>()) c.max_message_bytes = static_cast<std::size_t>(*v);
}

}  // namespace

void apply_environment(Config& c) {
  if (const char* v = env("OLLAMA_HOST")) c.ollama_host = v;
  else if (const char* y = env("YOLLAYAH_OLLAMA_HOST")) c.ollama_host = y;
  if (const char* p = env("OLLAMA_PORT"); p && c.ollama_host.find(':') == std::string::npos && !c.ollama_host.empty())
    c.ollama_host += std::string(":") + p;
  if (const char* v = env("YOLLAYAH_MODEL")) c.model = v;
  if (const char* v = env("YOLLAYAH_GREET")) c.greet = parse_bool(v);
  if (const char* v = env("YOLLAYAH_SYSTEM_PROMPT")) c.system_prompt = v;
  set_number(c.max_context, "YOLLAYAH_MAX_CONTEXT");
  if (const char* v = env("CONDUCTOR_ADDITIONAL_AGENTS")) c.additional_agents = v;
  if (const char* v = env("CONDUCTOR_SOCKET")) c.socket_path = v;
  set_number(c.max_message_bytes, "CONDUCTOR_MAX_MESSAGE_SIZE");
  set_number(c.max_messages_per_minute, "CONDUCTOR_MAX_MESSAGES_PER_MINUTE");
  set_number(c.max_session_messages, "CONDUCTOR_MAX_SESSION_MESSAGES");
  set_number(c.max_session_bytes, "CONDUCTOR_MAX_SESSION_CONTENT_BYTES");
  std::uint64_t ms = 0;
  set_number(ms, "CONDUCTOR_CONNECT_TIMEOUT");
  if (ms) c.connect_timeout = std::chrono::milliseconds(ms);
  ms = 0;
  set_number(ms, "CONDUCTOR_READ_TIMEOUT");
  if (ms) c.idle_timeout = std::chrono::milliseconds(ms);
}

std::optional<ConfigError> load_config(Config& c, const std::string& path) {
  std::error_code ec;
  if (!path.empty() && std::filesystem::exists(path, ec)) {
    try {
      apply_file(c, toml::parse_file(path));
    } catch (const toml::parse_error& e) {
      return ConfigError{path + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()) +
                         " (fix the file or move it aside)"};
    }
  }
  apply_environment(c);
  return std::nullopt;
}

}  // namespace yollayah::core
