// HttpClient over https against a scripted TLS server with a throw-away CA: what verifies, what
// fails and how the failure reads, and that https never falls back to plain HTTP.
#include "backend/fake_server.hpp"
#include "backend/http_client.hpp"
#include "backend/log_capture.hpp"
#include "backend/ollama_backend.hpp"
#include "backend/sim_harness.hpp"
#include "backend/test_certs.hpp"
#include "core/log.hpp"

#include <gtest/gtest.h>

namespace yollayah::backend {
namespace {

using namespace testing;
using Kind = BackendError::Kind;
namespace http = boost::beast::http;

fake::Reply ok(const fake::Request&) { return {fake::response(200, R"({"version":"tls"})")}; }

class Tls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { certs_ = new TestCerts(); }
  static void TearDownTestSuite() {
    delete certs_;
    certs_ = nullptr;
  }
  void SetUp() override { core::disable_logging(); }

  BackendConfig config_at(const std::string& url, std::string ca_file = {}) {
    BackendConfig c;
    c.endpoint = parse_ollama_host(url);
    c.tls.ca_file = std::move(ca_file);
    c.connect_timeout = 2s;
    c.probe_timeout = 2s;
    return c;
  }
  std::optional<Result<std::string>> get(HttpClient& client) {
    return run_bounded(ioc_, client.fetch(http::verb::get, "/api/version"), 5s);
  }

