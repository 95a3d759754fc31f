#include "core/config.hpp"

#include "protocol/utf8.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

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

// A mistake in the file, reported with where it is; thrown inside the loader only and turned into
// a ConfigError at its edge.
struct FileError {
  std::string message;
};

int line_of(const toml::node& n) { return static_cast<int>(n.source().begin.line); }

[[noreturn]] void fail(const toml::node& at, const std::string& what) {
  throw FileError{"line " + std::to_string(line_of(at)) + ": " + what};
}

std::string string_field(const toml::node& n, std::string_view key) {
  if (auto v = n.value<std::string>()) return *v;
  fail(n, std::string(key) + " must be a string");
}

std::int64_t int_field(const toml::node& n, std::string_view key, std::int64_t min, std::int64_t max) {
  auto v = n.value<std::int64_t>();
  if (!v || *v < min || *v > max) {
    fail(n, std::string(key) + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return *v;
}

bool bool_field(const toml::node& n, std::string_view key) {
  if (auto v = n.value<bool>()) return *v;
  fail(n, std::string(key) + " must be true or false");
}

std::chrono::milliseconds ms_field(const toml::node& n, std::string_view key) {
  return std::chrono::milliseconds(int_field(n, key, 1, 24LL * 3600 * 1000));
}

constexpr std::string_view kBackendKeys =
    "name, kind, url, models, priority, max_concurrent, max_queue, queue_timeout_ms, api_key_env, ca_file, "
    "tls_insecure, connect_timeout_ms, probe_timeout_ms, first_token_timeout_ms, load_timeout_ms, idle_timeout_ms";

BackendEntry parse_backend(const toml::table& t, std::size_t index) {
  BackendEntry b;
  b.line = line_of(t);
  for (const auto& [key_node, value] : t) {
    const std::string_view key = key_node.str();
    if (key == "name") b.name = string_field(value, key);
    else if (key == "kind") b.kind = string_field(value, key);
    else if (key == "url") b.url = string_field(value, key);
    else if (key == "models") {
      const auto* list = value.as_array();
      if (!list) fail(value, "models must be a list of patterns, e.g. [\"llama3*\", \"qwen*\"]");
      b.models.clear();
      for (const auto& m : *list) b.models.push_back(string_field(m, "each model pattern"));
      if (b.models.empty()) fail(value, "models is empty: this backend would serve nothing (use [\"*\"] for all)");
    } else if (key == "priority") b.priority = static_cast<int>(int_field(value, key, 0, 1000));
    else if (key == "max_concurrent") b.max_concurrent = static_cast<std::uint32_t>(int_field(value, key, 1, 10000));
    else if (key == "max_queue") b.max_queue = static_cast<std::uint32_t>(int_field(value, key, 0, 100000));
    else if (key == "queue_timeout_ms") b.queue_timeout = ms_field(value, key);
    else if (key == "api_key_env") b.api_key_env = string_field(value, key);
    else if (key == "ca_file") b.ca_file = string_field(value, key);
    else if (key == "tls_insecure") b.tls_insecure = bool_field(value, key);
    else if (key == "connect_timeout_ms") b.connect_timeout = ms_field(value, key);
    else if (key == "probe_timeout_ms") b.probe_timeout = ms_field(value, key);
    else if (key == "first_token_timeout_ms") b.first_token_timeout = ms_field(value, key);
    else if (key == "load_timeout_ms") b.load_timeout = ms_field(value, key);
    else if (key == "idle_timeout_ms") b.idle_timeout = ms_field(value, key);
    else if (key == "api_key") fail(value, "api_key does not belong in the file: put the key in an environment variable and name it with api_key_env");
    else fail(value, "unknown key \"" + std::string(key) + "\" in [[backend]]; known keys: " + std::string(kBackendKeys));
  }
  if (b.kind != "ollama" && b.kind != "openai") fail(t, "kind must be \"ollama\" or \"openai\", not \"" + b.kind + "\"");
  if (b.url.empty()) fail(t, "this [[backend]] has no url (e.g. url = \"http://127.0.0.1:11434\")");
  if (b.name.empty()) b.name = "backend-" + std::to_string(index + 1);
  return b;
}

void apply_backends(Config& c, const toml::array& list) {
  c.backends.clear();
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto* t = list[i].as_table();
    if (!t) fail(list[i], "each [[backend]] must be a table");
    auto b = parse_backend(*t, i);
    for (const auto& other : c.backends)
      if (other.name == b.name) fail(*t, "two backends are named \"" + b.name + "\" (the other is at line " + std::to_string(other.line) + ")");
    c.backends.push_back(std::move(b));
  }
}

constexpr std::string_view kAgentKeys = "id, name, model, system_prompt, max_tokens";

bool valid_agent_id(std::string_view id) {
  if (id.empty() || id.size() > 100) return false;
  for (const char ch : id)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_')) return false;
  return true;
}

AgentEntry parse_agent(const toml::table& t) {
  AgentEntry a;
  a.line = line_of(t);
  for (const auto& [key_node, value] : t) {
    const std::string_view key = key_node.str();
    if (key == "id") a.id = string_field(value, key);
    else if (key == "name") a.name = string_field(value, key);
    else if (key == "model") a.model = string_field(value, key);
    else if (key == "system_prompt") a.system_prompt = string_field(value, key);
    else if (key == "max_tokens") a.max_tokens = static_cast<std::uint32_t>(int_field(value, key, 1, 1'000'000));
    else fail(value, "unknown key \"" + std::string(key) + "\" in [[agent]]; known keys: " + std::string(kAgentKeys));
  }
  if (a.id.empty()) fail(t, "this [[agent]] has no id (e.g. id = \"data-scientist\")");
  if (!valid_agent_id(a.id))
    fail(t, "agent id \"" + a.id + "\" must be 1-100 characters of a-z, 0-9, '-' and '_' (it is what the model writes in [yolla:task start ID …])");
  if (a.name.size() > 100) fail(t, "agent name must be at most 100 bytes");
  return a;
}

void apply_agents(Config& c, const toml::array& list) {
  c.agents.clear();
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto* t = list[i].as_table();
    if (!t) fail(list[i], "each [[agent]] must be a table");
    auto a = parse_agent(*t);
    for (const auto& other : c.agents)
      if (other.id == a.id) fail(*t, "two agents have the id \"" + a.id + "\" (the other is at line " + std::to_string(other.line) + ")");
    c.agents.push_back(std::move(a));
  }
}

