// OllamaBackend against a real ollama-sim process over loopback HTTP.
#include "backend/sim_harness.hpp"
#include "backend/test_certs.hpp"

#include "core/log.hpp"
#include "support/sim_process.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <gtest/gtest.h>

namespace yollayah::backend {
namespace {

using namespace testing;
using Kind = BackendError::Kind;
using Clock = std::chrono::steady_clock;

const char* kScript = "Hello\n,\n world\n!\\n\nNext line: caf\xC3\xA9 \xF0\x9F\xA6\x8E\n [yol\nla:wave]\n";
const char* kScriptText = "Hello, world!\nNext line: caf\xC3\xA9 \xF0\x9F\xA6\x8E [yolla:wave]";

class OllamaSim : public ::testing::Test {
 protected:
  void SetUp() override { core::disable_logging(); }

  std::optional<Result<ChatStats>> chat(OllamaBackend& b, ChatSink& sink, std::chrono::milliseconds limit = 10s,
                                        ChatRequest req = hello()) {
    return run_bounded(ioc_, [](OllamaBackend& b, ChatRequest r, ChatSink& s) -> asio::awaitable<Result<ChatStats>> {
      co_return co_await b.chat(r, s);
    }(b, std::move(req), sink), limit);
  }

  ScriptFile script_{kScript};
  boost::asio::io_context ioc_;
};


TEST_F(OllamaSim, StreamsTheScriptAndReportsEvalCount) {
  test::SimProcess sim({"--script", script_.path});
  OllamaBackend backend(ioc_.get_executor(), config_for(sim.url()));
  CollectSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r);
  ASSERT_TRUE(*r) << r->error().message;
  EXPECT_EQ(sink.text, kScriptText);
  EXPECT_EQ(sink.calls, 7);
  EXPECT_EQ((*r)->eval_count, 7u);
  EXPECT_EQ((*r)->done_reason, "stop");
  EXPECT_EQ((*r)->model, "m");
  EXPECT_GT((*r)->prompt_eval_count, 0u);
  EXPECT_EQ((*r)->malformed_lines, 0u);
}

TEST_F(OllamaSim, DefaultAnswerCarriesAvatarTagsAndNonAscii) {
  test::SimProcess sim;
  OllamaBackend backend(ioc_.get_executor(), config_for(sim.url()));
  CollectSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(sink.text.rfind("¡Hola! [yolla:wave]", 0), 0u) << sink.text;
}

TEST_F(OllamaSim, TwoChatsReuseOneKeepAliveConnection) {
  test::SimProcess sim({"--script", script_.path});
  OllamaBackend backend(ioc_.get_executor(), config_for(sim.url()));
  for (int i = 0; i < 3; ++i) {
    CollectSink sink;
    auto r = chat(backend, sink);
    ASSERT_TRUE(r && *r);
    EXPECT_EQ(sink.text, kScriptText);
  }
  auto models = run_bounded(ioc_, backend.list_models());
  ASSERT_TRUE(models && *models);
  EXPECT_EQ(backend.connections_opened(), 1u);
  EXPECT_EQ(backend.idle_connections(), 1u);
}

TEST_F(OllamaSim, ConcurrentChatsEachGetTheWholeAnswer) {
  test::SimProcess sim({"--seed", "7", "--tokens", "200", "--tokens-per-sec", "2000"});
  OllamaBackend backend(ioc_.get_executor(), config_for(sim.url()));
  constexpr int kChats = 6;
  std::vector<CollectSink> sinks(kChats);
  const ChatRequest request = hello();  // chat() holds a reference until it finishes
  int finished = 0, ok = 0;
  for (auto& sink : sinks) {
    boost::asio::co_spawn(ioc_, backend.chat(request, sink), [&](std::exception_ptr, Result<ChatStats> r) {
      ++finished;
      if (r && r->eval_count == 200) ++ok;
    });
  }
  auto deadline = Clock::now() + 10s;
  while (finished < kChats && Clock::now() < deadline) ioc_.run_one_for(100ms);
  EXPECT_EQ(ok, kChats);
  for (const auto& s : sinks) EXPECT_EQ(s.text, sinks[0].text);
  EXPECT_FALSE(sinks[0].text.empty());
  EXPECT_EQ(backend.connections_opened(), static_cast<std::size_t>(kChats));
  EXPECT_EQ(backend.idle_connections(), 4u);  // at most four stay parked
}

TEST_F(OllamaSim, SinkRunsOnTheCallersStrand) {
  test::SimProcess sim({"--script", script_.path});
  OllamaBackend backend(ioc_.get_executor(), config_for(sim.url()));
  auto strand = boost::asio::make_strand(ioc_);
  CollectSink sink;
  bool always_on_strand = true;
  sink.after_each = [&] { always_on_strand = always_on_strand && strand.running_in_this_thread(); };
  auto r = run_bounded(ioc_, strand, backend.chat(hello(), sink));
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(sink.calls, 7);
  EXPECT_TRUE(always_on_strand);
}

TEST_F(OllamaSim, HttpErrorCarriesTheServersMessage) {
  test::SimProcess sim({"--http-error", "500"});
  OllamaBackend backend(ioc_.get_executor(), config_for(sim.url()));
  CollectSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r);
  ASSERT_FALSE(*r);
  EXPECT_EQ(r->error().kind, Kind::Http);
  EXPECT_EQ(r->error().http_status, 500u);
  EXPECT_EQ(r->error().message, "simulated error 500");
  EXPECT_EQ(r->error().url, sim.url() + "/api/chat");
  EXPECT_TRUE(sink.text.empty());
}

