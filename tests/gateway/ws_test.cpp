// The WebSocket surface (/ws): the token in the Handshake or the Authorization header, the Origin
// allowlist, and a chat turn streamed one JSON message per text frame.
#include "gateway/gateway_fixture.hpp"

namespace yollayah::test {
namespace {

bool is_ready(const protocol::ConductorMessage& m) {
  const auto* s = std::get_if<msg::State>(&m);
  return s && s->state == protocol::ConductorState::Ready;
}

TEST(GatewayWs, AHandshakeWithTheTokenIsAcceptedAndAChatStreamsIn) {
  GatewayUnderTest g;
  WsClient ws(g.port());
  ASSERT_TRUE(ws.open());
  ws.send(ws_handshake());
  ASSERT_TRUE(ws.until([](const auto& m) {
    const auto* a = std::get_if<msg::HandshakeAck>(&m);
    return a && a->accepted;
  }));
  ASSERT_TRUE(ws.until(is_ready));
  ws.send(ev::UserMessage{"evt_1", "hello"});
  ASSERT_TRUE(ws.until([](const auto& m) { return std::holds_alternative<msg::StreamEnd>(m); }));
  EXPECT_FALSE(ws.tokens_text().empty());
  EXPECT_EQ(transport::SurfaceCounters::get(g.metrics().websocket_surfaces->opened), 1u);
}

TEST(GatewayWs, AHandshakeWithAWrongTokenIsRejected) {
  GatewayUnderTest g;
  WsClient ws(g.port());
  ASSERT_TRUE(ws.open());
  ws.send(ws_handshake(std::string("wrong")));
  bool rejected = false;
  ws.until([&](const auto& m) {
    const auto* a = std::get_if<msg::HandshakeAck>(&m);
    if (a) rejected = !a->accepted;
    return a != nullptr;
  });
  EXPECT_TRUE(rejected);
  EXPECT_FALSE(ws.until(is_ready));  // and the connection ends without serving
}

TEST(GatewayWs, TheAuthorizationHeaderAuthenticatesAHandshakeWithoutAToken) {
  GatewayUnderTest g;
  WsClient ws(g.port(), {{"Authorization", std::string("Bearer ") + kApiKey}});
  ASSERT_TRUE(ws.open());
  ws.send(ws_handshake(std::nullopt));
  EXPECT_TRUE(ws.until(is_ready));
}

TEST(GatewayWs, AForeignOriginIsRefusedBeforeTheUpgrade) {
  GatewayUnderTest g;
  WsClient ws(g.port(), {{"Origin", "http://evil.example"}});
  EXPECT_FALSE(ws.open());
  EXPECT_EQ(ws.upgrade_response().result_int(), 403u);
  EXPECT_EQ(transport::SurfaceCounters::get(g.metrics().websocket_surfaces->opened), 0u);
}

TEST(GatewayWs, ThePagesOwnOriginAndAnAllowedOriginMayConnect) {
  auto o = test_options();
  o.allowed_origins = {"https://chat.example"};
  GatewayUnderTest g({"--tokens", "4"}, o);
  WsClient own(g.port(), {{"Origin", "http://127.0.0.1:" + std::to_string(g.port())}});
  EXPECT_TRUE(own.open());
  WsClient listed(g.port(), {{"Origin", "https://chat.example"}});
  EXPECT_TRUE(listed.open());
}

TEST(GatewayWs, APlainGetOfWsIs426NotAHang) {
  GatewayUnderTest g;
  HttpClient c(g.port());
  EXPECT_EQ(c.request(http::verb::get, "/ws").status, 426u);
}

}  // namespace
}  // namespace yollayah::test
