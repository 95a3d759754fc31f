// The router against scripted fake backends: ordering, fallback before and during the stream,
// breakers on a fake clock, concurrency limits, cool-downs, status.
#include "backend/routing/router.hpp"
#include "support/fake_backend.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace yollayah::backend::routing {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using test::CollectingSink;
using test::FakeBackend;
using Kind = BackendError::Kind;
using Step = FakeBackend::Step;

UpstreamSpec spec(std::shared_ptr<FakeBackend> b, int priority = 1, std::vector<std::string> models = {"*"}) {
  UpstreamSpec s;
  s.backend = std::move(b);
  s.priority = priority;
  s.models = std::move(models);
  return s;
}

ChatRequest request(std::string model = "sim") {
  ChatRequest r;
  r.model = std::move(model);
  r.messages.push_back({ChatMessage::Role::User, "hi"});
  return r;
}

// A fake clock the breakers read.
struct FakeClock {
  CircuitBreaker::Clock::time_point now{std::chrono::hours(1)};
  std::function<CircuitBreaker::Clock::time_point()> fn() {
    return [this] { return now; };
  }
};

Result<ChatStats> chat(asio::io_context& io, Router& router, const ChatRequest& req, CollectingSink& sink) {
  std::optional<Result<ChatStats>> out;
  asio::co_spawn(io, router.chat(req, sink), [&](std::exception_ptr e, Result<ChatStats> r) {
    if (e) std::rethrow_exception(e);
    out = std::move(r);
  });
  io.restart();
  io.run_for(10s);
  if (!out) return FakeBackend::error(Kind::Protocol, "the test's chat did not finish");
  return std::move(*out);
}

struct RouterTest : ::testing::Test {
  asio::io_context io;
  FakeClock clock;
  std::shared_ptr<FakeBackend> laptop = std::make_shared<FakeBackend>("laptop", "http://127.0.0.1:11434");
  std::shared_ptr<FakeBackend> gpu = std::make_shared<FakeBackend>("gpu-box", "http://10.0.0.5:8080/v1");

  std::unique_ptr<Router> make(std::vector<UpstreamSpec> specs, RouterOptions options = {}) {
    if (!options.clock) options.clock = clock.fn();
    return std::make_unique<Router>(std::move(specs), std::move(options));
  }
};

TEST_F(RouterTest, TheLowestPriorityNumberAnswers) {
  auto router = make({spec(gpu, 2), spec(laptop, 1)});
  CollectingSink sink;
  auto r = chat(io, *router, request(), sink);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->backend, "laptop");
  EXPECT_EQ(laptop->calls, 1u);
  EXPECT_EQ(gpu->calls, 0u);
  EXPECT_EQ(r->fallbacks, 0u);
  EXPECT_TRUE(sink.switches.empty());
}

TEST_F(RouterTest, OnlyBackendsWhosePatternsMatchTheModelAreTried) {
  auto router = make({spec(laptop, 1, {"llama3*"}), spec(gpu, 2, {"qwen*"})});
  CollectingSink sink;
  auto r = chat(io, *router, request("qwen2:0.5b"), sink);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->backend, "gpu-box");
  EXPECT_EQ(laptop->calls, 0u);
}

TEST_F(RouterTest, AModelNoBackendServesIsAClearError) {
  auto router = make({spec(laptop, 1, {"llama3*"})});
  CollectingSink sink;
  auto r = chat(io, *router, request("mistral"), sink);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::Unavailable);
  EXPECT_NE(r.error().message.find("\"mistral\""), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("laptop [llama3*]"), std::string::npos) << r.error().message;
  EXPECT_FALSE(r.error().advice.empty());
}