TEST_F(OllamaSim, UnknownModelIsHttp404WithOllamasText) {
  test::SimProcess sim({"--models", "a,b"});
  OllamaBackend backend(ioc_.get_executor(), config_for(sim.url()));
  CollectSink sink;
  auto r = chat(backend, sink, 10s, hello("zzz"));
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().kind, Kind::Http);
  EXPECT_EQ(r->error().http_status, 404u);
  EXPECT_EQ(r->error().message, "model \"zzz\" not found, try pulling it first");
  EXPECT_EQ(r->error().advice, "Pull it with `ollama pull zzz`.");
  CollectSink ok_sink;
  auto ok = chat(backend, ok_sink, 10s, hello("a"));
  ASSERT_TRUE(ok && *ok);
}

TEST_F(OllamaSim, MalformedLinesAreSkippedAndCounted) {
  test::SimProcess sim({"--script", script_.path, "--malformed-every", "3"});
  OllamaBackend backend(ioc_.get_executor(), config_for(sim.url()));
  CollectSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(sink.text, kScriptText);
  // 7 tokens + done = 8 real lines, interleaved with garbage as lines 3, 6 and 9.
  EXPECT_EQ((*r)->malformed_lines, 3u);
  EXPECT_EQ((*r)->eval_count, 7u);
}

TEST_F(OllamaSim, StallTimesOutAfterTheIdleGap) {
  test::SimProcess sim({"--script", script_.path, "--stall-after", "3"});
  OllamaBackend backend(ioc_.get_executor(), config_for(sim.url(), 300ms));
  CollectSink sink;
  auto start = Clock::now();
  auto r = chat(backend, sink);
  auto took = Clock::now() - start;
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().kind, Kind::Timeout);
  EXPECT_NE(r->error().message.find("0.3 s"), std::string::npos) << r->error().message;
  EXPECT_EQ(sink.text, "Hello, world");
  EXPECT_LT(took, 2s);
  EXPECT_GE(took, 250ms);
  EXPECT_EQ(backend.idle_connections(), 0u);
}

TEST_F(OllamaSim, DroppedConnectionMidStreamIsProtocolError) {
  test::SimProcess sim({"--script", script_.path, "--fail-after", "4"});
  OllamaBackend backend(ioc_.get_executor(), config_for(sim.url()));
  CollectSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().kind, Kind::Protocol);
  EXPECT_NE(r->error().message.find("ended before the model finished"), std::string::npos) << r->error().message;
  EXPECT_EQ(sink.text, "Hello, world!\n");
}

