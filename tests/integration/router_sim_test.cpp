// The router end to end: real ollama-sim processes over loopback, Ollama and OpenAI kinds mixed,
// built by the same factory the apps use (backend/factory.hpp) from [[backend]] entries. Each
// scenario holds the Conductor's loop to the stall budget.
#include "backend/factory.hpp"
#include "core/log.hpp"
#include "protocol/json_codec.hpp"
#include "integration/harness.hpp"
#include "support/sim_client.hpp"
#include "sim/test_pki.hpp"
#include "support/sim_process.hpp"

#include <spdlog/sinks/ostream_sink.h>

#include <cstdlib>
#include <sstream>
#include <thread>

namespace yollayah::test {
namespace {

using namespace std::chrono_literals;

// A script whose tokens are words, so that a continued answer can be checked word for word.
constexpr const char* kScript =
    "The \nsea \nis \nsalty \nbecause \nrivers \ncarry \nminerals \nfrom \nrocks \ninto \nit, \nand \nthe "
    "\nwater \nthat \nevaporates \nleaves \nthe \nsalt \nbehind.\n";
constexpr const char* kAnswer =
    "The sea is salty because rivers carry minerals from rocks into it, and the water that evaporates leaves the "
    "salt behind.";

core::BackendEntry entry(std::string name, std::string kind, std::string url, int priority) {
  core::BackendEntry e;
  e.name = std::move(name);
  e.kind = std::move(kind);
  e.url = std::move(url);
  e.priority = priority;
  e.probe_timeout = 2000ms;
  e.first_token_timeout = 3000ms;
  e.idle_timeout = 2000ms;
  return e;
}

core::BackendEntry ollama(std::string name, const SimProcess& sim, int priority) {
  return entry(std::move(name), "ollama", sim.url(), priority);
}

core::BackendEntry openai(std::string name, const SimProcess& sim, int priority) {
  return entry(std::move(name), "openai", sim.url() + "/v1", priority);
}

// A Conductor whose backends come from `config` through the factory.
struct RoutedConductor {
  RoutedConductor(asio::io_context& io, const core::Config& config, conductor::SessionConfig session = quiet_config())
      : router([&] {
          auto r = backend::make_router(io.get_executor(), config);
          if (!r) throw std::runtime_error(r.error());
          return *r;
        }()),
        conductor(io.get_executor(), router, std::move(session)) {}
  ~RoutedConductor() { expect_stall_budget(conductor.stall_monitor(), kStallBudget, /*require_samples=*/false); }

  std::shared_ptr<backend::routing::Router> router;
  conductor::Conductor conductor;
};

core::Config config_of(std::vector<core::BackendEntry> backends) {
  core::Config c;
  c.backends = std::move(backends);
  c.breaker_open = 300ms;
  return c;
}

std::size_t switch_notices(const RecordingSurface& s) {
  std::size_t n = 0;
  for (const auto& m : s.all<msg::Notify>()) n += m.title.value_or("") == "Switched model server";
  return n;
}

std::string switch_text(const RecordingSurface& s) {
  for (const auto& m : s.all<msg::Notify>())
    if (m.title.value_or("") == "Switched model server") return m.message;
  return {};
}

std::uint64_t chat_requests(const SimProcess& sim) {
  auto r = get(sim.port(), "/sim/stats");
  auto v = boost::json::parse(r.body);
  return v.as_object().at("chat_requests").to_number<std::uint64_t>() +
         v.as_object().at("openai_requests").to_number<std::uint64_t>();
}

ev::UserMessage say(std::string text = "why is the sea salty?") { return ev::UserMessage{"evt_msg", std::move(text)}; }

TEST(RouterSim, ARefusedPrimaryIsAnsweredByTheSecondOfTheOtherKind) {
  const std::string script = write_temp_file(kScript);
  SimProcess second({"--script", script});
  asio::io_context io;
  // Nothing listens on port 1: connection refused.
  RoutedConductor cut(io, config_of({entry("laptop", "ollama", "http://127.0.0.1:1", 1), openai("gpu-box", second, 2)}));
  RecordingSurface s(io, cut.conductor);
  ASSERT_TRUE(s.join());
  s.send(say());
  ASSERT_TRUE(s.run_until_count<msg::StreamEnd>(1));
  const auto end = s.all<msg::StreamEnd>().back();
  EXPECT_EQ(end.final_content, kAnswer);
  EXPECT_EQ(end.metadata.backend, protocol::Extension<std::string>("gpu-box"));
  EXPECT_EQ(switch_notices(s), 1u);
  EXPECT_NE(switch_text(s).find("laptop failed"), std::string::npos) << switch_text(s);
  EXPECT_NE(switch_text(s).find("gpu-box takes over"), std::string::npos) << switch_text(s);
}

TEST(RouterSim, APrimaryKilledMidStreamIsContinuedAsOneAnswer) {
  const std::string script = write_temp_file(kScript);
  SimProcess primary({"--script", script, "--tokens-per-sec", "40"});
  SimProcess second({"--script", script});
  asio::io_context io;
  RoutedConductor cut(io, config_of({ollama("laptop", primary, 1), openai("gpu-box", second, 2)}));
  RecordingSurface s(io, cut.conductor);
  ASSERT_TRUE(s.join());
  s.send(say());
  // Some words are on screen; then the primary dies.
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return r.tokens_text().size() >= 12; }));
  const std::string before = s.tokens_text();
  primary.kill_now();
  ASSERT_TRUE(s.run_until_count<msg::StreamEnd>(1));
  EXPECT_EQ(s.count<msg::StreamError>(), 0u);
  const auto end = s.all<msg::StreamEnd>().back();
  EXPECT_EQ(end.final_content, kAnswer);  // one answer: nothing repeated, nothing lost
  EXPECT_EQ(s.tokens_text(), kAnswer);
  EXPECT_EQ(end.final_content.rfind(before, 0), 0u);  // the text before the switch was kept
  EXPECT_EQ(end.metadata.backend, protocol::Extension<std::string>("gpu-box"));
  EXPECT_NE(switch_text(s).find("stopped mid-answer"), std::string::npos) << switch_text(s);
}

