#include "backend/ollama_host.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <optional>

namespace yollayah::backend {
namespace {

std::string_view trim(std::string_view s, std::string_view chars) {
  auto b = s.find_first_not_of(chars);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(chars) - b + 1);
}

std::optional<std::uint16_t> parse_port(std::string_view s) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

struct HostPort {
  std::string_view host, port;
};

// Go's net.SplitHostPort: "host:port" or "[v6]:port"; fails without a port or with a bare v6.
std::optional<HostPort> split_host_port(std::string_view s) {
  if (s.starts_with('[')) {
    auto close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':') return std::nullopt;
    return HostPort{s.substr(1, close - 1), s.substr(close + 2)};
  }
  auto colon = s.rfind(':');
  if (colon == std::string_view::npos || s.find(':') != colon) return std::nullopt;
  return HostPort{s.substr(0, colon), s.substr(colon + 1)};
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

std::string Endpoint::host_header() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string Endpoint::base_url() const { return scheme + "://" + host_header() + base_path; }

Endpoint parse_ollama_host(std::string_view value) {
  value = trim(trim(trim(value, " \t\r\n"), "\"'"), " \t\r\n");
  Endpoint ep;
  std::uint16_t default_port = 11434;
  std::string_view rest = value;
  if (auto sep = value.find("://"); sep != std::string_view::npos) {
    ep.scheme = lower(value.substr(0, sep));
    rest = value.substr(sep + 3);
    if (ep.scheme == "http") default_port = 80;
    if (ep.scheme == "https") default_port = 443;
  }

  std::string_view hostport = rest.substr(0, rest.find('/'));
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    auto path = trim(rest.substr(slash), "/");
    if (!path.empty()) ep.base_path = "/" + std::string(path);
  }

  std::string_view host;
  std::optional<std::uint16_t> port;
  if (auto hp = split_host_port(hostport)) {
    host = hp->host;
    port = parse_port(hp->port);
  } else {
    host = trim(hostport, "[]");
  }
  ep.port = port.value_or(default_port);
  ep.host = lower(host);
  if (ep.host.empty() || ep.host == "0.0.0.0") ep.host = "127.0.0.1";
  if (ep.host == "::") ep.host = "::1";
  return ep;
}

Endpoint ollama_host_from_env() {
  const char* v = std::getenv("OLLAMA_HOST");
  return parse_ollama_host(v ? v : "");
}

}  // namespace yollayah::backend