TEST_F(OllamaSim, DropBeforeAnyTokenIsProtocolErrorToo) {
  test::SimProcess sim({"--fail-after", "0"});
  OllamaBackend backend(ioc_.get_executor(), config_for(sim.url()));
  CollectSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().kind, Kind::Protocol);
  EXPECT_EQ(sink.calls, 0);
}

TEST_F(OllamaSim, UnreachablePortNamesTheUrl) {
  std::uint16_t port;
  {
    boost::asio::ip::tcp::acceptor a(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  OllamaBackend backend(ioc_.get_executor(), config_for(url));
  CollectSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().kind, Kind::Unreachable);
  EXPECT_EQ(r->error().message, "cannot reach Ollama at " + url + " (Connection refused)");
  EXPECT_EQ(backend.connections_opened(), 0u);
}

TEST_F(OllamaSim, CancelAfterTheThirdTokenStopsAtOnce) {
  test::SimProcess sim({"--seed", "3", "--tokens", "100", "--tokens-per-sec", "20"});
  OllamaBackend backend(ioc_.get_executor(), config_for(sim.url()));
  boost::asio::cancellation_signal cancel;
  CollectSink sink;
  sink.after_each = [&] {
    if (sink.calls == 3) cancel.emit(boost::asio::cancellation_type::terminal);
  };
  auto start = Clock::now();
  auto r = run_bounded(ioc_, ioc_.get_executor(), backend.chat(hello(), sink), 10s, cancel.slot());
  auto took = Clock::now() - start;
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().kind, Kind::Cancelled);
  EXPECT_EQ(sink.calls, 3);
  EXPECT_LT(took, 1s);  // the whole answer would take 5 s
  EXPECT_EQ(backend.idle_connections(), 0u);  // the cancelled connection is closed, not pooled

  CollectSink again;  // the backend is still usable
  auto short_request = hello();
  short_request.num_predict = 4;
  auto r2 = chat(backend, again, 10s, short_request);
  ASSERT_TRUE(r2 && *r2);
  EXPECT_EQ((*r2)->eval_count, 4u);
  EXPECT_EQ((*r2)->done_reason, "length");
  EXPECT_EQ(backend.connections_opened(), 2u);
}

TEST_F(OllamaSim, CancelWhileWaitingForTheFirstTokenAbortsTheRead) {
  test::SimProcess sim({"--ttft-ms", "5000"});
  OllamaBackend backend(ioc_.get_executor(), config_for(sim.url()));
  boost::asio::cancellation_signal cancel;
  boost::asio::steady_timer timer(ioc_, 200ms);
  timer.async_wait([&](boost::system::error_code) { cancel.emit(boost::asio::cancellation_type::terminal); });
  CollectSink sink;
  auto start = Clock::now();
  auto r = run_bounded(ioc_, ioc_.get_executor(), backend.chat(hello(), sink), 10s, cancel.slot());
  auto took = Clock::now() - start;
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().kind, Kind::Cancelled);
  EXPECT_LT(took, 1s);
  EXPECT_EQ(sink.calls, 0);
}

TEST_F(OllamaSim, RetriesOnceWhenAPooledConnectionWasClosedByTheServer) {
  auto sim = std::make_unique<test::SimProcess>(std::vector<std::string>{"--script", script_.path});
  const auto port = std::to_string(sim->port());
  OllamaBackend backend(ioc_.get_executor(), config_for(sim->url()));
  CollectSink first;
  ASSERT_TRUE(chat(backend, first).value());
  EXPECT_EQ(backend.idle_connections(), 1u);
  sim.reset();  // the server goes away; the pooled socket is now dead
  test::SimProcess again({"--script", script_.path, "--port", port});
  CollectSink second;
  auto r = chat(backend, second);
  ASSERT_TRUE(r && *r) << (r ? r->error().message : "timed out");
  EXPECT_EQ(second.text, kScriptText);
  EXPECT_EQ(backend.connections_opened(), 2u);
}

