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
