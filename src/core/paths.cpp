#include "core/paths.hpp"

#include <unistd.h>

#include <cstdlib>

namespace yollayah::core {
namespace {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string xdg(const char* var, const char* home_fallback) {
  std::string base = env_or_empty(var);
  if (base.empty()) base = env_or_empty("HOME") + home_fallback;
  return base + "/ai-way";
}

}  // namespace

std::string runtime_dir() {
  std::string base = env_or_empty("XDG_RUNTIME_DIR");
  if (!base.empty()) return base + "/ai-way";
  return "/tmp/ai-way-" + std::to_string(::getuid());
}

std::string config_file() { return xdg("XDG_CONFIG_HOME", "/.config") + "/conductor.toml"; }
std::string data_dir() { return xdg("XDG_DATA_HOME", "/.local/share"); }
std::string log_dir() { return xdg("XDG_STATE_HOME", "/.local/state") + "/logs"; }

std::string default_socket_path() {
  std::string s = env_or_empty("CONDUCTOR_SOCKET");
  return s.empty() ? runtime_dir() + "/conductor.sock" : s;
}

}  // namespace yollayah::core
