// ollama-sim over HTTPS (--tls-cert/--tls-key) with a CA made at test time: a client that trusts
// the CA is served on both APIs, one that does not fails its handshake, and neither a failed
// handshake nor plain HTTP on the TLS port disturbs the server.
#include "sim/sim_fixture.hpp"
#include "sim/test_pki.hpp"

#include <boost/asio/ssl/error.hpp>

namespace yollayah::test {
namespace {

class SimTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new TestPki(); }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }

  std::vector<std::string> args(std::initializer_list<std::string> more = {}) const {
    std::vector<std::string> a{"--tls-cert", pki_->cert(), "--tls-key", pki_->key(), "--script", script_.path};
    a.insert(a.end(), more);
    return a;
  }

  static TlsClientConfig trusting() { return {pki_->ca(), "localhost"}; }

  static HttpResponse exchange(const SimProcess& sim, const std::string& request, const TlsClientConfig& tls) {
    SimConn conn(sim.port(), &tls);
    EXPECT_TRUE(conn.ok()) << conn.error().message();
    conn.write(request);
    conn.read_response();
    return conn.response();
  }

  static TestPki* pki_;
  TempFile script_{kScript};
};

TestPki* SimTls::pki_ = nullptr;

TEST_F(SimTls, AClientThatTrustsTheCaIsServedOnBothApis) {
  SimProcess sim(args());
  auto tls = trusting();
  EXPECT_EQ(exchange(sim, http_request("GET", "/api/version"), tls).status, 200);
  auto ollama = exchange(sim, http_request("POST", "/api/chat", json::serialize(ollama_chat(hello()))), tls);
  EXPECT_EQ(read_ndjson(ollama.body).text, kScriptText);
  auto openai = exchange(sim, http_request("POST", "/v1/chat/completions", json::serialize(openai_chat(hello()))), tls);
  auto a = read_sse(openai.body);
  EXPECT_EQ(a.text, kScriptText);
  EXPECT_TRUE(a.done_marker_last);
  EXPECT_EQ(exchange(sim, http_request("GET", "/v1/models"), tls).json().at("object").as_string(), "list");
}

TEST_F(SimTls, TheCertificateNamesTheIpAddressToo) {
  SimProcess sim(args());
  EXPECT_EQ(exchange(sim, http_request("GET", "/api/version"), {pki_->ca(), "127.0.0.1"}).status, 200);
}

TEST_F(SimTls, KeepAliveCarriesSeveralRequestsOverOneTlsConnection) {
  SimProcess sim(args());
  auto tls = trusting();
  SimConn conn(sim.port(), &tls);
  ASSERT_TRUE(conn.ok()) << conn.error().message();
  ASSERT_TRUE(conn.write(http_request("POST", "/v1/chat/completions", json::serialize(openai_chat(hello())))));
  ASSERT_TRUE(conn.read_until_contains("data: [DONE]\n\n"));
  ASSERT_TRUE(conn.write(http_request("GET", "/api/version")));
  ASSERT_TRUE(conn.read_until_contains("0.0.0-sim"));
  EXPECT_FALSE(conn.ended());
}

TEST_F(SimTls, AClientThatDoesNotTrustTheCaFailsTheHandshake) {
  SimProcess sim(args());
  for (const auto& tls : {TlsClientConfig{pki_->other_ca(), "localhost"}, TlsClientConfig{"", "localhost"}}) {
    SimConn conn(sim.port(), &tls);
    EXPECT_FALSE(conn.ok());
    EXPECT_EQ(conn.error().category(), boost::asio::error::get_ssl_category()) << conn.error().message();
  }
  // The server goes on serving.
  EXPECT_EQ(exchange(sim, http_request("GET", "/api/version"), trusting()).status, 200);
}

TEST_F(SimTls, AWrongHostNameFailsTheHandshake) {
  SimProcess sim(args());
  TlsClientConfig tls{pki_->ca(), "example.com"};
  SimConn conn(sim.port(), &tls);
  EXPECT_FALSE(conn.ok());
}

TEST_F(SimTls, PlainHttpToTheTlsPortGetsNoHttpAnswerAndTheServerGoesOn) {
  SimProcess sim(args());
  SimConn plain(sim.port());
  ASSERT_TRUE(plain.write(http_request("GET", "/api/version")));
  EXPECT_TRUE(plain.read_until_closed(10s)) << "the sim closes a connection whose handshake failed";
  EXPECT_EQ(plain.response().status, 0);
  EXPECT_EQ(exchange(sim, http_request("GET", "/api/version"), trusting()).status, 200);
  auto stats = exchange(sim, http_request("GET", "/sim/stats"), trusting()).json();
  EXPECT_EQ(stats.at("connections").as_int64(), 3);
  EXPECT_EQ(stats.at("requests").as_int64(), 2);
}

TEST_F(SimTls, FaultsWorkOverTls) {
  SimProcess sim(args({"--reset-after", "2"}));
  auto tls = trusting();
  SimConn conn(sim.port(), &tls);
  ASSERT_TRUE(conn.write(http_request("POST", "/v1/chat/completions", json::serialize(openai_chat(hello())))));
  ASSERT_TRUE(conn.read_until_closed());
  auto r = conn.response();
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.complete);
  auto a = read_sse(r.body);
  EXPECT_EQ(a.text, "Hello,");
  EXPECT_FALSE(a.done_marker);
}

TEST_F(SimTls, ACertificateWithoutItsKeyIsRefusedAtStartUp) {
  EXPECT_THROW(SimProcess({"--tls-cert", pki_->cert()}), std::runtime_error);
  EXPECT_THROW(SimProcess({"--tls-cert", pki_->cert(), "--tls-key", pki_->ca()}), std::runtime_error);
}

}  // namespace
}  // namespace yollayah::test