TEST(RouterSim, APrimaryThatStallsIsLeftAfterTheIdleGap) {
  const std::string script = write_temp_file(kScript);
  SimProcess primary({"--script", script, "--stall-after", "5"});
  SimProcess second({"--script", script});
  asio::io_context io;
  auto laptop = ollama("laptop", primary, 1);
  laptop.idle_timeout = 400ms;
  RoutedConductor cut(io, config_of({laptop, ollama("backup", second, 2)}));
  RecordingSurface s(io, cut.conductor);
  ASSERT_TRUE(s.join());
  s.send(say());
  ASSERT_TRUE(s.run_until_count<msg::StreamEnd>(1));
  EXPECT_EQ(s.all<msg::StreamEnd>().back().final_content, kAnswer);
  EXPECT_NE(switch_text(s).find("went silent"), std::string::npos) << switch_text(s);
}

TEST(RouterSim, TheBreakerOpensAfterThreeFailuresLetsOneProbeThroughAndCloses) {
  const std::string script = write_temp_file(kScript);
  SimProcess primary({"--script", script});
  SimProcess second({"--script", script});
  ASSERT_EQ(post_json(primary.port(), "/sim/control", boost::json::parse(R"({"http_error":503})")).status, 200u);
  asio::io_context io;
  RoutedConductor cut(io, config_of({ollama("laptop", primary, 1), ollama("backup", second, 2)}));
  RecordingSurface s(io, cut.conductor);
  ASSERT_TRUE(s.join());
  for (std::size_t i = 1; i <= 4; ++i) {
    s.send(say());
    ASSERT_TRUE(s.run_until_count<msg::StreamEnd>(i));
    EXPECT_EQ(s.all<msg::StreamEnd>().back().metadata.backend, protocol::Extension<std::string>("backup"));
  }
  EXPECT_EQ(chat_requests(primary), 3u);  // the fourth skipped the open breaker
  EXPECT_EQ(cut.router->status()[0].breaker, backend::routing::CircuitBreaker::State::Open);

  ASSERT_EQ(post_json(primary.port(), "/sim/control", boost::json::parse(R"({"http_error":0})")).status, 200u);
  const auto reopens = std::chrono::steady_clock::now() + 350ms;  // the open interval passes, the loop running
  s.run_until([&](const RecordingSurface&) { return std::chrono::steady_clock::now() >= reopens; }, 400ms);
  s.send(say());
  ASSERT_TRUE(s.run_until_count<msg::StreamEnd>(5));
  EXPECT_EQ(s.all<msg::StreamEnd>().back().metadata.backend, protocol::Extension<std::string>("laptop"));
  EXPECT_EQ(chat_requests(primary), 4u);
  EXPECT_EQ(cut.router->status()[0].breaker, backend::routing::CircuitBreaker::State::Closed);
}

TEST(RouterSim, MaxConcurrentHoldsWithTwentySessionsAtOnce) {
  SimProcess sim({"--seed", "3", "--tokens", "20", "--tokens-per-sec", "200"});
  asio::io_context io;
  auto laptop = ollama("laptop", sim, 1);
  laptop.max_concurrent = 3;
  laptop.max_queue = 32;
  RoutedConductor cut(io, config_of({laptop}));
  std::vector<std::unique_ptr<RecordingSurface>> surfaces;
  for (int i = 0; i < 20; ++i) {
    surfaces.push_back(std::make_unique<RecordingSurface>(io, cut.conductor, cut.conductor.create_session()));
    ASSERT_TRUE(surfaces.back()->join());
  }
  for (auto& s : surfaces) s->send(say());
  std::size_t most = 0;
  auto& router = *cut.router;
  ASSERT_TRUE(surfaces.front()->run_until(
      [&](const RecordingSurface&) {
        most = std::max(most, router.status()[0].in_flight);
        for (auto& s : surfaces)
          if (s->count<msg::StreamEnd>() < 1) return false;
        return true;
      },
      30s));
  EXPECT_LE(most, 3u);
  EXPECT_GE(most, 2u);  // it did run streams side by side
  EXPECT_EQ(chat_requests(sim), 20u);
  for (auto& s : surfaces) EXPECT_EQ(s->count<msg::StreamError>(), 0u);
}