TEST_F(RouterTest, AnAliasNamesTheRealModel) {
  RouterOptions options;
  options.aliases["fast"] = "qwen2:0.5b";
  auto router = make({spec(laptop, 1, {"qwen*"})}, options);
  CollectingSink sink;
  auto r = chat(io, *router, request("fast"), sink);
  ASSERT_TRUE(r);
  EXPECT_EQ(laptop->requests.at(0).model, "qwen2:0.5b");
  EXPECT_EQ(router->resolve("fast"), "qwen2:0.5b");
  EXPECT_EQ(router->resolve("other"), "other");
}

TEST_F(RouterTest, AFailureBeforeTheFirstTokenHandsTheSameRequestToTheNextBackend) {
  laptop->push({{}, FakeBackend::error(Kind::Unreachable, "cannot reach Ollama at http://127.0.0.1:11434 (Connection refused)")});
  gpu->default_step = {{"Hello", " there"}, std::nullopt, false};
  auto router = make({spec(laptop, 1), spec(gpu, 2)});
  CollectingSink sink;
  auto r = chat(io, *router, request(), sink);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->backend, "gpu-box");
  EXPECT_EQ(r->fallbacks, 1u);
  EXPECT_EQ(sink.content, "Hello there");
  ASSERT_EQ(sink.switches.size(), 1u);
  EXPECT_NE(sink.switches[0].find("laptop failed"), std::string::npos) << sink.switches[0];
  EXPECT_NE(sink.switches[0].find("Connection refused"), std::string::npos) << sink.switches[0];
  EXPECT_NE(sink.switches[0].find("gpu-box takes over"), std::string::npos) << sink.switches[0];
  ASSERT_EQ(gpu->requests.size(), 1u);
  EXPECT_EQ(gpu->requests[0].messages.size(), 1u);  // the same request: no assistant prefix
}

TEST_F(RouterTest, AStreamThatBreaksMidAnswerContinuesOnTheNextBackendAsOneAnswer) {
  laptop->push({{"The sea is ", "salty because "}, FakeBackend::error(Kind::Protocol, "the connection broke")});
  gpu->default_step = {{"rivers carry ", "minerals."}, std::nullopt, false};
  auto router = make({spec(laptop, 1), spec(gpu, 2)});
  CollectingSink sink;
  auto r = chat(io, *router, request(), sink);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(sink.content, "The sea is salty because rivers carry minerals.");
  EXPECT_EQ(r->backend, "gpu-box");
  EXPECT_EQ(r->eval_count, 4u);  // two pieces before the switch, two after
  ASSERT_EQ(gpu->requests.size(), 1u);
  const auto& continued = gpu->requests[0].messages;
  ASSERT_EQ(continued.size(), 2u);
  EXPECT_EQ(continued.back().role, ChatMessage::Role::Assistant);
  EXPECT_EQ(continued.back().content, "The sea is salty because ");
  ASSERT_EQ(sink.switches.size(), 1u);
  EXPECT_NE(sink.switches[0].find("stopped mid-answer"), std::string::npos) << sink.switches[0];
  EXPECT_NE(sink.switches[0].find("gpu-box continues"), std::string::npos) << sink.switches[0];
}

TEST_F(RouterTest, MidStreamFallbackCanBeTurnedOff) {
  laptop->push({{"partial "}, FakeBackend::error(Kind::Timeout, "went silent")});
  RouterOptions options;
  options.mid_stream_fallback = false;
  auto router = make({spec(laptop, 1), spec(gpu, 2)}, options);
  CollectingSink sink;
  auto r = chat(io, *router, request(), sink);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::Timeout);
  EXPECT_EQ(sink.content, "partial ");
  EXPECT_EQ(gpu->calls, 0u);
}

TEST_F(RouterTest, WhenEveryBackendFailsTheErrorNamesEachFailure) {
  laptop->default_step = {{}, FakeBackend::error(Kind::Unreachable, "connection refused")};
  gpu->default_step = {{}, FakeBackend::error(Kind::Http, "upstream overloaded", 503)};
  auto router = make({spec(laptop, 1), spec(gpu, 2)});
  CollectingSink sink;
  auto r = chat(io, *router, request(), sink);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("laptop: connection refused"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("gpu-box: upstream overloaded"), std::string::npos) << r.error().message;
}

