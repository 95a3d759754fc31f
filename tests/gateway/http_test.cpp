// The gateway's HTTP side: tokens, limits, slow and vanishing clients, keep-alive, the page and its
// Content-Security-Policy, shutdown, and the start-up refusal of auth "none" on a public address.
#include "gateway/gateway_fixture.hpp"

#include <thread>

namespace yollayah::test {
namespace {

const std::string kChat = R"({"model":"sim","messages":[{"role":"user","content":"hi"}]})";

TEST(GatewayHttp, RequestsWithoutAValidTokenGet401InTheirApisShape) {
  GatewayUnderTest g;
  HttpClient c(g.port());
  auto none = c.request(http::verb::get, "/api/tags", {}, {});
  EXPECT_EQ(none.status, 401u);
  EXPECT_EQ(none.header("WWW-Authenticate"), "Bearer");
  EXPECT_NE(none.json().at("error").as_string().find("missing token"), std::string::npos);
  auto wrong = c.request(http::verb::get, "/v1/models", {}, {{"Authorization", "Bearer nope"}});
  EXPECT_EQ(wrong.status, 401u);
  EXPECT_EQ(wrong.json().at("error").at("type").as_string(), "authentication_error");
  auto metrics = c.request(http::verb::get, "/metrics", {}, {});
  EXPECT_EQ(metrics.status, 401u);
}

TEST(GatewayHttp, AnApiKeyIsAcceptedLikeTheSessionToken) {
  GatewayUnderTest g;
  HttpClient c(g.port());
  auto r = c.request(http::verb::get, "/v1/models", {}, {{"Authorization", std::string("Bearer ") + kApiKey}});
  EXPECT_EQ(r.status, 200u);
}

TEST(GatewayHttp, AuthNoneServesWithoutATokenOnLoopback) {
  auto o = test_options();
  o.auth = false;
  o.tokens.clear();
  GatewayUnderTest g({"--tokens", "4"}, o);
  HttpClient c(g.port());
  EXPECT_EQ(c.request(http::verb::get, "/api/tags", {}, {}).status, 200u);
}

TEST(GatewayHttp, AuthNoneIsRefusedAtStartOnANonLoopbackAddress) {
  asio::io_context io;
  SimProcess sim({"--tokens", "4"});
  ConductorUnderTest cut(io, sim.url());
  auto o = test_options();
  o.auth = false;
  o.address = "0.0.0.0";
  gateway::Gateway g(io.get_executor(), cut.conductor, o);
  auto err = g.listen();
  ASSERT_TRUE(err);
  EXPECT_NE(err->find("loopback"), std::string::npos) << *err;
}

TEST(GatewayHttp, ListenAddressesParseOrSayWhy) {
  auto a = gateway::parse_listen_address("127.0.0.1:0");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->first, "127.0.0.1");
  EXPECT_EQ(a->second, 0);
  auto v6 = gateway::parse_listen_address("[::1]:8080");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->first, "::1");
  EXPECT_FALSE(gateway::parse_listen_address("8080"));
  EXPECT_FALSE(gateway::parse_listen_address("example.com:80"));
  EXPECT_FALSE(gateway::parse_listen_address("127.0.0.1:70000"));
}

TEST(GatewayHttp, KeepAliveServesSeveralRequestsOnOneConnection) {
  GatewayUnderTest g;
  HttpClient c(g.port());
  for (int i = 0; i < 3; ++i) {
    auto r = c.request(http::verb::post, "/api/chat", kChat);
    ASSERT_EQ(r.status, 200u) << "request " << i;
  }
  EXPECT_EQ(transport::SurfaceCounters::get(g.metrics().http_connections->opened), 1u);
}

TEST(GatewayHttp, AnOversizeBodyIs413AndOversizeHeadersAre431) {
  auto o = test_options();
  o.max_body_bytes = 1024;
  GatewayUnderTest g({"--tokens", "4"}, o);
  HttpClient c(g.port());
  auto big = c.request(http::verb::post, "/api/chat", std::string(4096, 'x'));
  EXPECT_EQ(big.status, 413u);
  EXPECT_TRUE(big.json().at("error").is_string());
  HttpClient h(g.port());
  auto huge = h.request(http::verb::get, "/api/tags", {},
                        {{"Authorization", std::string("Bearer ") + kToken}, {"X-Filler", std::string(20000, 'y')}});
  EXPECT_EQ(huge.status, 431u);
}

TEST(GatewayHttp, HeadersOverTheLimitAre431EvenWhenEachReadEndsJustPastAField) {
  // Beast's header_limit bounds what one read shows its parser, which takes in every field a read
  // completes: reads that each ended one byte into the next field let any number of fields in
  // (found by fuzz/fuzz_gateway_request). Each write here is one such read when the gateway keeps up.
  auto o = test_options();
  o.max_header_bytes = 1024;
  GatewayUnderTest g({"--tokens", "4"}, o);
  HttpClient c(g.port());
  c.set_receive_timeout(5s);
  c.socket().set_option(tcp::no_delay(true));
  boost::system::error_code ec;
  const auto send = [&](const std::string& bytes) { asio::write(c.socket(), asio::buffer(bytes), ec); };
  send("GET /api/version HTTP/1.1\r\nHost: x\r\nX");
  for (int i = 0; i < 200 && !ec; ++i) {  // about 5 KB of fields, five times the limit
    std::this_thread::sleep_for(2ms);      // the test's thread, not the gateway's
    send("-Filler-" + std::to_string(i) + ": abcdefgh\r\nX");
  }
  send("-Last: 1\r\n\r\n");
  const auto reply = c.read_until_close();
  EXPECT_EQ(reply.rfind("HTTP/1.1 431 ", 0), 0u) << reply.substr(0, 200);
}

