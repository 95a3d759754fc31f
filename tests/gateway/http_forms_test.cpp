// Request forms a plain client seldom sends but HTTP/1.1 allows: HEAD (headers of the GET, no
// body, so a keep-alive connection stays in step).
#include "gateway/gateway_fixture.hpp"

namespace yollayah::test {
namespace {

const std::string kAuth = "Authorization: Bearer " + std::string(kToken) + "\r\n";

std::string head_of_request(std::string_view method, std::string_view target, std::string_view more = {}) {
  return std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: x\r\n" + kAuth + std::string(more) + "\r\n";
}

std::string header_value(std::string_view head, std::string_view name) {
  const auto at = head.find("\r\n" + std::string(name) + ": ");
  if (at == std::string_view::npos) return {};
  const auto from = at + name.size() + 4;
  return std::string(head.substr(from, head.find("\r\n", from) - from));
}

// HEAD then GET of the same target on one connection: the HEAD's reply is a header block alone,
// announcing the GET's length, and the GET's reply follows it directly.
void expect_head_like_get(std::uint16_t port, std::string_view target) {
  SCOPED_TRACE(std::string(target));
  HttpClient c(port);
  c.set_receive_timeout(5s);
  c.write_raw(head_of_request("HEAD", target) + head_of_request("GET", target, "Connection: close\r\n"));
  const auto raw = c.read_until_close();
  const auto head_end = raw.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos) << raw;
  const std::string head = raw.substr(0, head_end + 4);
  const std::string rest = raw.substr(head_end + 4);
  EXPECT_EQ(head.rfind("HTTP/1.1 200 ", 0), 0u) << head;
  ASSERT_EQ(rest.rfind("HTTP/1.1 200 ", 0), 0u) << "the HEAD's reply carried a body: " << rest.substr(0, 120);
  const auto get_head_end = rest.find("\r\n\r\n");
  ASSERT_NE(get_head_end, std::string::npos);
  const std::string get_body = rest.substr(get_head_end + 4);
  EXPECT_FALSE(get_body.empty());
  EXPECT_EQ(header_value(head, "Content-Length"), std::to_string(get_body.size()));
}

TEST(GatewayHttpForms, AHeadRequestGetsTheGetsHeadersAndNoBody) {
  GatewayUnderTest g({"--tokens", "4"});
  for (const char* target : {"/api/version", "/api/tags", "/metrics", "/"}) expect_head_like_get(g.port(), target);
}

}  // namespace
}  // namespace yollayah::test