TEST(RouterSim, TlsWithAPrivateCaWorksAndTheWrongCaIsAClearError) {
  TestPki pki;
  const std::string script = write_temp_file(kScript);
  SimProcess sim({"--script", script, "--tls-cert", pki.cert(), "--tls-key", pki.key()});
  {
    asio::io_context io;
    auto gpu = openai("gpu-box", sim, 1);
    gpu.url = sim.https_url() + "/v1";
    gpu.ca_file = pki.ca();
    RoutedConductor cut(io, config_of({gpu}));
    RecordingSurface s(io, cut.conductor);
    ASSERT_TRUE(s.join());
    s.send(say());
    ASSERT_TRUE(s.run_until_count<msg::StreamEnd>(1));
    EXPECT_EQ(s.all<msg::StreamEnd>().back().final_content, kAnswer);
  }
  {
    asio::io_context io;
    auto gpu = openai("gpu-box", sim, 1);
    gpu.url = sim.https_url() + "/v1";
    gpu.ca_file = pki.other_ca();
    RoutedConductor cut(io, config_of({gpu}));
    RecordingSurface s(io, cut.conductor);
    ASSERT_TRUE(s.join());
    s.send(say());
    ASSERT_TRUE(s.run_until_count<msg::StreamError>(1));
    const auto error = s.all<msg::StreamError>().back().error;
    EXPECT_NE(error.find(sim.https_url()), std::string::npos) << error;
    EXPECT_NE(error.find("ca_file"), std::string::npos) << error;
    EXPECT_EQ(s.tokens_text(), "");
  }
}

TEST(RouterSim, TheApiKeyReachesTheServerAsABearerHeaderAndNowhereElse) {
  const std::string key = "sk-yollayah-test-7f3a9c";
  const std::string script = write_temp_file(kScript);
  const std::string requests = write_temp_file("");
  SimProcess sim({"--script", script, "--require-api-key", key, "--log-requests", requests});
  ::setenv("YOLLAYAH_ROUTER_TEST_KEY", key.c_str(), 1);

  std::ostringstream log_text;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text);
  core::log().sinks().push_back(sink);
  const auto level = core::log().level();
  core::log().set_level(spdlog::level::trace);

  asio::io_context io;
  auto gpu = openai("gpu-box", sim, 1);
  gpu.api_key_env = "YOLLAYAH_ROUTER_TEST_KEY";
  gpu.api_key = key;  // what load_config reads from the variable
  auto bad = openai("bad-key", sim, 2);
  bad.api_key = "sk-wrong";
  bad.models = {"other"};
  {
    RoutedConductor cut(io, config_of({gpu, bad}));
    RecordingSurface s(io, cut.conductor);
    ASSERT_TRUE(s.join());
    s.send(say());
    ASSERT_TRUE(s.run_until_count<msg::StreamEnd>(1));
    EXPECT_EQ(s.all<msg::StreamEnd>().back().final_content, kAnswer);
    s.send(ev::UserCommand{"evt_cmd", "backends", {}});
    s.send(ev::UserCommand{"evt_cmd2", "model", {"other"}});  // the wrong key: a 401 to report
    ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return r.count<msg::Notify>() >= 1 && r.count<msg::Message>() >= 2; }));
    for (const auto& m : s.received()) EXPECT_EQ(protocol::encode(m).find("sk-"), std::string::npos) << protocol::encode(m);
  }
  core::log().flush();
  std::erase(core::log().sinks(), sink);
  core::log().set_level(level);
  ::unsetenv("YOLLAYAH_ROUTER_TEST_KEY");
  EXPECT_EQ(log_text.str().find(key), std::string::npos);
  EXPECT_EQ(log_text.str().find("sk-wrong"), std::string::npos);
  // The sim writes its request log from a thread of its own: give it a moment.
  std::string logged;
  for (int i = 0; i < 200 && logged.find("/v1/chat/completions") == std::string::npos; ++i) {
    std::ifstream in(requests);
    logged.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (logged.find("/v1/chat/completions") == std::string::npos) std::this_thread::sleep_for(10ms);
  }
  EXPECT_NE(logged.find("POST /v1/chat/completions auth=yes"), std::string::npos) << logged;
}

}  // namespace
}  // namespace yollayah::test