void apply_agent_limits(Config& c, const toml::table& t) {
  for (const auto& [key_node, value] : t) {
    const std::string_view key = key_node.str();
    if (key == "max_active") c.agents_max_active = static_cast<std::uint32_t>(int_field(value, key, 1, 256));
    else if (key == "max_depth") c.agents_max_depth = static_cast<std::uint32_t>(int_field(value, key, 0, 4));
    else if (key == "time_limit_ms") c.agent_time_limit = ms_field(value, key);
    else fail(value, "unknown key \"" + std::string(key) + "\" in [agents]; known keys: max_active, max_depth, time_limit_ms");
  }
}

std::vector<std::string> string_list(const toml::node& n, std::string_view key) {
  const auto* list = n.as_array();
  if (!list) fail(n, std::string(key) + " must be a list of strings");
  std::vector<std::string> out;
  for (const auto& item : *list) out.push_back(string_field(item, key));
  return out;
}

constexpr std::string_view kGatewayKeys = "listen, auth, api_keys_env, allowed_origins, record";

void apply_gateway(GatewayConfig& g, const toml::table& t) {
  g.line = line_of(t);
  for (const auto& [key_node, value] : t) {
    const std::string_view key = key_node.str();
    if (key == "listen") g.listen = string_field(value, key);
    else if (key == "auth") {
      g.auth = string_field(value, key);
      if (g.auth != "token" && g.auth != "none") fail(value, "auth must be \"token\" or \"none\"");
    } else if (key == "api_keys_env") {
      g.api_keys_env = value.is_string() ? std::vector<std::string>{string_field(value, key)} : string_list(value, key);
    } else if (key == "allowed_origins") g.allowed_origins = string_list(value, key);
    else if (key == "record") g.record = bool_field(value, key);
    else if (key == "api_keys") fail(value, "API keys do not belong in the file: put them in environment variables and name those with api_keys_env");
    else fail(value, "unknown key \"" + std::string(key) + "\" in [gateway]; known keys: " + std::string(kGatewayKeys));
  }
}

