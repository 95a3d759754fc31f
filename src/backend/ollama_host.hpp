// Where a model server is: OLLAMA_HOST parsed the way Ollama's own client parses it, and the
// strict url of a [[backend]] entry.
#pragma once

#include <boost/system/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace yollayah::backend {

struct Endpoint {
  std::string scheme = "http";  // "http" or "https" (anything else is kept, and refused on connect)
  std::string host = "127.0.0.1";
  std::uint16_t port = 11434;
  std::string base_path;        // "" or "/prefix", never a trailing slash

  bool tls() const { return scheme == "https"; }
  std::string host_header() const;  // "host:port", an IPv6 address in brackets
  std::string base_url() const;     // "http://127.0.0.1:11434" (+ base_path)
  std::string url(std::string_view path) const { return base_url() + std::string(path); }
  std::string target(std::string_view path) const { return base_path + std::string(path); }
};

// Accepts "", "host", "host:port", ":port", "[::1]:port", "http://host:port", "https://host",
// each optionally followed by a path prefix. As in Ollama: without a scheme the port defaults to
// 11434, with http:// to 80 and with https:// to 443; a bad port falls back to the default.
// 0.0.0.0 (and ::, or an empty host) mean "this machine" and become 127.0.0.1 (::1).
Endpoint parse_ollama_host(std::string_view value);

// Why `value` is not a well-formed host for parse_ollama_host (a port that is not a number from 1
// to 65535 or is missing after ':', a scheme other than http(s), a stray bracket, a character no
// host name has), as one line that ends with the accepted forms; nullopt when it is well formed.
// parse_ollama_host itself stays lenient, as Ollama's client is: callers that take the value from
// the user (a flag, OLLAMA_HOST) refuse it with this line instead of silently using 11434.
std::optional<std::string> ollama_host_error(std::string_view value);

// parse_ollama_host(getenv("OLLAMA_HOST")).
Endpoint ollama_host_from_env();

// A [[backend]] url, strictly: the scheme is required (http or https) and gives the default port
// (80 or 443, never Ollama's 11434); a malformed port, an empty host, an IPv6 address without
// brackets, credentials, a query or a fragment are errors; a path is kept as base_path
// ("https://host/v1" → base_path "/v1"). The error is one sentence for the user, quoting the url.
// (The error type is a plain string: test with `if (!r)`, read with `*r` and `r.error()`.)
boost::system::result<Endpoint, std::string> parse_backend_url(std::string_view url);

}  // namespace yollayah::backend