TEST_F(RouterTest, AOneBackendRouterReturnsItsErrorUnchanged) {
  laptop->default_step = {{}, FakeBackend::error(Kind::Unreachable, "cannot reach Ollama")};
  auto router = make({spec(laptop)});
  CollectingSink sink;
  auto r = chat(io, *router, request(), sink);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "cannot reach Ollama");
}

TEST_F(RouterTest, TheBreakerOpensAfterThreeFailuresSkipsTheBackendThenProbesAndCloses) {
  laptop->default_step = {{}, FakeBackend::error(Kind::Unreachable, "refused")};
  auto router = make({spec(laptop, 1), spec(gpu, 2)});
  for (int i = 0; i < 3; ++i) {
    CollectingSink sink;
    ASSERT_TRUE(chat(io, *router, request(), sink));
  }
  EXPECT_EQ(laptop->calls, 3u);
  EXPECT_EQ(router->status()[0].breaker, CircuitBreaker::State::Open);

  CollectingSink skipped;
  auto r = chat(io, *router, request(), skipped);
  ASSERT_TRUE(r);
  EXPECT_EQ(laptop->calls, 3u);  // fenced: not even tried
  EXPECT_TRUE(skipped.switches.empty());
  EXPECT_EQ(r->backend, "gpu-box");

  clock.now += 5s;  // the open interval is over: the next request is the probe
  laptop->default_step = {{"back"}, std::nullopt, false};
  CollectingSink probe;
  r = chat(io, *router, request(), probe);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->backend, "laptop");
  EXPECT_EQ(router->status()[0].breaker, CircuitBreaker::State::Closed);
}

TEST_F(RouterTest, ClientErrorsDoNotCountAgainstTheBackend) {
  laptop->default_step = {{}, FakeBackend::error(Kind::Http, "model \"x\" not found", 404)};
  auto router = make({spec(laptop, 1), spec(gpu, 2)});
  for (int i = 0; i < 5; ++i) {
    CollectingSink sink;
    auto r = chat(io, *router, request(), sink);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->backend, "gpu-box");  // another backend may have the model
  }
  EXPECT_EQ(laptop->calls, 5u);
  EXPECT_EQ(router->status()[0].breaker, CircuitBreaker::State::Closed);
}

TEST_F(RouterTest, ARateLimitedBackendCoolsDownForItsRetryAfter) {
  auto limited = FakeBackend::error(Kind::Http, "rate limited", 429);
  limited.retry_after = 30s;
  laptop->push({{}, limited});
  auto router = make({spec(laptop, 1), spec(gpu, 2)});
  CollectingSink first;
  ASSERT_TRUE(chat(io, *router, request(), first));
  CollectingSink second;
  auto r = chat(io, *router, request(), second);
  ASSERT_TRUE(r);
  EXPECT_EQ(laptop->calls, 1u);
  auto s = router->status()[0];
  EXPECT_EQ(s.cooling_for, 30s);
  EXPECT_NE(s.state_text().find("cooling down 30 s"), std::string::npos) << s.state_text();
  EXPECT_EQ(s.breaker, CircuitBreaker::State::Closed);
  clock.now += 30s;
  CollectingSink third;
  r = chat(io, *router, request(), third);
  EXPECT_EQ(r->backend, "laptop");
}

TEST_F(RouterTest, AShortCoolDownIsWaitedOutRatherThanFailed) {
  auto limited = FakeBackend::error(Kind::Http, "rate limited", 429);
  limited.retry_after = 30ms;
  laptop->push({{}, limited});
  laptop->push({{}, limited});
  laptop->default_step = {{"finally"}, std::nullopt, false};
  RouterOptions options;
  options.clock = [] { return CircuitBreaker::Clock::now(); };  // a real wait
  auto router = make({spec(laptop)}, options);
  CollectingSink sink;
  auto r = chat(io, *router, request(), sink);  // first 429; the wait; a second 429: give up
  ASSERT_FALSE(r);
  EXPECT_EQ(laptop->calls, 2u);
  ASSERT_FALSE(sink.switches.empty());
  EXPECT_NE(sink.switches[0].find("waiting"), std::string::npos) << sink.switches[0];
  CollectingSink again;
  asio::steady_timer pause(io, 40ms);
  pause.wait();  // test thread, not an event loop
  r = chat(io, *router, request(), again);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(again.content, "finally");
}