TEST(GatewayHttp, ASlowlorisClientIsCutAtTheHeaderDeadline) {
  auto o = test_options();
  o.header_timeout = 300ms;
  GatewayUnderTest g({"--tokens", "4"}, o);
  HttpClient c(g.port());
  c.set_receive_timeout(5s);
  c.write_raw("GET /api/tags HTTP/1.1\r\nHost: x\r\n");  // and never the rest
  const auto started = std::chrono::steady_clock::now();
  c.read_until_close();
  // Closed by the gateway (well before the client's own 5 s receive timeout).
  EXPECT_LT(std::chrono::steady_clock::now() - started, 4s);
  EXPECT_TRUE(GatewayUnderTest::eventually([&] { return g.gateway().connection_count() == 0; }));
}

TEST(GatewayHttp, MalformedRequestsGet400AndAClose) {
  GatewayUnderTest g;
  HttpClient c(g.port());
  c.set_receive_timeout(5s);
  c.write_raw("NOT HTTP AT ALL\r\n\r\n");
  const auto reply = c.read_until_close();
  EXPECT_NE(reply.find("400 Bad Request"), std::string::npos) << reply;
}

TEST(GatewayHttp, AClientThatLeavesMidStreamCancelsTheBackendRequestAtOnce) {
  // 200 tokens at 20/s: the answer would run for 10 s.
  GatewayUnderTest g({"--tokens", "200", "--tokens-per-sec", "20"});
  HttpClient c(g.port());
  std::string req = "POST /api/chat HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(kToken) +
                    "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(kChat.size()) + "\r\n\r\n" + kChat;
  c.write_raw(req);
  char buf[512];
  c.socket().read_some(asio::buffer(buf));  // headers and the first token are in
  ASSERT_TRUE(GatewayUnderTest::eventually([&] { return g.conductor().router().status().front().in_flight == 1; }));
  c.close();
  EXPECT_TRUE(GatewayUnderTest::eventually([&] { return g.conductor().router().status().front().in_flight == 0; }, 3s));
  EXPECT_EQ(g.metrics().client_gone.load(), 1u);
}

TEST(GatewayHttp, AClientThatLeavesBeforeTheFirstTokenCancelsToo) {
  GatewayUnderTest g({"--tokens", "5", "--ttft-ms", "20000"});
  HttpClient c(g.port());
  std::string req = "POST /api/chat HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(kToken) +
                    "\r\nContent-Length: " + std::to_string(kChat.size()) + "\r\n\r\n" + kChat;
  c.write_raw(req);
  ASSERT_TRUE(GatewayUnderTest::eventually([&] { return g.conductor().router().status().front().in_flight == 1; }));
  c.close();
  EXPECT_TRUE(GatewayUnderTest::eventually([&] { return g.conductor().router().status().front().in_flight == 0; }, 3s));
}

TEST(GatewayHttp, ThePageIsServedWithoutATokenUnderAStrictContentSecurityPolicy) {
  GatewayUnderTest g;
  HttpClient c(g.port());
  auto r = c.request(http::verb::get, "/", {}, {});
  ASSERT_EQ(r.status, 200u);
  EXPECT_NE(r.header("Content-Type").find("text/html"), std::string::npos);
  const auto csp = r.header("Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos);
  EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
  EXPECT_NE(g.gateway().page_url().find("#token="), std::string::npos);
}

TEST(GatewayHttp, ShutdownLetsARunningStreamEndWithItsLastChunk) {
  GatewayUnderTest g({"--tokens", "30", "--tokens-per-sec", "100"});
  HttpClient c(g.port());
  std::string req = "POST /api/chat HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(kToken) +
                    "\r\nContent-Length: " + std::to_string(kChat.size()) + "\r\n\r\n" + kChat;
  c.write_raw(req);
  ASSERT_TRUE(GatewayUnderTest::eventually([&] { return g.conductor().router().status().front().in_flight == 1; }));
  HttpClient idle(g.port());  // an idle keep-alive connection is closed at once
  std::thread stopper([&] { g.shutdown(); });
  c.set_receive_timeout(10s);
  const auto raw = c.read_until_close();
  stopper.join();
  EXPECT_NE(raw.find("\"done\":true"), std::string::npos);
  EXPECT_TRUE(raw.ends_with("0\r\n\r\n")) << raw.substr(raw.size() > 200 ? raw.size() - 200 : 0);
  // Not accepting any more.
  asio::io_context io;
  tcp::socket late(io);
  beast::error_code ec;
  late.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), g.port()), ec);
  EXPECT_TRUE(ec);
}

TEST(GatewayHttp, ShutdownPastItsGraceEndsAStreamWithAnErrorAndALastChunk) {
  auto o = test_options();
  o.shutdown_grace = 200ms;
  GatewayUnderTest g({"--tokens", "500", "--tokens-per-sec", "20"}, o);
  HttpClient c(g.port());
  std::string req = "POST /api/chat HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(kToken) +
                    "\r\nContent-Length: " + std::to_string(kChat.size()) + "\r\n\r\n" + kChat;
  c.write_raw(req);
  ASSERT_TRUE(GatewayUnderTest::eventually([&] { return g.conductor().router().status().front().in_flight == 1; }));
  std::thread stopper([&] { g.shutdown(); });
  c.set_receive_timeout(10s);
  const auto raw = c.read_until_close();
  stopper.join();
  EXPECT_NE(raw.find("shutting down"), std::string::npos) << raw.substr(raw.size() > 300 ? raw.size() - 300 : 0);
  EXPECT_TRUE(raw.ends_with("0\r\n\r\n"));
}

}  // namespace
}  // namespace yollayah::test
