// OpenAiBackend against a scripted server: the request it sends, the streamed answer, the model
// list and probe, errors with their advice, and the API key kept out of every error and log line.
#include "backend/fake_server.hpp"
#include "backend/log_capture.hpp"
#include "backend/openai_backend.hpp"
#include "backend/sim_harness.hpp"
#include "core/log.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace yollayah::backend {
namespace {

using namespace testing;
using Kind = BackendError::Kind;
namespace http = boost::beast::http;
namespace json = boost::json;

const std::string kKey = "sk-live-abcdefghijklmnop0123";
const std::string kSse = "text/event-stream";

std::string event(const std::string& json) { return "data: " + json + "\n\n"; }
std::string delta(const std::string& content) {
  return event(R"({"model":"qwen","choices":[{"index":0,"delta":{"content":")" + content + R"("}}]})");
}
const std::string kStop = event(R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})");
const std::string kUsage = event(R"({"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2}})");
const std::string kDone = "data: [DONE]\n\n";

std::string answer() { return fake::chunked({delta("Hel"), delta("lo"), kStop, kUsage, kDone}, kSse); }

OpenAiConfig config_for(const std::string& url) {
  OpenAiConfig c;
  c.endpoint = parse_ollama_host(url);
  c.name = "gpu-box";
  c.connect_timeout = 2s;
  c.probe_timeout = 2s;
  c.first_token_timeout = 300ms;
  c.idle_timeout = 300ms;
  return c;
}

class OpenAiBackendTest : public ::testing::Test {
 protected:
  void SetUp() override { core::disable_logging(); }

  std::optional<Result<ChatStats>> chat(OpenAiBackend& b, ChatSink& sink, ChatRequest req = hello()) {
    return run_bounded(ioc_, [](OpenAiBackend& b, ChatRequest r, ChatSink& s) -> asio::awaitable<Result<ChatStats>> {
      co_return co_await b.chat(r, s);
    }(b, std::move(req), sink), 5s);
  }

  boost::asio::io_context ioc_;
};

TEST_F(OpenAiBackendTest, StreamsAChatFromTheApiBase) {
  fake::Server server(ioc_, [](const fake::Request&) { return fake::Reply{answer()}; });
  auto config = config_for(server.url() + "/v1");
  config.api_key = kKey;
  OpenAiBackend backend(ioc_.get_executor(), config);
  CollectSink sink;
  auto request = hello("qwen");
  request.temperature = 0.5;
  request.num_predict = 64;
  auto r = chat(backend, sink, request);
  ASSERT_TRUE(r && *r) << (r ? r->error().message : "timed out");
  EXPECT_EQ(sink.text, "Hello");
  EXPECT_EQ((*r)->eval_count, 2u);
  EXPECT_EQ((*r)->prompt_eval_count, 9u);
  EXPECT_EQ((*r)->done_reason, "stop");
  EXPECT_EQ((*r)->model, "qwen");
  EXPECT_GT((*r)->first_token_ns, 0u);

  ASSERT_EQ(server.requests().size(), 1u);
  const auto& req = server.requests()[0];
  EXPECT_EQ(req.method(), http::verb::post);
  EXPECT_EQ(req.target(), "/v1/chat/completions");
  EXPECT_EQ(req[http::field::authorization], "Bearer " + kKey);
  EXPECT_EQ(req[http::field::content_type], "application/json");
  auto body = json::parse(req.body()).as_object();
  EXPECT_EQ(body.at("model").as_string(), "qwen");
  EXPECT_TRUE(body.at("stream").as_bool());
  EXPECT_TRUE(body.at("stream_options").at("include_usage").as_bool());
  EXPECT_DOUBLE_EQ(body.at("temperature").as_double(), 0.5);
  EXPECT_EQ(body.at("max_tokens").as_int64(), 64);
  const auto& messages = body.at("messages").as_array();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].at("role").as_string(), "system");
  EXPECT_EQ(messages[1].at("content").as_string(), "Hi \"there\"\n");

  CollectSink again;  // the connection was kept
  ASSERT_TRUE(chat(backend, again).value());
  EXPECT_EQ(backend.connections_opened(), 1u);
}

TEST_F(OpenAiBackendTest, TheBodyLeavesOutWhatIsNotSet) {
  ChatRequest r = hello();
  auto o = json::parse(openai_chat_body(r, false)).as_object();
  EXPECT_FALSE(o.contains("stream_options"));
  EXPECT_FALSE(o.contains("temperature"));
  EXPECT_FALSE(o.contains("max_tokens"));
  EXPECT_TRUE(o.at("stream").as_bool());
}

