// HttpClient against a scripted server: the API key, names in messages, the deadlines of probes and
// streams, connection reuse after error answers, and the backpressure of a sink that falls behind.
#include "backend/fake_server.hpp"
#include "backend/http_client.hpp"
#include "backend/log_capture.hpp"
#include "backend/sim_harness.hpp"
#include "core/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace yollayah::backend {
namespace {

using namespace testing;
using Kind = BackendError::Kind;
namespace http = boost::beast::http;

const std::string kKey = "sk-test-0123456789abcdef";

BackendConfig config_at(const std::string& url) {
  BackendConfig c;
  c.endpoint = parse_ollama_host(url);
  c.connect_timeout = 2s;
  c.probe_timeout = 2s;
  c.idle_timeout = 60s;  // long: a test that waits this long is bounded by run_bounded and fails
  return c;
}

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override { core::disable_logging(); }

  std::optional<Result<std::string>> get(HttpClient& client, std::string path = "/x") {
    return run_bounded(ioc_, client.fetch(http::verb::get, std::move(path)), 5s);
  }

  boost::asio::io_context ioc_;
};

TEST_F(HttpClientTest, SendsTheApiKeyAsABearerHeader) {
  fake::Server server(ioc_, [](const fake::Request&) { return fake::Reply{fake::response(200, "{}")}; });
  auto config = config_at(server.url());
  config.api_key = kKey;
  HttpClient client(ioc_.get_executor(), config);
  auto r = get(client);
  ASSERT_TRUE(r && *r);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0][http::field::authorization], "Bearer " + kKey);
}

TEST_F(HttpClientTest, SendsNoAuthorizationWithoutAKey) {
  fake::Server server(ioc_, [](const fake::Request&) { return fake::Reply{fake::response(200, "{}")}; });
  HttpClient client(ioc_.get_executor(), config_at(server.url()));
  auto r = get(client);
  ASSERT_TRUE(r && *r);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].count(http::field::authorization), 0u);
}

TEST_F(HttpClientTest, AKeyEchoedByTheServerNeverReachesTheErrorOrTheLog) {
  LogCapture logged;
  fake::Server server(ioc_, [](const fake::Request& req) {
    const std::string echoed(req[http::field::authorization]);
    return fake::Reply{fake::response(401, R"({"error":{"message":"bad key: )" + echoed + R"("}})")};
  });
  auto config = config_at(server.url() + "/" + kKey);  // even a key pasted into the URL is masked
  config.api_key = kKey;
  HttpClient client(ioc_.get_executor(), config);
  auto r = get(client);
  ASSERT_TRUE(r && !*r);
  const auto& e = r->error();
  EXPECT_EQ(e.kind, Kind::Http);
  EXPECT_EQ(e.http_status, 401u);
  EXPECT_EQ(e.message, "bad key: Bearer ***");
  EXPECT_EQ(e.message.find(kKey), std::string::npos);
  EXPECT_EQ(e.url.find(kKey), std::string::npos) << e.url;
  EXPECT_EQ(e.advice.find(kKey), std::string::npos);
  EXPECT_EQ(logged.text().find(kKey), std::string::npos) << logged.text();
  EXPECT_EQ(server.requests().at(0)[http::field::authorization], "Bearer " + kKey);  // it did go out
}

