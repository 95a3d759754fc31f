// Request forms a plain client seldom sends but HTTP/1.1 allows: HEAD (headers of the GET, no
// body, so a keep-alive connection stays in step) and absolute-form targets (what a client sends
// through a proxy, which a server must accept, RFC 9112 §3.2.2).
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
// announcing the GET's length, and the GET's reply follows it directly. `live`: the content changes
// between the two (/metrics counts the HEAD itself), so the HEAD announces some length, not the same.
void expect_head_like_get(std::uint16_t port, std::string_view target, bool live = false) {
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
  if (live) EXPECT_GT(std::stoul("0" + header_value(head, "Content-Length")), 0u) << head;
  else EXPECT_EQ(header_value(head, "Content-Length"), std::to_string(get_body.size()));
}

TEST(GatewayHttpForms, AHeadRequestGetsTheGetsHeadersAndNoBody) {
  GatewayUnderTest g({"--tokens", "4"});
  for (const char* target : {"/api/version", "/api/tags", "/"}) expect_head_like_get(g.port(), target);
  expect_head_like_get(g.port(), "/metrics", /*live=*/true);
}

TEST(GatewayHttpForms, AnAbsoluteFormTargetIsServedAsItsPath) {
  GatewayUnderTest g({"--tokens", "4"});
  HttpClient c(g.port());
  const std::string base = "http://127.0.0.1:" + std::to_string(g.port());
  auto version = c.request(http::verb::get, base + "/api/version");
  EXPECT_EQ(version.status, 200u) << version.body;
  EXPECT_TRUE(version.json().as_object().contains("version")) << version.body;
  auto chat = c.request(http::verb::post, "HTTP://Example.com:80/api/chat?x=1",
                        R"({"model":"sim","messages":[{"role":"user","content":"hi"}],"stream":false})");
  EXPECT_EQ(chat.status, 200u) << chat.body;
  EXPECT_TRUE(chat.json().at("done").as_bool()) << chat.body;
  auto page = c.request(http::verb::get, base);  // no path at all: the root
  EXPECT_EQ(page.status, 200u);
  EXPECT_EQ(page.header("Content-Type").rfind("text/html", 0), 0u);
}

}  // namespace
}  // namespace yollayah::test