TEST_F(RouterTest, WithEveryBackendFencedOneIsProbedAnyway) {
  laptop->default_step = {{}, FakeBackend::error(Kind::Unreachable, "refused")};
  auto router = make({spec(laptop)});
  for (int i = 0; i < 3; ++i) {
    CollectingSink sink;
    ASSERT_FALSE(chat(io, *router, request(), sink));
  }
  ASSERT_EQ(router->status()[0].breaker, CircuitBreaker::State::Open);
  laptop->default_step = {{"up again"}, std::nullopt, false};
  CollectingSink sink;
  auto r = chat(io, *router, request(), sink);  // the only backend: tried rather than refused
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(sink.content, "up again");
  EXPECT_EQ(router->status()[0].breaker, CircuitBreaker::State::Closed);
}

TEST_F(RouterTest, StreamsBeyondTheLimitQueueAndAFullQueueFallsOverToTheNextBackend) {
  laptop->default_step = {{"l"}, std::nullopt, true};
  gpu->default_step = {{"g"}, std::nullopt, true};
  auto laptop_spec = spec(laptop, 1);
  laptop_spec.max_concurrent = 2;
  laptop_spec.max_queue = 1;
  auto router = make({laptop_spec, spec(gpu, 2)});
  std::vector<CollectingSink> sinks(4);
  std::vector<std::optional<Result<ChatStats>>> results(4);
  const auto req = request();
  for (int i = 0; i < 4; ++i) {
    asio::co_spawn(io, router->chat(req, sinks[i]),
                   [&results, i](std::exception_ptr, Result<ChatStats> r) { results[i] = std::move(r); });
  }
  io.run_for(200ms);
  EXPECT_EQ(laptop->held(), 2u);  // two streams on the laptop
  EXPECT_EQ(gpu->held(), 1u);     // the fourth found the queue full and went on
  auto s = router->status();
  EXPECT_EQ(s[0].in_flight, 2u);
  EXPECT_EQ(s[0].queued, 1u);
  laptop->release_all();
  io.run_for(200ms);  // the third now runs on the laptop
  EXPECT_EQ(laptop->held(), 1u);
  laptop->release_all();
  gpu->release_all();
  io.run_for(200ms);
  for (auto& r : results) ASSERT_TRUE(r && *r);
  EXPECT_EQ(laptop->max_active, 2u);
  EXPECT_EQ(laptop->calls, 3u);
  EXPECT_EQ(gpu->calls, 1u);
  EXPECT_EQ(router->status()[0].in_flight, 0u);
}

TEST_F(RouterTest, CancellingTheCallerCancelsTheStreamWithoutFallingOver) {
  laptop->default_step = {{"part"}, std::nullopt, true};
  auto router = make({spec(laptop, 1), spec(gpu, 2)});
  CollectingSink sink;
  asio::cancellation_signal cancel;
  std::optional<Result<ChatStats>> out;
  const auto req = request();  // chat() keeps a reference: it must outlive the coroutine
  asio::co_spawn(io, router->chat(req, sink),
                 asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, Result<ChatStats> r) {
                   ASSERT_FALSE(e);
                   out = std::move(r);
                 }));
  io.run_for(50ms);
  cancel.emit(asio::cancellation_type::terminal);
  io.run_for(200ms);
  ASSERT_TRUE(out);
  ASSERT_FALSE(*out);
  EXPECT_EQ(out->error().kind, Kind::Cancelled);
  EXPECT_EQ(gpu->calls, 0u);
  EXPECT_EQ(router->status()[0].breaker, CircuitBreaker::State::Closed);
}