TEST_F(OpenAiBackendTest, AFinishedAnswerIsKeptWhenTheServerHoldsTheStreamOpenAfterDone) {
  fake::Server server(ioc_, [](const fake::Request&) {
    auto body = answer();
    body.resize(body.size() - 5);  // no terminating chunk
    return fake::Reply{body, true};
  });
  auto config = config_for(server.url() + "/v1");
  config.idle_timeout = 60s;  // only the short wait after [DONE] ends this within the bound
  OpenAiBackend backend(ioc_.get_executor(), config);
  CollectSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r) << "a finished answer waited for the idle timeout";
  ASSERT_TRUE(*r) << r->error().message;
  EXPECT_EQ(sink.text, "Hello");
}

TEST_F(OpenAiBackendTest, AStreamThatEndsUnfinishedIsAnInterruptedAnswer) {
  fake::Server server(ioc_, [](const fake::Request&) {
    return fake::Reply{fake::chunked({delta("Hel"), delta("lo")}, kSse)};
  });
  OpenAiBackend backend(ioc_.get_executor(), config_for(server.url() + "/v1"));
  CollectSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(sink.text, "Hello");
  EXPECT_EQ(r->error().kind, Kind::Protocol);
  EXPECT_EQ(r->error().message, "the stream from gpu-box at " + server.url() +
                                    "/v1 ended before the model finished (no [DONE], no finish_reason)");
  EXPECT_EQ(r->error().url, server.url() + "/v1/chat/completions");
}

TEST_F(OpenAiBackendTest, AConnectionDroppedMidAnswerIsAProtocolError) {
  fake::Server server(ioc_, [](const fake::Request&) {
    auto body = answer();
    return fake::Reply{body.substr(0, body.find("lo")), false};  // then the handler's loop reads and the test closes
  });
  OpenAiBackend backend(ioc_.get_executor(), config_for(server.url() + "/v1"));
  CollectSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(sink.text, "Hel");
  EXPECT_TRUE(r->error().kind == Kind::Timeout || r->error().kind == Kind::Protocol) << r->error().message;
}

TEST_F(OpenAiBackendTest, NoFirstTokenInTimeIsATimeoutThatSaysSo) {
  fake::Server server(ioc_, [](const fake::Request&) {
    return fake::Reply{"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "e\r\n: keep-alive\n\n\r\n", true};  // a comment is not a token
  });
  OpenAiBackend backend(ioc_.get_executor(), config_for(server.url() + "/v1"));
  CollectSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().kind, Kind::Timeout);
  EXPECT_EQ(r->error().message, "gpu-box at " + server.url() + "/v1 gave no first token within 0.3 s");
  EXPECT_FALSE(r->error().advice.empty());
}

TEST_F(OpenAiBackendTest, ListsModelsAndProbesWithModels) {
  fake::Server server(ioc_, [](const fake::Request&) {
    return fake::Reply{fake::response(200, R"({"object":"list","data":[{"id":"qwen2:0.5b","object":"model"},{"id":"llama3"},{"x":1}]})")};
  });
  OpenAiBackend backend(ioc_.get_executor(), config_for(server.url() + "/v1"));
  auto models = run_bounded(ioc_, backend.list_models(), 5s);
  ASSERT_TRUE(models && *models);
  ASSERT_EQ((*models)->size(), 2u);
  EXPECT_EQ((**models)[0].name, "qwen2:0.5b");
  EXPECT_EQ((**models)[1].name, "llama3");
  auto version = run_bounded(ioc_, backend.version(), 5s);
  ASSERT_TRUE(version && *version);
  EXPECT_EQ(**version, "openai-compatible");
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.requests()[1].target(), "/v1/models");
  auto show = run_bounded(ioc_, backend.show("qwen2:0.5b"), 5s);
  ASSERT_TRUE(show && !*show);
  EXPECT_EQ(show->error().http_status, 501u);
}

TEST_F(OpenAiBackendTest, AModelListWithoutDataIsAProtocolError) {
  fake::Server server(ioc_, [](const fake::Request&) { return fake::Reply{fake::response(200, R"({"models":[]})")}; });
  OpenAiBackend backend(ioc_.get_executor(), config_for(server.url() + "/v1"));
  auto models = run_bounded(ioc_, backend.list_models(), 5s);
  ASSERT_TRUE(models && !*models);
  EXPECT_EQ(models->error().kind, Kind::Protocol);
}