  static TestCerts* certs_;
  boost::asio::io_context ioc_;
};

TestCerts* Tls::certs_ = nullptr;

TEST_F(Tls, AServerSignedByTheConfiguredCaAnswers) {
  auto server_tls = certs_->server_context("server");
  fake::Server server(ioc_, ok, server_tls.get());
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    HttpClient client(ioc_.get_executor(), config_at(server.url("https", host), certs_->ca()));
    auto r = get(client);
    ASSERT_TRUE(r);
    ASSERT_TRUE(*r) << host << ": " << r->error().message;
    EXPECT_EQ(**r, R"({"version":"tls"})");
  }
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST_F(Tls, TlsConnectionsAreKeptAndReused) {
  auto server_tls = certs_->server_context("server");
  fake::Server server(ioc_, ok, server_tls.get());
  HttpClient client(ioc_.get_executor(), config_at(server.url("https"), certs_->ca()));
  for (int i = 0; i < 3; ++i) {
    auto r = get(client);
    ASSERT_TRUE(r && *r);
  }
  EXPECT_EQ(client.connections_opened(), 1u);
  EXPECT_EQ(server.accepted(), 1u);
}

TEST_F(Tls, AnUnknownCaIsAClearErrorThatNamesTheFix) {
  auto server_tls = certs_->server_context("server");
  fake::Server server(ioc_, ok, server_tls.get());
  for (const std::string& ca : {std::string(), certs_->other_ca()}) {  // the system store; a wrong private CA
    HttpClient client(ioc_.get_executor(), config_at(server.url("https"), ca), "gpu-box");
    auto r = get(client);
    ASSERT_TRUE(r && !*r);
    const auto& e = r->error();
    EXPECT_EQ(e.kind, Kind::Unreachable);
    EXPECT_EQ(e.message.rfind("the TLS certificate of gpu-box at " + server.url("https") + " is not trusted (", 0), 0u)
        << e.message;
    EXPECT_EQ(e.url, server.url("https") + "/api/version");
    EXPECT_NE(e.advice.find("set ca_file"), std::string::npos) << e.advice;
  }
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(Tls, ACertificateForAnotherHostIsAClearError) {
  auto server_tls = certs_->server_context("wrong-host");
  fake::Server server(ioc_, ok, server_tls.get());
  HttpClient client(ioc_.get_executor(), config_at(server.url("https"), certs_->ca()), "gpu-box");
  auto r = get(client);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().kind, Kind::Unreachable);
  EXPECT_EQ(r->error().message,
            "the TLS certificate of gpu-box at " + server.url("https") + " is not valid for the host name 127.0.0.1");
  EXPECT_NE(r->error().advice.find("subjectAltName"), std::string::npos);
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(Tls, InsecureSkipsVerificationAndWarnsOnce) {
  auto server_tls = certs_->server_context("wrong-host");  // unknown CA (no ca_file) and the wrong host
  fake::Server server(ioc_, ok, server_tls.get());
  LogCapture log;
  auto config = config_at(server.url("https"));
  config.tls.insecure = true;
  config.name = "lab";
  HttpClient client(ioc_.get_executor(), config);
  for (int i = 0; i < 2; ++i) {
    auto r = get(client);
    ASSERT_TRUE(r && *r) << (r ? r->error().message : "timed out");
  }
  const auto text = log.text();
  const auto first = text.find("lab at " + server.url("https") + ": TLS certificate checks are off");
  EXPECT_NE(first, std::string::npos) << text;
  EXPECT_EQ(text.find("checks are off", text.find("checks are off") + 1), std::string::npos) << text;  // once
}

TEST_F(Tls, AServerThatAcceptsAndNeverShakesHandsFailsWithinTheConnectTimeout) {
  fake::Server server(ioc_, ok, nullptr, fake::Server::Mode::Mute);
  auto config = config_at(server.url("https"), certs_->ca());
  config.connect_timeout = 300ms;
  config.probe_timeout = 60s;  // only the connect timeout can end this within the bound
  HttpClient client(ioc_.get_executor(), config, "gpu-box");
  auto r = get(client);
  ASSERT_TRUE(r) << "the handshake waited past the connect timeout";
  ASSERT_FALSE(*r);
  EXPECT_EQ(r->error().kind, Kind::Unreachable);
  EXPECT_EQ(r->error().message,
            "the TLS handshake with gpu-box at " + server.url("https") + " did not finish within 0.3 s");
  EXPECT_NE(r->error().advice.find("speaks TLS"), std::string::npos);
}

TEST_F(Tls, APlainHttpServerBehindAnHttpsUrlIsAnErrorNotAFallback) {
  fake::Server server(ioc_, ok);  // plain HTTP
  HttpClient client(ioc_.get_executor(), config_at(server.url("https"), certs_->ca()), "gpu-box");
  auto r = get(client);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().kind, Kind::Unreachable);
  EXPECT_EQ(r->error().message.rfind("the TLS handshake with gpu-box at " + server.url("https") + " failed (", 0), 0u)
      << r->error().message;
  EXPECT_NE(r->error().advice.find("http:// URL"), std::string::npos);
  EXPECT_TRUE(server.requests().empty());  // no plain request went out
}

TEST_F(Tls, AnUnreadableCaFileIsASetupErrorReturnedByEveryCall) {
  HttpClient client(ioc_.get_executor(), config_at("https://127.0.0.1:1", "/nonexistent/ca.pem"), "gpu-box");
  ASSERT_TRUE(client.setup_error());
  EXPECT_EQ(client.setup_error()->kind, Kind::Unreachable);
  auto r = get(client);
  ASSERT_TRUE(r && !*r);
  EXPECT_NE(r->error().message.find("\"/nonexistent/ca.pem\""), std::string::npos) << r->error().message;
  EXPECT_NE(r->error().advice.find("ca_file"), std::string::npos);
  EXPECT_EQ(r->error().url, "https://127.0.0.1:1/api/version");
}

TEST_F(Tls, OllamaStreamsAChatOverTls) {
  auto server_tls = certs_->server_context("server");
  fake::Server server(ioc_, [](const fake::Request& req) {
    if (req.target() == "/api/ps") return fake::Reply{fake::response(200, R"({"models":[{"name":"m:latest"}]})")};
    return fake::Reply{fake::chunked({R"({"message":{"content":"sec"},"done":false})" "\n",
                                      R"({"message":{"content":"ure"},"done":false})" "\n",
                                      R"({"done":true,"done_reason":"stop","eval_count":2})" "\n"},
                                     "application/x-ndjson")};
  }, server_tls.get());
  OllamaConfig config;
  static_cast<BackendConfig&>(config) = config_at(server.url("https"), certs_->ca());
  OllamaBackend backend(ioc_.get_executor(), config);
  CollectSink sink;
  auto request = hello();
  auto r = run_bounded(ioc_, backend.chat(request, sink), 5s);
  ASSERT_TRUE(r && *r) << (r ? r->error().message : "timed out");
  EXPECT_EQ(sink.text, "secure");
  EXPECT_EQ((*r)->eval_count, 2u);
}

}  // namespace
}  // namespace yollayah::backend
