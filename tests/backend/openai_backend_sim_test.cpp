// OpenAiBackend against a real ollama-sim process and its /v1 API, over loopback HTTP and HTTPS.
#include "backend/log_capture.hpp"
#include "backend/openai_backend.hpp"
#include "backend/sim_harness.hpp"
#include "backend/test_certs.hpp"
#include "core/log.hpp"
#include "support/sim_process.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace yollayah::backend {
namespace {

using namespace testing;
using Kind = BackendError::Kind;

const char* kScript = "Hello\n,\n world\n!\\n\nNext line: caf\xC3\xA9 \xF0\x9F\xA6\x8E\n [yol\nla:wave]\n";
const char* kScriptText = "Hello, world!\nNext line: caf\xC3\xA9 \xF0\x9F\xA6\x8E [yolla:wave]";
const std::string kKey = "sk-sim-5f8a2c1e9b7d4a30";

OpenAiConfig openai_for(const std::string& base, std::chrono::milliseconds idle = 5s) {
  OpenAiConfig c;
  c.endpoint = parse_ollama_host(base + "/v1");
  c.connect_timeout = 2s;
  c.probe_timeout = 2s;
  c.first_token_timeout = 5s;
  c.idle_timeout = idle;
  return c;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class OpenAiSim : public ::testing::Test {
 protected:
  void SetUp() override { core::disable_logging(); }

  std::optional<Result<ChatStats>> chat(OpenAiBackend& b, ChatSink& sink, ChatRequest req = hello()) {
    return run_bounded(ioc_, [](OpenAiBackend& b, ChatRequest r, ChatSink& s) -> asio::awaitable<Result<ChatStats>> {
      co_return co_await b.chat(r, s);
    }(b, std::move(req), sink), 10s);
  }

  ScriptFile script_{kScript};
  boost::asio::io_context ioc_;
};

TEST_F(OpenAiSim, StreamsTheScriptWithUsageCounts) {
  test::SimProcess sim({"--script", script_.path});
  OpenAiBackend backend(ioc_.get_executor(), openai_for(sim.url()));
  CollectSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r && *r) << (r ? r->error().message : "timed out");
  EXPECT_EQ(sink.text, kScriptText);
  EXPECT_EQ(sink.calls, 7);
  EXPECT_EQ((*r)->eval_count, 7u);
  EXPECT_GT((*r)->prompt_eval_count, 0u);
  EXPECT_EQ((*r)->done_reason, "stop");
  EXPECT_EQ((*r)->model, "m");
  EXPECT_GT((*r)->first_token_ns, 0u);

  CollectSink again;
  ASSERT_TRUE(chat(backend, again).value());
  EXPECT_EQ(again.text, kScriptText);
  EXPECT_EQ(backend.connections_opened(), 1u);
}

TEST_F(OpenAiSim, MaxTokensEndsWithLength) {
  test::SimProcess sim({"--script", script_.path});
  OpenAiBackend backend(ioc_.get_executor(), openai_for(sim.url()));
  CollectSink sink;
  auto request = hello();
  request.num_predict = 2;
  auto r = chat(backend, sink, request);
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(sink.text, "Hello,");
  EXPECT_EQ((*r)->done_reason, "length");
  EXPECT_EQ((*r)->eval_count, 2u);
}

TEST_F(OpenAiSim, EveryQuirkOfTheStreamFormatComesOutTheSame) {
  test::SimProcess sim({"--script", script_.path, "--sse-noise"});
  OpenAiBackend backend(ioc_.get_executor(), openai_for(sim.url()));
  CollectSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r && *r) << (r ? r->error().message : "timed out");
  EXPECT_EQ(sink.text, kScriptText);
  EXPECT_EQ((*r)->malformed_lines, 0u);
}

TEST_F(OpenAiSim, ListsModelsAndAnswersTheProbe) {
  test::SimProcess sim({"--models", "a,b"});
  OpenAiBackend backend(ioc_.get_executor(), openai_for(sim.url()));
  auto models = run_bounded(ioc_, backend.list_models());
  ASSERT_TRUE(models && *models);
  ASSERT_EQ((*models)->size(), 2u);
  EXPECT_EQ((**models)[0].name, "a:latest");
  auto version = run_bounded(ioc_, backend.version());
  ASSERT_TRUE(version && *version);
  EXPECT_EQ(**version, "openai-compatible");
}

TEST_F(OpenAiSim, UnknownModelIs404WithAdvice) {
  test::SimProcess sim({"--models", "a"});
  OpenAiBackend backend(ioc_.get_executor(), openai_for(sim.url()));
  CollectSink sink;
  auto r = chat(backend, sink, hello("zzz"));
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().kind, Kind::Http);
  EXPECT_EQ(r->error().http_status, 404u);
  EXPECT_FALSE(r->error().message.empty());
  EXPECT_NE(r->error().advice.find("/models"), std::string::npos);
}