TEST_F(OllamaSim, ListsModelsGivenWithModelsFlag) {
  test::SimProcess sim({"--models", "a,b,c"});
  OllamaBackend backend(ioc_.get_executor(), config_for(sim.url()));
  auto r = run_bounded(ioc_, backend.list_models());
  ASSERT_TRUE(r && *r);
  ASSERT_EQ((*r)->size(), 3u);
  EXPECT_EQ((**r)[0].name, "a:latest");
  EXPECT_EQ((**r)[1].name, "b:latest");
  EXPECT_EQ((**r)[2].name, "c:latest");
  EXPECT_GT((**r)[0].size, 0u);
  EXPECT_EQ((**r)[0].parameter_size, "3.2B");
}

TEST_F(OllamaSim, ReportsTheVersion) {
  test::SimProcess sim;
  OllamaBackend backend(ioc_.get_executor(), config_for(sim.url()));
  auto r = run_bounded(ioc_, backend.version());
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(**r, "0.0.0-sim");
}

TEST_F(OllamaSim, ShowReturnsTheSystemPromptOfACreatedModel) {
  test::SimProcess sim({"--models", "base", "--pull-step-ms", "0"});
  OllamaBackend backend(ioc_.get_executor(), config_for(sim.url()));
  auto missing = run_bounded(ioc_, backend.show("yollayah"));
  ASSERT_TRUE(missing && !*missing);
  EXPECT_EQ(missing->error().http_status, 404u);

  // Create it through the same HTTP client the backend uses.
  HttpClient http(ioc_.get_executor(), {.endpoint = parse_ollama_host(sim.url())});
  auto created = run_bounded(ioc_, http.fetch(boost::beast::http::verb::post, "/api/create",
                                              R"({"model":"yollayah","from":"base","system":"You are Yollayah."})"));
  ASSERT_TRUE(created && *created);
  EXPECT_NE((*created)->find("\"status\":\"success\""), std::string::npos);

  auto shown = run_bounded(ioc_, backend.show("yollayah"));
  ASSERT_TRUE(shown && *shown) << (shown ? shown->error().message : "timed out");
  EXPECT_EQ((*shown)->system, "You are Yollayah.");
  EXPECT_EQ((*shown)->parameter_size, "3.2B");
  auto models = run_bounded(ioc_, backend.list_models());
  ASSERT_TRUE(models && *models);
  EXPECT_EQ((*models)->size(), 2u);
}

TEST_F(OllamaSim, PulledModelAppearsInTheList) {
  test::SimProcess sim({"--models", "a", "--pull-step-ms", "0"});
  HttpClient http(ioc_.get_executor(), {.endpoint = parse_ollama_host(sim.url())});
  auto pulled = run_bounded(ioc_, http.fetch(boost::beast::http::verb::post, "/api/pull", R"({"model":"qwen2.5:3b"})"));
  ASSERT_TRUE(pulled && *pulled);
  EXPECT_NE((*pulled)->find("\"completed\""), std::string::npos);
  OllamaBackend backend(ioc_.get_executor(), config_for(sim.url()));
  auto models = run_bounded(ioc_, backend.list_models());
  ASSERT_TRUE(models && *models);
  ASSERT_EQ((*models)->size(), 2u);
  EXPECT_EQ((**models)[1].name, "qwen2.5:3b");
}

TEST_F(OllamaSim, LongFastStreamArrivesWhole) {
  test::SimProcess sim({"--seed", "11", "--tokens", "200000"});
  OllamaBackend backend(ioc_.get_executor(), config_for(sim.url()));
  CollectSink sink;
  auto r = chat(backend, sink, 30s);
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->eval_count, 200000u);
  EXPECT_EQ(sink.calls, 200000);
}

struct LoadingSink final : ChatSink {
  void on_content(std::string_view t) override { text.append(t); }
  void on_loading(std::string_view model) override { loading.emplace_back(model); }
  std::string text;
  std::vector<std::string> loading;
};