void apply_history(Config& c, const toml::table& t) {
  for (const auto& [key_node, value] : t) {
    const std::string_view key = key_node.str();
    if (key == "enabled") c.history = bool_field(value, "enabled");
    else fail(value, "unknown key \"" + std::string(key) + "\" in [history]; known keys: enabled");
  }
}

void apply_file(Config& c, const toml::table& t) {
  if (const auto* node = t["agent"].node()) {
    const auto* list = node->as_array();
    if (!list) fail(*node, "agents are written as [[agent]] tables (two brackets), one per agent");
    apply_agents(c, *list);
  }
  if (const auto* node = t["agents"].node()) {
    const auto* limits = node->as_table();
    if (!limits) fail(*node, "[agents] must be a table (max_active, max_depth, time_limit_ms)");
    apply_agent_limits(c, *limits);
  }
  if (const auto* gateway = t["gateway"].as_table()) apply_gateway(c.gateway, *gateway);
  if (const auto* backend = t["backend"].as_table()) {  // the one-server form: [backend] ollama_host, model
    if (auto v = (*backend)["ollama_host"].value<std::string>()) c.ollama_host = *v;
    if (auto v = (*backend)["model"].value<std::string>()) c.model = *v;
  } else if (const auto* list = t["backend"].as_array()) {
    apply_backends(c, *list);
  }
  if (auto v = t["routing"]["default_model"].value<std::string>()) c.model = *v;
  if (const auto* v = t["routing"]["mid_stream_fallback"].node()) c.mid_stream_fallback = bool_field(*v, "mid_stream_fallback");
  if (const auto* v = t["mid_stream_fallback"].node()) c.mid_stream_fallback = bool_field(*v, "mid_stream_fallback");
  if (const auto* v = t["routing"]["breaker_failures"].node())
    c.breaker_failures = static_cast<std::uint32_t>(int_field(*v, "breaker_failures", 1, 1000));
  if (const auto* v = t["routing"]["breaker_open_ms"].node()) c.breaker_open = ms_field(*v, "breaker_open_ms");
  if (const auto* v = t["routing"]["breaker_open_max_ms"].node()) c.breaker_open_max = ms_field(*v, "breaker_open_max_ms");
  if (const auto* aliases = t["model_alias"].as_table()) {
    for (const auto& [name, target] : *aliases) c.model_aliases[std::string(name.str())] = string_field(target, name.str());
  }
  if (auto v = t["conductor"]["model"].value<std::string>()) c.model = *v;
  if (auto v = t["conductor"]["system_prompt"].value<std::string>()) c.system_prompt = *v;
  if (auto v = t["conductor"]["greet"].value<bool>()) c.greet = *v;
  if (const auto* v = t["conductor"]["history"].node()) c.history = bool_field(*v, "history");
  if (const auto* node = t["history"].node()) {
    const auto* section = node->as_table();
    if (!section) fail(*node, "[history] must be a table (enabled = true or false)");
    apply_history(c, *section);
  }
  if (const auto* v = t["conductor"]["max_context"].node())
    c.max_context = static_cast<std::uint32_t>(int_field(*v, "max_context", 1, 100000));
  if (const auto* v = t["conductor"]["max_answer_bytes"].node())
    c.max_answer_bytes = static_cast<std::size_t>(int_field(*v, "max_answer_bytes", 1024, 1LL << 30));
  if (const auto* v = t["transport"]["connect_timeout_ms"].node()) c.connect_timeout = ms_field(*v, "connect_timeout_ms");
  if (const auto* v = t["transport"]["read_timeout_ms"].node()) c.idle_timeout = ms_field(*v, "read_timeout_ms");
  if (auto v = t["transport"]["socket_path"].value<std::string>()) c.socket_path = *v;
  // A Handshake and a short message must fit; past 64 MiB one frame would hold the loop for long.
  if (const auto* v = t["security"]["max_message_size"].node())
    c.max_message_bytes = static_cast<std::size_t>(int_field(*v, "max_message_size", 1024, 64LL << 20));
}