TEST_F(HttpClientTest, MessagesNameTheBackendByItsName) {
  std::uint16_t port;
  {
    boost::asio::ip::tcp::acceptor a(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  auto config = config_at("http://127.0.0.1:" + std::to_string(port));
  config.name = "laptop";
  HttpClient client(ioc_.get_executor(), config, "Ollama");
  auto r = get(client);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().kind, Kind::Unreachable);
  EXPECT_EQ(r->error().message,
            "cannot reach laptop at http://127.0.0.1:" + std::to_string(port) + " (Connection refused)");
  config.name.clear();
  HttpClient unnamed(ioc_.get_executor(), config, "Ollama");
  auto r2 = get(unnamed);
  ASSERT_TRUE(r2 && !*r2);
  EXPECT_EQ(r2->error().message.rfind("cannot reach Ollama at http://127.0.0.1:", 0), 0u) << r2->error().message;
}

TEST_F(HttpClientTest, AProbeToAServerThatNeverAnswersFailsWithinTheProbeTimeout) {
  fake::Server server(ioc_, [](const fake::Request&) { return fake::Reply{"", true}; });
  auto config = config_at(server.url());
  config.probe_timeout = 200ms;
  HttpClient client(ioc_.get_executor(), config, "Ollama");
  auto r = get(client, "/api/version");  // bounded at 5 s; the idle timeout is 60 s
  ASSERT_TRUE(r) << "the probe waited past the probe timeout";
  ASSERT_FALSE(*r);
  EXPECT_EQ(r->error().kind, Kind::Timeout);
  EXPECT_EQ(r->error().message, "Ollama at " + server.url() + " sent nothing for 0.2 s");
  EXPECT_EQ(r->error().url, server.url() + "/api/version");
}

// Receives a stream and lets the test choose the deadline of every read.
struct DeadlineSink final : BodySink {
  bool on_body(std::string_view bytes) override {
    body.append(bytes);
    return true;
  }
  void on_sent() override { ++sent; }
  std::chrono::milliseconds read_timeout(std::chrono::milliseconds fallback) const override {
    asked_with = fallback;
    return body.empty() ? first : later;
  }
  std::string timeout_text(std::chrono::milliseconds waited) const override {
    return "kept us waiting " + seconds_text(waited) + (body.empty() ? " before a byte" : " after some");
  }
  std::string body;
  int sent = 0;
  std::chrono::milliseconds first{150}, later{250};
  mutable std::chrono::milliseconds asked_with{0};
};

TEST_F(HttpClientTest, StreamReadsWaitWhatTheSinkChooses) {
  fake::Server server(ioc_, [](const fake::Request&) {
    return fake::Reply{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", true};
  });
  HttpClient client(ioc_.get_executor(), config_at(server.url()), "Ollama");
  DeadlineSink sink;
  auto r = run_bounded(ioc_, client.stream(http::verb::post, "/s", "{}", sink), 5s);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(sink.body, "hello");
  EXPECT_EQ(sink.sent, 1);
  EXPECT_EQ(sink.asked_with, 60s);  // stream() offers the idle timeout
  EXPECT_EQ(r->error().kind, Kind::Timeout);
  EXPECT_EQ(r->error().message, "Ollama at " + server.url() + " kept us waiting 0.25 s after some");
}

TEST_F(HttpClientTest, TheFirstReadTimeoutCoversTheResponseHeaders) {
  fake::Server server(ioc_, [](const fake::Request&) { return fake::Reply{"", true}; });
  HttpClient client(ioc_.get_executor(), config_at(server.url()), "Ollama");
  DeadlineSink sink;
  auto r = run_bounded(ioc_, client.stream(http::verb::post, "/s", "{}", sink), 5s);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().kind, Kind::Timeout);
  EXPECT_EQ(r->error().message, "Ollama at " + server.url() + " kept us waiting 0.15 s before a byte");
}

TEST_F(HttpClientTest, AnErrorAnswerLeavesTheConnectionForTheNextRequest) {
  int n = 0;
  fake::Server server(ioc_, [&](const fake::Request&) {
    return fake::Reply{++n == 1 ? fake::response(404, R"({"error":"nope"})") : fake::response(200, R"({"a":1})")};
  });
  HttpClient client(ioc_.get_executor(), config_at(server.url()));
  auto first = get(client);
  ASSERT_TRUE(first && !*first);
  EXPECT_EQ(first->error().message, "nope");
  auto second = get(client);
  ASSERT_TRUE(second && *second);
  EXPECT_EQ(**second, R"({"a":1})");
  EXPECT_EQ(server.accepted(), 1u);
  EXPECT_EQ(client.connections_opened(), 1u);
}

// A consumer that falls behind after the first piece of the body: it holds the next read back
// until its drained() ends (after `hold`, or when the chat is cancelled).
struct BacklogSink final : BodySink {
  explicit BacklogSink(boost::asio::any_io_executor ex) : timer(std::move(ex)) {}
  bool on_body(std::string_view bytes) override {
    events.push_back("body " + std::string(bytes));
    behind = true;
    return true;
  }
  std::chrono::milliseconds read_timeout(std::chrono::milliseconds) const override { return 100ms; }
  bool backlogged() const override { return behind; }
  boost::asio::awaitable<void> drained() override {
    events.emplace_back("waits");
    timer.expires_after(hold);
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    behind = false;
    events.emplace_back("drained");
  }
  boost::asio::steady_timer timer;
  std::chrono::milliseconds hold{300};
  bool behind = false;
  std::vector<std::string> events;
};

TEST_F(HttpClientTest, ABackloggedSinkHoldsTheNextReadBackWithoutItsDeadlineRunning) {
  fake::Server server(ioc_, [](const fake::Request&) {
    return fake::Reply{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", true};
  });
  HttpClient client(ioc_.get_executor(), config_at(server.url()), "Ollama");
  BacklogSink sink(ioc_.get_executor());
  auto r = run_bounded(ioc_, client.stream(http::verb::post, "/s", "{}", sink), 5s);
  ASSERT_TRUE(r && !*r);
  // The wait (300 ms) is longer than the read timeout (100 ms), yet only the read after it timed out.
  EXPECT_EQ(sink.events, (std::vector<std::string>{"body hello", "waits", "drained"}));
  EXPECT_EQ(r->error().kind, Kind::Timeout);
}

TEST_F(HttpClientTest, CancellingAChatWaitingForABackloggedSinkEndsItAtOnce) {
  fake::Server server(ioc_, [](const fake::Request&) {
    return fake::Reply{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", true};
  });
  HttpClient client(ioc_.get_executor(), config_at(server.url()), "Ollama");
  BacklogSink sink(ioc_.get_executor());
  sink.hold = std::chrono::hours(1);
  boost::asio::cancellation_signal cancel;
  boost::asio::steady_timer later(ioc_, 50ms);
  later.async_wait([&](boost::system::error_code) { cancel.emit(boost::asio::cancellation_type::terminal); });
  auto r = run_bounded(ioc_, ioc_.get_executor(), client.stream(http::verb::post, "/s", "{}", sink), 5s, cancel.slot());
  ASSERT_TRUE(r) << "the wait for the sink outlived the cancellation";
  ASSERT_FALSE(*r);
  EXPECT_EQ(r->error().kind, Kind::Cancelled);
  EXPECT_EQ(sink.events, (std::vector<std::string>{"body hello", "waits", "drained"}));
}

}  // namespace
}  // namespace yollayah::backend
