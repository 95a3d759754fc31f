#include "backend/ollama_host.hpp"

#include <boost/asio/ip/address_v6.hpp>

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

namespace {

constexpr const char* kAcceptedForms =
    "; use host, host:port, :port, [v6]:port or http(s)://host[:port][/path]";

std::optional<std::string> port_error(std::string_view port) {
  if (port.empty()) return "the port after ':' is missing";
  if (!std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }))
    return "the port '" + std::string(port) + "' is not a number";
  if (auto p = parse_port(port); !p || *p == 0) return "the port " + std::string(port) + " is not in 1-65535";
  return std::nullopt;
}

std::optional<std::string> name_error(std::string_view host) {
  for (const char c : host) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_') continue;
    if (u < 0x20 || u == 0x7f) return std::string("the host name contains a control character");
    if (u >= 0x80) return std::string("the host name is not ASCII (write an international name in its xn-- form)");
    return "the host name contains '" + std::string(1, c) + "'";
  }
  return std::nullopt;
}

bool is_v6_address(std::string_view host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address_v6(std::string(host), ec);  // takes a %zone too
  return !ec;
}

std::optional<std::string> host_error(std::string_view value) {
  std::string_view rest = value;
  if (auto sep = value.find("://"); sep != std::string_view::npos) {
    const std::string scheme = lower(value.substr(0, sep));
    if (scheme != "http" && scheme != "https") return "the scheme '" + scheme + "' is neither http nor https";
    rest = value.substr(sep + 3);
  }
  const std::string_view hostport = rest.substr(0, rest.find('/'));
  if (hostport.starts_with('[')) {
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) return std::string("'[' has no closing ']'");
    const auto host = hostport.substr(1, close - 1);
    if (!is_v6_address(host)) return "'" + std::string(host) + "' in brackets is not an IPv6 address";
    const auto after = hostport.substr(close + 1);
    if (after.empty()) return std::nullopt;
    if (after[0] != ':') return "'" + std::string(after) + "' after ']' is not ':port'";
    return port_error(after.substr(1));
  }
  if (hostport.find(']') != std::string_view::npos) return std::string("']' has no opening '['");
  const auto colons = std::count(hostport.begin(), hostport.end(), ':');
  if (colons > 1) {  // a bare IPv6 address, without a port
    if (is_v6_address(hostport)) return std::nullopt;
    return "'" + std::string(hostport) + "' is not an IPv6 address (one with a port goes in brackets)";
  }
  if (colons == 1) {
    const auto colon = hostport.find(':');
    if (auto e = name_error(hostport.substr(0, colon))) return e;
    return port_error(hostport.substr(colon + 1));
  }
  return name_error(hostport);
}

}  // namespace

std::optional<std::string> ollama_host_error(std::string_view value) {
  value = trim(trim(trim(value, " \t\r\n"), "\"'"), " \t\r\n");
  if (auto e = host_error(value)) return *e + kAcceptedForms;
  return std::nullopt;
}

Endpoint ollama_host_from_env() {
  const char* v = std::getenv("OLLAMA_HOST");
  return parse_ollama_host(v ? v : "");
}

namespace {

bool path_char(char c) { return static_cast<unsigned char>(c) > 0x20 && c != 0x7f; }

}  // namespace

boost::system::result<Endpoint, std::string> parse_backend_url(std::string_view url) {
  url = trim(url, " \t\r\n");
  const std::string quoted = "\"" + std::string(url) + "\"";
  auto bad = [&](const std::string& why) -> boost::system::result<Endpoint, std::string> {
    return boost::system::result<Endpoint, std::string>(boost::system::in_place_error,
                                                        "the url " + quoted + " " + why);
  };
  const auto sep = url.find("://");
  if (sep == std::string_view::npos) {
    return bad("has no scheme: write http://" + std::string(url) + " or https://" + std::string(url));
  }
  Endpoint ep;
  ep.scheme = lower(url.substr(0, sep));
  if (ep.scheme != "http" && ep.scheme != "https") {
    return bad("has the scheme \"" + ep.scheme + "\"; a backend is reached over http:// or https://");
  }
  std::string_view rest = url.substr(sep + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) return bad("has a query or fragment; give the base only");

  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (authority.find('@') != std::string_view::npos) {
    return bad("holds credentials; put the API key in an environment variable named by api_key_env");
  }
  std::string_view host, port;
  bool has_port = false;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad("has an IPv6 address without its closing ]");
    host = authority.substr(1, close - 1);
    auto after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return bad("has something other than :PORT after the IPv6 address");
    has_port = !after.empty();
    if (has_port) port = after.substr(1);
    if (!host.empty() && !is_v6_address(host)) return bad("has an invalid IPv6 address in brackets");
  } else {
    const auto colon = authority.find(':');
    if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string_view::npos) {
      return bad("has an IPv6 address without brackets: write it as [ADDRESS]:PORT");
    }
    host = authority.substr(0, colon);
    has_port = colon != std::string_view::npos;
    if (has_port) port = authority.substr(colon + 1);
    if (auto why = name_error(host)) return bad("is malformed: " + *why);
  }
  if (host.empty()) return bad("has no host");
  ep.host = lower(host);
  ep.port = ep.tls() ? 443 : 80;
  if (has_port) {
    if (auto why = port_error(port)) return bad("is malformed: " + *why);
    ep.port = *parse_port(port);
  }
  if (slash != std::string_view::npos) {
    auto path = rest.substr(slash);
    if (!std::all_of(path.begin(), path.end(), path_char)) return bad("has spaces or control characters in its path");
    path = trim(path, "/");
    if (!path.empty()) ep.base_path = "/" + std::string(path);
  }
  return ep;
}

}  // namespace yollayah::backend