TEST_F(OpenAiSim, RateLimitCarriesRetryAfter) {
  test::SimProcess sim({"--http-error", "429", "--retry-after", "4"});
  OpenAiBackend backend(ioc_.get_executor(), openai_for(sim.url()));
  CollectSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().http_status, 429u);
  EXPECT_EQ(r->error().retry_after, 4s);
}

TEST_F(OpenAiSim, AnErrorInsideTheStreamIsAServerErrorAfterThePartialAnswer) {
  test::SimProcess sim({"--script", script_.path, "--sse-error-after", "3"});
  OpenAiBackend backend(ioc_.get_executor(), openai_for(sim.url()));
  CollectSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().kind, Kind::Server);
  EXPECT_FALSE(r->error().message.empty());
  EXPECT_EQ(sink.text, "Hello, world");
}

TEST_F(OpenAiSim, ADroppedConnectionIsAnInterruptedAnswer) {
  test::SimProcess sim({"--script", script_.path, "--fail-after", "4"});
  OpenAiBackend backend(ioc_.get_executor(), openai_for(sim.url()));
  CollectSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().kind, Kind::Protocol);
  EXPECT_EQ(sink.text, "Hello, world!\n");
}

TEST_F(OpenAiSim, ASilentStreamTimesOutAfterTheIdleGap) {
  test::SimProcess sim({"--script", script_.path, "--stall-after", "3"});
  OpenAiBackend backend(ioc_.get_executor(), openai_for(sim.url(), 300ms));
  CollectSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().kind, Kind::Timeout);
  EXPECT_EQ(r->error().message, "OpenAI-compatible server at " + sim.url() + "/v1 went silent for 0.3 s mid-answer");
  EXPECT_EQ(sink.text, "Hello, world");
}

TEST_F(OpenAiSim, AHungServerFailsTheProbeWithinTheProbeTimeout) {
  test::SimProcess sim({"--hang"});
  auto config = openai_for(sim.url());
  config.probe_timeout = 300ms;
  config.first_token_timeout = config.idle_timeout = 120s;
  OpenAiBackend backend(ioc_.get_executor(), config);
  auto r = run_bounded(ioc_, backend.version(), 5s);
  ASSERT_TRUE(r) << "the probe waited past the probe timeout";
  ASSERT_FALSE(*r);
  EXPECT_EQ(r->error().kind, Kind::Timeout);
  EXPECT_EQ(r->error().message, "OpenAI-compatible server at " + sim.url() + "/v1 sent nothing for 0.3 s");
}

TEST_F(OpenAiSim, TheKeyReachesTheServerAsABearerHeaderAndNoLogLine) {
  ScriptFile requests_log{""};
  LogCapture log;
  {
    test::SimProcess sim({"--script", script_.path, "--require-api-key", kKey, "--log-requests", requests_log.path});
    auto config = openai_for(sim.url());
    config.api_key = kKey;
    OpenAiBackend backend(ioc_.get_executor(), config);
    CollectSink sink;
    auto r = chat(backend, sink);  // the sim refuses /v1 requests without this exact key
    ASSERT_TRUE(r && *r) << (r ? r->error().message : "timed out");
    EXPECT_EQ(sink.text, kScriptText);

    config.api_key = "sk-wrong-key-000000";
    OpenAiBackend wrong(ioc_.get_executor(), config);
    CollectSink nothing;
    auto refused = chat(wrong, nothing);
    ASSERT_TRUE(refused && !*refused);
    EXPECT_EQ(refused->error().http_status, 401u);
    EXPECT_NE(refused->error().advice.find("api_key_env"), std::string::npos);
    const auto e = refused->error();
    for (const auto* text : {&e.message, &e.url, &e.advice}) {
      EXPECT_EQ(text->find("sk-wrong-key-000000"), std::string::npos) << *text;
    }
  }  // stopped: the sim's request log is written
  EXPECT_EQ(log.text().find(kKey), std::string::npos);
  EXPECT_EQ(slurp(requests_log.path), "POST /v1/chat/completions auth=yes\nPOST /v1/chat/completions auth=yes\n");
}

TEST_F(OpenAiSim, StreamsOverTlsWithAPrivateCa) {
  TestCerts certs;
  test::SimProcess sim(
      {"--script", script_.path, "--tls-cert", certs.path("server.pem"), "--tls-key", certs.path("server.key")});
  auto config = openai_for(sim.https_url());
  config.tls.ca_file = certs.ca();
  OpenAiBackend backend(ioc_.get_executor(), config);
  CollectSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r && *r) << (r ? r->error().message : "timed out");
  EXPECT_EQ(sink.text, kScriptText);

  config.tls.ca_file = certs.other_ca();
  OpenAiBackend untrusting(ioc_.get_executor(), config);
  CollectSink none;
  auto refused = chat(untrusting, none);
  ASSERT_TRUE(refused && !*refused);
  EXPECT_EQ(refused->error().kind, Kind::Unreachable);
  EXPECT_NE(refused->error().message.find("is not trusted"), std::string::npos) << refused->error().message;
  EXPECT_NE(refused->error().advice.find("ca_file"), std::string::npos);
}

}  // namespace
}  // namespace yollayah::backend
