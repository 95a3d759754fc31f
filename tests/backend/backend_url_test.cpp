// parse_backend_url: the strict url of a [[backend]] entry (no Ollama defaults).
#include "backend/ollama_host.hpp"

#include <gtest/gtest.h>

namespace yollayah::backend {
namespace {

struct Good {
  const char* url;
  const char* scheme;
  const char* host;
  std::uint16_t port;
  const char* base_path;
};

class BackendUrlGood : public ::testing::TestWithParam<Good> {};

TEST_P(BackendUrlGood, Parses) {
  const auto& g = GetParam();
  auto r = parse_backend_url(g.url);
  ASSERT_TRUE(r) << g.url << ": " << r.error();
  EXPECT_EQ(r->scheme, g.scheme);
  EXPECT_EQ(r->host, g.host);
  EXPECT_EQ(r->port, g.port);
  EXPECT_EQ(r->base_path, g.base_path);
}

INSTANTIATE_TEST_SUITE_P(
    BackendUrl, BackendUrlGood,
    ::testing::Values(Good{"http://127.0.0.1:11434", "http", "127.0.0.1", 11434, ""},
                      Good{"http://localhost", "http", "localhost", 80, ""},  // not Ollama's 11434
                      Good{"https://api.example.com/v1", "https", "api.example.com", 443, "/v1"},
                      Good{"HTTPS://API.Example.com:8443/v1/", "https", "api.example.com", 8443, "/v1"},
                      Good{"  http://gpu-box.lan:8080/v1  ", "http", "gpu-box.lan", 8080, "/v1"},
                      Good{"http://10.0.0.5:8080/openai/v1", "http", "10.0.0.5", 8080, "/openai/v1"},
                      Good{"http://[::1]:8080", "http", "::1", 8080, ""},
                      Good{"https://[fe80::1]/v1", "https", "fe80::1", 443, "/v1"},
                      Good{"http://host_name:1/", "http", "host_name", 1, ""}));

TEST(BackendUrl, ThePathIsKeptForRequests) {
  auto r = parse_backend_url("https://host/v1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->target("/chat/completions"), "/v1/chat/completions");
  EXPECT_EQ(r->url("/models"), "https://host:443/v1/models");
}

struct Bad {
  const char* url;
  const char* says;  // a part of the message
};

class BackendUrlBad : public ::testing::TestWithParam<Bad> {};

TEST_P(BackendUrlBad, IsAnErrorThatQuotesTheUrlAndSaysWhy) {
  const auto& b = GetParam();
  auto r = parse_backend_url(b.url);
  ASSERT_FALSE(r) << b.url;
  EXPECT_NE(r.error().find(std::string("\"") + b.url + "\""), std::string::npos) << r.error();
  EXPECT_NE(r.error().find(b.says), std::string::npos) << r.error();
}

INSTANTIATE_TEST_SUITE_P(
    BackendUrl, BackendUrlBad,
    ::testing::Values(Bad{"127.0.0.1:11434", "no scheme"}, Bad{"localhost", "https://localhost"},
                      Bad{"ftp://host", "\"ftp\""}, Bad{"ws://host", "http:// or https://"},
                      Bad{"http://", "no host"}, Bad{"http://:8080", "no host"}, Bad{"https:///v1", "no host"},
                      Bad{"http://host:", "port after ':' is missing"}, Bad{"http://host:abc", "'abc' is not a number"},
                      Bad{"http://host:99999", "99999 is not in 1-65535"}, Bad{"http://host:0", "0 is not in 1-65535"},
                      Bad{"http://host:-1", "port"}, Bad{"http://::1:8080", "without brackets"},
                      Bad{"http://[::1", "closing ]"}, Bad{"http://[::1]x", ":PORT"},
                      Bad{"http://[zz::1]:80", "invalid IPv6"}, Bad{"http://user:pw@host", "api_key_env"},
                      Bad{"http://host/v1?key=x", "query"}, Bad{"http://host/#x", "fragment"},
                      Bad{"http://ho st", "contains ' '"}, Bad{"http://host/v 1", "path"}));

}  // namespace
}  // namespace yollayah::backend
