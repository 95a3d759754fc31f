// Fuzzes the conductor.toml layer of the configuration (core::apply_config_text, which load_config
// calls with the file's text), with toml++ compiled into the target so that its parser is
// instrumented too. Checked:
// - the text either loads or gives a ConfigError that names the source and a line of the text
//   ("<source>:<line>: …" from the TOML parser, "<source>: line <line>: …" from our checks), in
//   valid UTF-8 (the message reaches a terminal);
// - whatever loads is within the ranges the loader enforces: every [[backend]] has a kind of
//   "ollama" or "openai", a url, a unique non-empty name, at least one model pattern, priority
//   0-1000, max_concurrent 1-10000, max_queue 0-100000, timeouts from 1 ms to 24 h; the breaker's
//   failures 1-1000 and open times 1 ms-24 h; max_answer_bytes 1 KiB-1 GiB;
// - loading is deterministic and idempotent: a second default Config loaded from the same text
//   gives the same Config (or the same error), and so does loading the text again on top of it.
#include "core/config.hpp"
#include "fuzz_input.hpp"
#include "protocol/utf8.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace {

using namespace yollayah;
using std::chrono::milliseconds;

[[noreturn]] void die(const char* what, std::string_view detail = {}) {
  fuzz::die("fuzz_config_loader", what, detail);
}

const std::string kSource = "conductor.toml";

bool same(const core::BackendEntry& a, const core::BackendEntry& b) {
  return a.name == b.name && a.kind == b.kind && a.url == b.url && a.models == b.models && a.priority == b.priority &&
         a.max_concurrent == b.max_concurrent && a.max_queue == b.max_queue && a.queue_timeout == b.queue_timeout &&
         a.api_key_env == b.api_key_env && a.api_key == b.api_key && a.ca_file == b.ca_file &&
         a.tls_insecure == b.tls_insecure && a.connect_timeout == b.connect_timeout &&
         a.probe_timeout == b.probe_timeout && a.first_token_timeout == b.first_token_timeout &&
         a.load_timeout == b.load_timeout && a.idle_timeout == b.idle_timeout && a.line == b.line;
}

bool same(const core::Config& a, const core::Config& b) {
  if (a.backends.size() != b.backends.size()) return false;
  for (std::size_t i = 0; i < a.backends.size(); ++i) {
    if (!same(a.backends[i], b.backends[i])) return false;
  }
  return a.ollama_host == b.ollama_host && a.model == b.model && a.system_prompt == b.system_prompt &&
         a.greet == b.greet && a.max_context == b.max_context && a.connect_timeout == b.connect_timeout &&
         a.idle_timeout == b.idle_timeout && a.additional_agents == b.additional_agents &&
         a.max_message_bytes == b.max_message_bytes && a.max_messages_per_minute == b.max_messages_per_minute &&
         a.max_session_messages == b.max_session_messages && a.max_session_bytes == b.max_session_bytes &&
         a.max_answer_bytes == b.max_answer_bytes && a.mid_stream_fallback == b.mid_stream_fallback &&
         a.breaker_failures == b.breaker_failures && a.breaker_open == b.breaker_open &&
         a.breaker_open_max == b.breaker_open_max && a.model_aliases == b.model_aliases && a.warnings == b.warnings &&
         a.socket_path == b.socket_path;
}

bool same(const std::optional<core::ConfigError>& a, const std::optional<core::ConfigError>& b) {
  return a.has_value() == b.has_value() && (!a || a->message == b->message);
}

// The line an error names, or 0 when it names none.
std::size_t named_line(std::string_view message) {
  if (!message.starts_with(kSource)) return 0;
  message.remove_prefix(kSource.size());
  if (message.starts_with(": line ")) {
    message.remove_prefix(7);
  } else if (message.starts_with(":")) {
    message.remove_prefix(1);
  } else {
    return 0;
  }
  std::size_t line = 0, digits = 0;
  for (; digits < message.size() && digits < 9 && message[digits] >= '0' && message[digits] <= '9'; ++digits) {
    line = line * 10 + static_cast<std::size_t>(message[digits] - '0');
  }
  if (digits == 0 || message.substr(digits, 2) != ": ") return 0;
  return line;
}

bool within(milliseconds v) { return v >= milliseconds(1) && v <= milliseconds(24LL * 3600 * 1000); }
bool within(const std::optional<milliseconds>& v) { return !v || within(*v); }

void check_limits(const core::Config& c, std::string_view text) {
  std::set<std::string> names;
  for (const auto& b : c.backends) {
    if (b.kind != "ollama" && b.kind != "openai") die("a backend loaded with an unknown kind", text);
    if (b.url.empty()) die("a backend loaded without a url", text);
    if (b.name.empty() || !names.insert(b.name).second) die("a backend loaded with an empty or repeated name", text);
    if (b.models.empty()) die("a backend loaded with no model pattern", text);
    if (b.priority < 0 || b.priority > 1000) die("a priority out of range loaded", text);
    if (b.max_concurrent < 1 || b.max_concurrent > 10000) die("a max_concurrent out of range loaded", text);
    if (b.max_queue > 100000) die("a max_queue out of range loaded", text);
    if (!within(b.queue_timeout) || !within(b.connect_timeout) || !within(b.probe_timeout) ||
        !within(b.first_token_timeout) || !within(b.load_timeout) || !within(b.idle_timeout)) {
      die("a backend timeout out of range loaded", text);
    }
    if (!b.api_key.empty()) die("an api_key was read from the file", text);
  }
  if (c.breaker_failures < 1 || c.breaker_failures > 1000) die("breaker_failures out of range loaded", text);
  if (!within(c.breaker_open) || !within(c.breaker_open_max)) die("a breaker time out of range loaded", text);
  if (c.max_answer_bytes < 1024 || c.max_answer_bytes > (std::size_t{1} << 30)) die("max_answer_bytes out of range", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  core::Config first;
  const auto error = core::apply_config_text(first, text, kSource);
  if (error) {
    const std::size_t line = named_line(error->message);
    std::size_t lines = 1;
    for (const char ch : text) lines += ch == '\n';
    if (line == 0 || line > lines) die("an error that names no line of the text", error->message);
    if (protocol::find_invalid_utf8(error->message) != protocol::kValidUtf8) die("an error in invalid UTF-8", error->message);
  } else {
    check_limits(first, text);
  }

  core::Config second;
  const auto error2 = core::apply_config_text(second, text, kSource);
  if (!same(error, error2) || !same(first, second)) die("loading the same text twice differed", text);
  if (!error) {
    const auto error3 = core::apply_config_text(second, text, kSource);
    if (error3 || !same(first, second)) die("loading the text again on top of itself changed the Config", text);
  }
  return 0;
}