TEST_F(RouterTest, StatusCountsRequestsFailuresAndTheLastError) {
  laptop->push({{}, FakeBackend::error(Kind::Timeout, "gave no first token within 60 s")});
  auto router = make({spec(laptop, 1), spec(gpu, 2)});
  CollectingSink sink;
  ASSERT_TRUE(chat(io, *router, request(), sink));
  auto s = router->status();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].name, "laptop");
  EXPECT_EQ(s[0].url, "http://127.0.0.1:11434");
  EXPECT_EQ(s[0].requests, 1u);
  EXPECT_EQ(s[0].failures, 1u);
  EXPECT_EQ(s[0].last_error, "gave no first token within 60 s");
  EXPECT_EQ(s[0].state_text(), "healthy (1 recent failure)");
  EXPECT_EQ(s[1].requests, 1u);
  EXPECT_TRUE(s[1].first_token_p50_ms.has_value());
}

TEST_F(RouterTest, ModelListsAreMergedAndFilteredByEachBackendsPatterns) {
  laptop->models = {"llama3.2:3b", "qwen2:0.5b"};
  gpu->models = {"llama3.1:70b", "qwen2:0.5b", "mistral"};
  auto router = make({spec(laptop, 1), spec(gpu, 2, {"llama3*", "qwen*"})});
  std::optional<Result<std::vector<ModelInfo>>> all;
  std::optional<Result<std::string>> found;
  asio::co_spawn(io, router->list_models(), [&](std::exception_ptr, Result<std::vector<ModelInfo>> r) { all = std::move(r); });
  asio::co_spawn(io, router->find_model("llama3.1:70b"), [&](std::exception_ptr, Result<std::string> r) { found = std::move(r); });
  io.run_for(1s);
  ASSERT_TRUE(all && *all);
  std::vector<std::string> names;
  for (const auto& m : **all) names.push_back(m.name);
  EXPECT_EQ(names, (std::vector<std::string>{"llama3.2:3b", "qwen2:0.5b", "llama3.1:70b"}));  // no mistral
  ASSERT_TRUE(found && *found);
  EXPECT_EQ(**found, "gpu-box");

  std::optional<Result<std::string>> missing;
  asio::co_spawn(io, router->find_model("llama3.3"), [&](std::exception_ptr, Result<std::string> r) { missing = std::move(r); });
  io.restart();
  io.run_for(1s);
  ASSERT_TRUE(missing && !*missing);
  EXPECT_EQ(missing->error().http_status, 404u);
  EXPECT_NE(missing->error().message.find("llama3.2:3b"), std::string::npos) << missing->error().message;
}

TEST_F(RouterTest, VersionIsFineWhenOneBackendAnswersAndListsEveryFailureOtherwise) {
  laptop->version_error = FakeBackend::error(Kind::Unreachable, "refused");
  auto router = make({spec(laptop, 1), spec(gpu, 2)});
  std::optional<Result<std::string>> v;
  asio::co_spawn(io, router->version(), [&](std::exception_ptr, Result<std::string> r) { v = std::move(r); });
  io.run_for(1s);
  ASSERT_TRUE(v && *v);
  EXPECT_EQ(**v, "1 of 2 backends answer");

  gpu->version_error = FakeBackend::error(Kind::Timeout, "did not answer within 5 s");
  v.reset();
  asio::co_spawn(io, router->version(), [&](std::exception_ptr, Result<std::string> r) { v = std::move(r); });
  io.restart();
  io.run_for(1s);
  ASSERT_TRUE(v && !*v);
  EXPECT_NE(v->error().message.find("laptop: refused"), std::string::npos);
  EXPECT_NE(v->error().message.find("gpu-box: did not answer within 5 s"), std::string::npos);
}

}  // namespace
}  // namespace yollayah::backend::routing
