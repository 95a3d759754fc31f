#include "backend/ollama_host.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace yollayah::backend {
namespace {

struct HostCase {
  const char* input;
  const char* scheme;
  const char* host;
  std::uint16_t port;
  const char* base_path;
  const char* base_url;
};

class OllamaHostTable : public ::testing::TestWithParam<HostCase> {};

TEST_P(OllamaHostTable, ParsesLikeOllama) {
  const auto& c = GetParam();
  auto ep = parse_ollama_host(c.input);
  EXPECT_EQ(ep.scheme, c.scheme) << c.input;
  EXPECT_EQ(ep.host, c.host) << c.input;
  EXPECT_EQ(ep.port, c.port) << c.input;
  EXPECT_EQ(ep.base_path, c.base_path) << c.input;
  EXPECT_EQ(ep.base_url(), c.base_url) << c.input;
}

INSTANTIATE_TEST_SUITE_P(
    OllamaHost, OllamaHostTable,
    ::testing::Values(
        HostCase{"", "http", "127.0.0.1", 11434, "", "http://127.0.0.1:11434"},
        HostCase{"   ", "http", "127.0.0.1", 11434, "", "http://127.0.0.1:11434"},
        HostCase{"example.com", "http", "example.com", 11434, "", "http://example.com:11434"},
        HostCase{"127.0.0.1:11434", "http", "127.0.0.1", 11434, "", "http://127.0.0.1:11434"},
        HostCase{"10.0.0.5:8080", "http", "10.0.0.5", 8080, "", "http://10.0.0.5:8080"},
        HostCase{":8080", "http", "127.0.0.1", 8080, "", "http://127.0.0.1:8080"},
        HostCase{"0.0.0.0", "http", "127.0.0.1", 11434, "", "http://127.0.0.1:11434"},
        HostCase{"0.0.0.0:9999", "http", "127.0.0.1", 9999, "", "http://127.0.0.1:9999"},
        HostCase{"http://example.com:1234", "http", "example.com", 1234, "", "http://example.com:1234"},
        HostCase{"http://example.com", "http", "example.com", 80, "", "http://example.com:80"},
        HostCase{"https://example.com", "https", "example.com", 443, "", "https://example.com:443"},
        HostCase{"https://example.com:8443/", "https", "example.com", 8443, "", "https://example.com:8443"},
        HostCase{"HTTP://Example.COM:80", "http", "example.com", 80, "", "http://example.com:80"},
        HostCase{"http://proxy.local:8000/ollama", "http", "proxy.local", 8000, "/ollama",
                 "http://proxy.local:8000/ollama"},
        HostCase{"proxy.local/a/b/", "http", "proxy.local", 11434, "/a/b", "http://proxy.local:11434/a/b"},
        HostCase{"[::1]:11434", "http", "::1", 11434, "", "http://[::1]:11434"},
        HostCase{"::1", "http", "::1", 11434, "", "http://[::1]:11434"},
        HostCase{"[::1]", "http", "::1", 11434, "", "http://[::1]:11434"},
        HostCase{"http://[::]:5000", "http", "::1", 5000, "", "http://[::1]:5000"},
        HostCase{"\"127.0.0.1:7000\"", "http", "127.0.0.1", 7000, "", "http://127.0.0.1:7000"},
        HostCase{"'localhost'", "http", "localhost", 11434, "", "http://localhost:11434"},
        HostCase{"example.com:notaport", "http", "example.com", 11434, "", "http://example.com:11434"},
        HostCase{"example.com:70000", "http", "example.com", 11434, "", "http://example.com:11434"},
        HostCase{"https://example.com:99999", "https", "example.com", 443, "", "https://example.com:443"},
        HostCase{"example.com:", "http", "example.com", 11434, "", "http://example.com:11434"}));

class OllamaHostWellFormed : public ::testing::TestWithParam<const char*> {};

TEST_P(OllamaHostWellFormed, HasNoError) {
  EXPECT_EQ(ollama_host_error(GetParam()), std::nullopt) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(OllamaHost, OllamaHostWellFormed,
                         ::testing::Values("", "   ", "example.com", "127.0.0.1:11434", ":8080", "0.0.0.0",
                                           "localhost:1", "localhost:65535", "my_host.local", "http://example.com",
                                           "https://example.com:8443/", "HTTP://Example.COM:80",
                                           "http://proxy.local:8000/ollama", "proxy.local/a/b/", "[::1]:11434",
                                           "::1", "[::1]", "[fe80::1%eth0]:80", "http://[::]:5000",
                                           "\"127.0.0.1:7000\"", "'localhost'", "http://"));

struct BadHost {
  const char* input;
  const char* reason;  // the start of the message
};

void PrintTo(const BadHost& c, std::ostream* os) { *os << ::testing::PrintToString(std::string(c.input)); }

class OllamaHostMalformed : public ::testing::TestWithParam<BadHost> {};

TEST_P(OllamaHostMalformed, SaysWhyAndShowsTheAcceptedForms) {
  const auto& c = GetParam();
  const auto error = ollama_host_error(c.input);
  ASSERT_TRUE(error.has_value()) << c.input;
  EXPECT_TRUE(error->starts_with(c.reason)) << c.input << " -> " << *error;
  EXPECT_TRUE(error->ends_with("; use host, host:port, :port, [v6]:port or http(s)://host[:port][/path]")) << *error;
  EXPECT_EQ(error->find('\n'), std::string::npos) << *error;
}

INSTANTIATE_TEST_SUITE_P(
    OllamaHost, OllamaHostMalformed,
    ::testing::Values(BadHost{"127.0.0.1:abc", "the port 'abc' is not a number"},
                      BadHost{":99999", "the port 99999 is not in 1-65535"},
                      BadHost{":", "the port after ':' is missing"},
                      BadHost{"example.com:", "the port after ':' is missing"},
                      BadHost{"example.com:0", "the port 0 is not in 1-65535"},
                      BadHost{"example.com:-1", "the port '-1' is not a number"},
                      BadHost{"https://example.com:99999", "the port 99999 is not in 1-65535"},
                      BadHost{"http://h:12ab/path", "the port '12ab' is not a number"},
                      BadHost{"[::1]:", "the port after ':' is missing"},
                      BadHost{"[::1]:x", "the port 'x' is not a number"},
                      BadHost{"[::1", "'[' has no closing ']'"},
                      BadHost{"::1]", "']' has no opening '['"},
                      BadHost{"[::1]8080", "'8080' after ']' is not ':port'"},
                      BadHost{"[nope]:80", "'nope' in brackets is not an IPv6 address"},
                      BadHost{"a:b:c", "'a:b:c' is not an IPv6 address"},
                      BadHost{"ftp://example.com", "the scheme 'ftp' is neither http nor https"},
                      BadHost{"exa mple.com", "the host name contains ' '"},
                      BadHost{"user@host:80", "the host name contains '@'"},
                      BadHost{"h\x01st", "the host name contains a control character"},
                      BadHost{"h\xc3\xa9te", "the host name is not ASCII"}));

TEST(OllamaHost, LenientParseOfMalformedHostsIsUnchanged) {
  // The error check is separate: parse_ollama_host still falls back to the default port.
  ASSERT_TRUE(ollama_host_error("127.0.0.1:abc").has_value());
  EXPECT_EQ(parse_ollama_host("127.0.0.1:abc").base_url(), "http://127.0.0.1:11434");
}

TEST(OllamaHost, TargetAndUrlJoinTheBasePath) {
  auto ep = parse_ollama_host("http://h:1/prefix");
  EXPECT_EQ(ep.target("/api/chat"), "/prefix/api/chat");
  EXPECT_EQ(ep.url("/api/chat"), "http://h:1/prefix/api/chat");
  EXPECT_EQ(ep.host_header(), "h:1");
  EXPECT_FALSE(ep.tls());
  EXPECT_TRUE(parse_ollama_host("https://h").tls());
}

TEST(OllamaHost, FromEnvReadsOllamaHost) {
  const char* saved = std::getenv("OLLAMA_HOST");
  std::string keep = saved ? saved : "";
  setenv("OLLAMA_HOST", "192.168.1.9:4321", 1);
  auto ep = ollama_host_from_env();
  EXPECT_EQ(ep.host, "192.168.1.9");
  EXPECT_EQ(ep.port, 4321);
  unsetenv("OLLAMA_HOST");
  EXPECT_EQ(ollama_host_from_env().base_url(), "http://127.0.0.1:11434");
  if (saved) setenv("OLLAMA_HOST", keep.c_str(), 1);
}

}  // namespace
}  // namespace yollayah::backend
