// Hostile and careless HTTP clients (slowloris, oversize bodies, bad JSON, bad tokens, a wrong
// Origin, clients that vanish mid-stream) while a chat streams on the Unix socket: each gets its
// answer or its cut, and the chat completes untouched.
#include "gateway/gateway_fixture.hpp"

#include <atomic>

namespace yollayah::test {
namespace {

const std::string kChat = R"({"model":"sim","messages":[{"role":"user","content":"hi"}]})";

std::string raw_chat(const std::string& token) {
  return "POST /api/chat HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(kChat.size()) + "\r\n\r\n" + kChat;
}

struct ChaosResult {
  std::atomic<int> wrong{0};  // answers that were not what that kind of client must get
  std::string why;
};

void chaos(std::uint16_t port, ChaosResult& result) {
  auto expect = [&](bool ok, const char* what) {
    if (!ok) {
      ++result.wrong;
      result.why += std::string(what) + "; ";
    }
  };
  // Slowloris: half a header each, left open.
  std::vector<std::unique_ptr<HttpClient>> slow;
  for (int i = 0; i < 30; ++i) {
    slow.push_back(std::make_unique<HttpClient>(port));
    slow.back()->write_raw("GET /api/tags HTTP/1.1\r\nHost: x\r\n");
  }
  for (int round = 0; round < 10; ++round) {
    HttpClient big(port);
    expect(big.request(http::verb::post, "/api/chat", std::string(8192, 'x')).status == 413, "oversize body not 413");
    HttpClient bad(port);
    expect(bad.request(http::verb::post, "/api/chat", "{\"model\":").status == 400, "bad JSON not 400");
    HttpClient wrong(port);
    expect(wrong.request(http::verb::get, "/v1/models", {}, {{"Authorization", "Bearer nope"}}).status == 401,
           "bad token not 401");
    WsClient ws(port, {{"Origin", "http://evil.example"}});
    expect(!ws.open() && ws.upgrade_response().result_int() == 403, "foreign origin not refused");
    HttpClient gone(port);  // starts a streaming answer and vanishes after its first bytes
    gone.write_raw(raw_chat(kToken));
    char buf[256];
    beast::error_code ec;
    gone.socket().read_some(asio::buffer(buf), ec);
    expect(!ec, "vanishing client got nothing");
    gone.close();
  }
  for (auto& s : slow) s->close();
}

// Clients that reset the connection with the answer's bytes unread: each is counted gone once in
// /metrics, whether the connection's watch or the failed write notices first, and each backend
// request ends.
TEST(GatewayChaos, ClientsThatResetMidStreamAreEachCountedGoneOnce) {
  GatewayUnderTest g({"--tokens", "100000", "--tokens-per-sec", "0"}, test_options());
  for (int i = 0; i < 5; ++i) {
    HttpClient gone(g.port());
    gone.write_raw(raw_chat(kToken));
    char buf[256];
    beast::error_code ec;
    gone.socket().read_some(asio::buffer(buf), ec);
    ASSERT_FALSE(ec) << ec.message();
    const linger reset{1, 0};  // close() sends RST
    ::setsockopt(gone.socket().native_handle(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    gone.socket().close(ec);
  }
  EXPECT_TRUE(GatewayUnderTest::eventually([&] { return g.conductor().router().status().front().in_flight == 0; }));
  EXPECT_TRUE(GatewayUnderTest::eventually([&] { return g.metrics().client_gone.load() == 5u; }))
      << g.metrics().client_gone.load();
}

// A client that stops reading (connection open, bytes unread) until a write times out: its answer
// is cancelled and counted gone, though the connection's watch never sees it leave.
TEST(GatewayChaos, AClientThatStopsReadingPastTheWriteTimeoutIsCountedGone) {
  auto o = test_options();
  o.write_timeout = 300ms;
  GatewayUnderTest g({"--tokens", "200000", "--tokens-per-sec", "0"}, o);
  HttpClient stuck(g.port());
  stuck.write_raw(raw_chat(kToken));
  EXPECT_TRUE(GatewayUnderTest::eventually([&] { return g.metrics().client_gone.load() == 1u; }))
      << g.metrics().client_gone.load();
  EXPECT_TRUE(GatewayUnderTest::eventually([&] { return g.conductor().router().status().front().in_flight == 0; }));
  stuck.close();
}

TEST(GatewayChaos, HostileHttpClientsGetTheirAnswersAndDoNotDisturbAChatOnTheUnixSocket) {
  auto o = test_options();
  o.max_body_bytes = 1024;
  o.header_timeout = 2000ms;
  GatewayUnderTest g({"--tokens", "200", "--tokens-per-sec", "100"}, o, /*unix_socket=*/true);
  asio::io_context io;
  SocketSurface surface(io);
  ASSERT_TRUE(surface.connect(io, g.socket_path()));
  ASSERT_TRUE(surface.join(io));
  surface.send(ev::UserMessage{"evt_chat", "tell me something"});
  ASSERT_TRUE(run_until(io, [&] { return !surface.all<msg::Token>().empty(); }));

  ChaosResult result;
  std::thread chaos_thread([&] { chaos(g.port(), result); });
  const bool ended = run_until(io, [&] { return surface.count<msg::StreamEnd>() + surface.count<msg::StreamError>() > 0; }, 20s);
  chaos_thread.join();

  ASSERT_TRUE(ended);
  EXPECT_EQ(surface.count<msg::StreamError>(), 0u);
  ASSERT_EQ(surface.count<msg::StreamEnd>(), 1u);
  EXPECT_EQ(surface.all<msg::StreamEnd>().front().metadata.token_count, 200u);
  EXPECT_EQ(surface.all<msg::StreamEnd>().front().final_content, surface.tokens_text());
  EXPECT_EQ(result.wrong.load(), 0) << result.why;
  // Every vanished client's backend request was cancelled, and the gateway still serves.
  EXPECT_TRUE(GatewayUnderTest::eventually([&] { return g.conductor().router().status().front().in_flight == 0; }));
  EXPECT_EQ(g.metrics().client_gone.load(), 10u);
  HttpClient after(g.port());
  EXPECT_EQ(after.request(http::verb::post, "/api/chat", kChat).status, 200u);
}

}  // namespace
}  // namespace yollayah::test