// The code point of the valid UTF-8 character that starts s, and its length; 0 when invalid.
std::size_t utf8_char(std::string_view s, char32_t& cp) {
  const auto b = static_cast<unsigned char>(s[0]);
  const std::size_t len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0;
  if (len == 0 || s.size() < len || protocol::find_invalid_utf8(s.substr(0, len)) != protocol::kValidUtf8) return 0;
  cp = len == 2 ? b & 0x1Fu : len == 3 ? b & 0x0Fu : b & 0x07u;
  for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[k]) & 0x3Fu);
  return len;
}

// toml++ 3.3 (the packaged one) reaches __builtin_unreachable, undefined behaviour, when it asks
// whether certain non-ASCII characters (U+00A1-U+0499, U+2DDE-U+31D7 but U+3000, U+FEC6-U+FEFE)
// are whitespace: marzer/tomlplusplus#190 and #295, fixed upstream by #305 (2026), found here by
// fuzz_config_loader. It asks for a character outside strings and comments, where TOML allows no
// non-ASCII one, so that is refused here first, naming the line; for one right after a backslash
// in a """ string (an invalid escape, refused too); and for the first character after a
// line-ending backslash there, which is valid TOML: that one is written as its \u escape, which
// means the same. Returns an error, or the text to parse (`rewritten` when it had to change).
std::optional<std::string> guard_toml_unicode_bug(std::string_view text, std::string& rewritten) {
  enum class In { Toml, Comment, Basic, Literal, MultiBasic, MultiLiteral } in = In::Toml;
  const auto fail_at = [&](std::size_t pos, const char* what) {
    const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n');
    return "line " + std::to_string(line) + ": " + what;
  };
  const auto quotes_at = [&](std::size_t pos, char q) {
    std::size_t n = 0;
    while (pos + n < text.size() && text[pos + n] == q) ++n;
    return n;
  };
  std::vector<std::size_t> escapes;  // where the characters to escape are
  // Out in the TOML: the last character other than a space, whether a key or a value comes next,
  // and the open brackets ('h' a table header's, '[' an array's, '{' an inline table's).
  char prev = '\n';
  bool key = true;
  bool bare = false;
  std::string nesting;
  std::size_t i = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    switch (in) {
      case In::Toml:
        if (c >= 0x80) return fail_at(i, "a non-ASCII character outside a string or comment");
        if (bare) {  // toml++ reads a bare value up to a space, ']', '}', ',' or '#', quotes included
          if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != ']' && c != '}' && c != ',' && c != '#') {
            ++i;
            break;
          }
          bare = false;
        }
        if (!key && c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '"' && c != '\'' && c != '[' &&
            c != '{' && c != ']' && c != '}' && c != ',' && c != '#' && c != '=') {
          bare = true;  // a number, boolean or date
          prev = static_cast<char>(c);
          ++i;
          break;
        }
        if (c == '"' || c == '\'') {
          // A quote opens a string only where TOML allows one; elsewhere (`x = 2"é"`) toml++
          // reads it as part of a bare value, up to a space or bracket, asking about every
          // character, so it stays out here.
          if (prev == '\n' || prev == '=' || prev == '[' || prev == '{' || prev == ',' || (prev == '.' && key)) {
            const bool multi = quotes_at(i, static_cast<char>(c)) >= 3;
            in = c == '"' ? (multi ? In::MultiBasic : In::Basic) : (multi ? In::MultiLiteral : In::Literal);
            i += multi ? 3 : 1;
            break;
          }
        } else if (c == '#') {
          in = In::Comment;
        } else if (c == '\n') {
          key = nesting.empty() || nesting.back() != '[';  // arrays may span lines
        } else if (c == '=') {
          key = false;
        } else if (c == '{') {
          nesting.push_back('{');
          key = true;
        } else if (c == '[') {
          const bool header = key && (nesting.empty() || (nesting.back() == 'h' && prev == '['));
          nesting.push_back(header ? 'h' : '[');
          key = header;
        } else if (c == ']' || c == '}') {
          if (!nesting.empty()) nesting.pop_back();
          key = !nesting.empty() && nesting.back() == 'h';
        } else if (c == ',') {
          key = !nesting.empty() && nesting.back() == '{';
        }
        if (c != ' ' && c != '\t' && c != '\r') prev = static_cast<char>(c);
        ++i;
        break;
      case In::Comment:
        if (c == '\n') {
          in = In::Toml;
          continue;  // the newline, out there
        }
        ++i;
        break;
      case In::Basic:
      case In::Literal:
        if (c == '\n') {  // unterminated: toml++ stops there with its own error
          i = text.size();
          break;
        }
        if (c == (in == In::Basic ? '"' : '\'')) {
          in = In::Toml;
          prev = static_cast<char>(c);
        }
        i += in == In::Basic && c == '\\' ? 2 : 1;
        break;
      case In::MultiLiteral:
      case In::MultiBasic: {
        const char q = in == In::MultiBasic ? '"' : '\'';
        if (text[i] == q && quotes_at(i, q) >= 3) {
          i += std::min<std::size_t>(quotes_at(i, q), 5);  // up to two quotes may precede the delimiter
          in = In::Toml;
          prev = q;
          break;
        }
        if (in == In::MultiLiteral || c != '\\') {
          ++i;
          break;
        }
        std::size_t j = i + 1;
        bool line_end = false;
        while (j < text.size() && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r' || text[j] == '\n')) {
          line_end = line_end || text[j] == '\n';
          ++j;
        }
        if (j < text.size() && static_cast<unsigned char>(text[j]) >= 0x80) {
          if (j == i + 1 || !line_end) return fail_at(j, "a backslash before a non-ASCII character (not an escape)");
          escapes.push_back(j);
        }
        i = j == i + 1 ? i + 2 : j;  // an escape: skip the escaped character
        break;
      }
    }
  }
  if (escapes.empty()) return std::nullopt;
  rewritten.clear();
  std::size_t from = 0;
  for (const std::size_t at : escapes) {
    char32_t cp = 0;
    const std::size_t len = utf8_char(text.substr(at), cp);
    if (len == 0) continue;  // not UTF-8: toml++ refuses it before asking anything
    rewritten.append(text.substr(from, at - from));
    char buf[16];
    std::snprintf(buf, sizeof buf, cp > 0xFFFF ? "\\U%08X" : "\\u%04X", static_cast<unsigned>(cp));
    rewritten.append(buf);
    from = at + len;
  }
  rewritten.append(text.substr(from));
  return std::nullopt;
}