TEST_F(OllamaSim, AColdLoadIsAnnouncedAndWaitedForOnce) {
  test::SimProcess sim({"--script", script_.path, "--load-ms", "800"});
  auto config = config_for(sim.url());
  config.first_token_timeout = 300ms;  // shorter than the load: only load_timeout lets it finish
  config.load_timeout = 5s;
  OllamaBackend backend(ioc_.get_executor(), config);
  LoadingSink cold;
  auto first = chat(backend, cold);
  ASSERT_TRUE(first && *first) << (first ? first->error().message : "timed out");
  EXPECT_EQ(cold.loading, (std::vector<std::string>{"m"}));
  EXPECT_EQ(cold.text, kScriptText);
  EXPECT_GE((*first)->load_duration_ns, 800'000'000u);
  EXPECT_GE((*first)->first_token_ns, (*first)->load_duration_ns / 2);

  LoadingSink warm;
  auto second = chat(backend, warm);
  ASSERT_TRUE(second && *second);
  EXPECT_TRUE(warm.loading.empty());
  EXPECT_EQ(warm.text, kScriptText);
}

TEST_F(OllamaSim, AModelThatLoadsPastTheLoadTimeoutFailsSayingItWasLoading) {
  test::SimProcess sim({"--script", script_.path, "--load-ms", "3000"});
  auto config = config_for(sim.url());
  config.first_token_timeout = 200ms;
  config.load_timeout = 400ms;
  config.loading_notice_after = 100ms;
  OllamaBackend backend(ioc_.get_executor(), config);
  LoadingSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(sink.loading.size(), 1u);
  EXPECT_EQ(r->error().kind, Kind::Timeout);
  EXPECT_EQ(r->error().message, "Ollama at " + sim.url() + " gave no first token within 0.4 s while loading m");
}

TEST_F(OllamaSim, AServerThatAcceptsAndNeverAnswersFailsAtTheProbeNotAfterMinutes) {
  test::SimProcess sim({"--hang"});
  auto config = config_for(sim.url(), 120s);
  config.probe_timeout = 300ms;
  config.first_token_timeout = config.load_timeout = 120s;
  OllamaBackend backend(ioc_.get_executor(), config);
  auto version = run_bounded(ioc_, backend.version(), 5s);
  ASSERT_TRUE(version && !*version);
  EXPECT_EQ(version->error().kind, Kind::Timeout);
  EXPECT_EQ(version->error().message, "Ollama at " + sim.url() + " sent nothing for 0.3 s");
  LoadingSink sink;
  auto r = chat(backend, sink, 5s);
  ASSERT_TRUE(r) << "the chat waited past the probe timeout";
  ASSERT_FALSE(*r);
  EXPECT_EQ(r->error().kind, Kind::Timeout);
  EXPECT_EQ(r->error().url, sim.url() + "/api/ps");
  EXPECT_TRUE(sink.loading.empty());
}

TEST_F(OllamaSim, StreamsOverTlsWithAPrivateCa) {
  TestCerts certs;
  test::SimProcess sim(
      {"--script", script_.path, "--tls-cert", certs.path("server.pem"), "--tls-key", certs.path("server.key")});
  auto config = config_for(sim.https_url());
  config.tls.ca_file = certs.ca();
  OllamaBackend backend(ioc_.get_executor(), config);
  CollectSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r && *r) << (r ? r->error().message : "timed out");
  EXPECT_EQ(sink.text, kScriptText);
  EXPECT_EQ(backend.connections_opened(), 1u);  // /api/ps and the chat on one TLS connection

  config.tls.ca_file.clear();  // the system store does not know the throw-away CA
  OllamaBackend untrusting(ioc_.get_executor(), config);
  auto refused = run_bounded(ioc_, untrusting.version());
  ASSERT_TRUE(refused && !*refused);
  EXPECT_EQ(refused->error().kind, Kind::Unreachable);
  EXPECT_NE(refused->error().advice.find("ca_file"), std::string::npos) << refused->error().advice;
}

}  // namespace
}  // namespace yollayah::backend