TEST_F(OpenAiBackendTest, TheProbeOfAServerThatNeverAnswersFailsWithinTheProbeTimeout) {
  fake::Server server(ioc_, [](const fake::Request&) { return fake::Reply{"", true}; });
  auto config = config_for(server.url() + "/v1");
  config.probe_timeout = 200ms;
  config.first_token_timeout = config.idle_timeout = 120s;
  OpenAiBackend backend(ioc_.get_executor(), config);
  auto r = run_bounded(ioc_, backend.version(), 5s);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().kind, Kind::Timeout);
  EXPECT_EQ(r->error().message, "gpu-box at " + server.url() + "/v1 sent nothing for 0.2 s");
}

TEST_F(OpenAiBackendTest, ErrorsCarryAdviceInTheServersTerms) {
  unsigned status = 0;
  std::string headers;
  fake::Server server(ioc_, [&](const fake::Request&) {
    return fake::Reply{fake::response(status, R"({"error":{"message":"nope","type":"x"}})", headers)};
  });
  OpenAiBackend backend(ioc_.get_executor(), config_for(server.url() + "/v1"));
  auto error_for = [&](unsigned s, std::string h = {}) {
    status = s;
    headers = std::move(h);
    CollectSink sink;
    auto r = chat(backend, sink, hello("qwen"));
    EXPECT_TRUE(r && !*r);
    return r && !*r ? r->error() : BackendError{};
  };
  auto unauthorized = error_for(401);
  EXPECT_EQ(unauthorized.message, "nope");
  EXPECT_NE(unauthorized.advice.find("api_key_env"), std::string::npos) << unauthorized.advice;
  auto missing = error_for(404);
  EXPECT_EQ(missing.advice.rfind("Choose a model gpu-box lists (see /models).", 0), 0u) << missing.advice;
  auto limited = error_for(429, "Retry-After: 3\r\n");
  EXPECT_EQ(limited.retry_after, 3s);
  EXPECT_NE(limited.advice.find("try again in 3 s"), std::string::npos) << limited.advice;
  EXPECT_EQ(backend.missing_model_advice("x"), "Choose a model gpu-box lists (see /models).");
}

TEST_F(OpenAiBackendTest, UnreachableNamesTheBackendAndTheFix) {
  std::uint16_t port;
  {
    boost::asio::ip::tcp::acceptor a(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  const auto base = "http://127.0.0.1:" + std::to_string(port) + "/v1";
  OpenAiBackend backend(ioc_.get_executor(), config_for(base));
  CollectSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().kind, Kind::Unreachable);
  EXPECT_EQ(r->error().message, "cannot reach gpu-box at " + base + " (Connection refused)");
  EXPECT_EQ(r->error().url, base + "/chat/completions");
  EXPECT_NE(r->error().advice.find("/v1"), std::string::npos);
  EXPECT_EQ(backend.name(), "gpu-box");
  EXPECT_EQ(backend.endpoint(), base);
}

TEST_F(OpenAiBackendTest, TheKeyNeverLeaksThroughAnEchoingServer) {
  LogCapture log;
  int n = 0;
  fake::Server server(ioc_, [&](const fake::Request& req) {
    const std::string echoed(req[http::field::authorization]);
    switch (++n) {
      case 1: return fake::Reply{fake::response(401, R"({"error":{"message":"invalid key )" + echoed + R"("}})")};
      case 2: return fake::Reply{fake::chunked({delta("a"), event(R"({"error":{"message":"bad )" + echoed + R"("}})")}, kSse)};
      default: return fake::Reply{fake::chunked({delta(echoed), "data: {broken " + echoed + "\n\n", kStop, kDone}, kSse)};
    }
  });
  auto config = config_for(server.url() + "/v1");
  config.api_key = kKey;
  OpenAiBackend backend(ioc_.get_executor(), config);
  for (int i = 0; i < 2; ++i) {
    CollectSink sink;
    auto r = chat(backend, sink);
    ASSERT_TRUE(r && !*r);
    const auto& e = r->error();
    EXPECT_NE(e.message.find("Bearer ***"), std::string::npos) << e.message;
    for (const auto* text : {&e.message, &e.url, &e.advice}) EXPECT_EQ(text->find(kKey), std::string::npos) << *text;
  }
  CollectSink sink;
  auto r = chat(backend, sink);  // the server streams the key back as content: that is the model's answer
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(log.text().find(kKey), std::string::npos) << log.text();
}

}  // namespace
}  // namespace yollayah::backend