// API keys come from the environment, named in the file, so the file can be shared and kept in git.
void read_api_keys(Config& c) {
  c.gateway.api_keys.clear();
  for (const auto& name : c.gateway.api_keys_env) {
    if (const char* key = env(name.c_str())) {
      c.gateway.api_keys.emplace_back(key);
    } else {
      c.warnings.push_back("[gateway] api_keys_env names " + name + ", which is not set; it adds no key");
    }
  }
  for (auto& b : c.backends) {
    if (b.api_key_env.empty()) continue;
    if (const char* key = env(b.api_key_env.c_str())) {
      b.api_key = key;
    } else {
      c.warnings.push_back("backend \"" + b.name + "\": api_key_env names " + b.api_key_env +
                           ", which is not set; its requests go without a key");
    }
  }
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
  if (const char* v = env("YOLLAYAH_NO_HISTORY"); v && parse_bool(v)) c.history = false;
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

std::optional<ConfigError> apply_config_text(Config& c, std::string_view text, const std::string& source) {
  std::string rewritten;
  if (auto err = guard_toml_unicode_bug(text, rewritten)) return ConfigError{source + ": " + *err};
  if (!rewritten.empty()) text = rewritten;
  try {
    apply_file(c, toml::parse(text, source));
  } catch (const toml::parse_error& e) {
    return ConfigError{source + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()) +
                       " (fix the file or move it aside)"};
  } catch (const FileError& e) {
    return ConfigError{source + ": " + e.message};
  }
  return std::nullopt;
}

std::optional<ConfigError> load_config(Config& c, const std::string& path) {
  std::error_code ec;
  if (!path.empty() && std::filesystem::exists(path, ec)) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return ConfigError{path + ": cannot be read (check its permissions)"};
    std::ostringstream text;
    text << in.rdbuf();
    if (auto err = apply_config_text(c, text.str(), path)) return err;
  }
  apply_environment(c);
  read_api_keys(c);
  return std::nullopt;
}

}  // namespace yollayah::core
