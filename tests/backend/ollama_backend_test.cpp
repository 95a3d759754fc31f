// OllamaBackend against a scripted server: which deadline a chat waits and what a timeout says,
// cold model loads seen through /api/ps, dead peers caught by the probe, and Ollama's advice.
#include "backend/fake_server.hpp"
#include "backend/ollama_backend.hpp"
#include "backend/sim_harness.hpp"
#include "core/log.hpp"

#include <gtest/gtest.h>

namespace yollayah::backend {
namespace {

using namespace testing;
using Kind = BackendError::Kind;

const std::string kNdjson = "application/x-ndjson";
const std::string kPsWithM = R"({"models":[{"name":"m:latest","model":"m:latest"}]})";
const std::string kPsEmpty = R"({"models":[]})";
const std::string kDone =
    R"({"model":"m","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop",)"
    R"("eval_count":2,"load_duration":1234567})" "\n";

std::string line(const std::string& content) {
  return R"({"model":"m","message":{"role":"assistant","content":")" + content + R"("},"done":false})" "\n";
}

OllamaConfig deadlines_for(const std::string& url) {
  OllamaConfig c;
  c.endpoint = parse_ollama_host(url);
  c.connect_timeout = 2s;
  c.probe_timeout = 2s;
  c.first_token_timeout = 200ms;
  c.idle_timeout = 300ms;
  c.load_timeout = 400ms;
  c.loading_notice_after = 100ms;
  return c;
}

std::string answer() { return fake::chunked({line("Hel"), line("lo"), kDone}, kNdjson); }

struct LoadingSink final : ChatSink {
  void on_content(std::string_view t) override { text.append(t); }
  void on_loading(std::string_view model) override { loading.emplace_back(model); }
  std::string text;
  std::vector<std::string> loading;
};

std::vector<std::string> targets(const fake::Server& server) {
  std::vector<std::string> out;
  for (const auto& r : server.requests()) out.emplace_back(r.target());
  return out;
}

class OllamaBackendTest : public ::testing::Test {
 protected:
  void SetUp() override { core::disable_logging(); }

  std::optional<Result<ChatStats>> chat(OllamaBackend& b, ChatSink& sink, ChatRequest req = hello()) {
    return run_bounded(ioc_, [](OllamaBackend& b, ChatRequest r, ChatSink& s) -> asio::awaitable<Result<ChatStats>> {
      co_return co_await b.chat(r, s);
    }(b, std::move(req), sink), 5s);
  }

  boost::asio::io_context ioc_;
};

TEST_F(OllamaBackendTest, NoFirstTokenInTimeIsATimeoutThatSaysSo) {
  fake::Server server(ioc_, [](const fake::Request& req) {
    if (req.target() == "/api/ps") return fake::Reply{fake::response(200, kPsWithM)};
    return fake::Reply{"HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n", true};
  });
  OllamaBackend backend(ioc_.get_executor(), deadlines_for(server.url()));
  CollectSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().kind, Kind::Timeout);
  EXPECT_EQ(r->error().message, "Ollama at " + server.url() + " gave no first token within 0.2 s");
  EXPECT_EQ(r->error().url, server.url() + "/api/chat");
  EXPECT_NE(r->error().advice.find("first_token_timeout"), std::string::npos) << r->error().advice;
}

TEST_F(OllamaBackendTest, SilenceMidAnswerIsATimeoutAfterTheIdleGap) {
  fake::Server server(ioc_, [](const fake::Request& req) {
    if (req.target() == "/api/ps") return fake::Reply{fake::response(200, kPsWithM)};
    auto head = fake::chunked({line("Hel") + line("lo")}, kNdjson);
    head.resize(head.size() - 5);  // no terminating chunk: the answer stops mid-way
    return fake::Reply{head, true};
  });
  OllamaBackend backend(ioc_.get_executor(), deadlines_for(server.url()));
  CollectSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(sink.text, "Hello");
  EXPECT_EQ(r->error().kind, Kind::Timeout);
  EXPECT_EQ(r->error().message, "Ollama at " + server.url() + " went silent for 0.3 s mid-answer");
}

TEST_F(OllamaBackendTest, AColdModelIsAnnouncedAndGetsTheLoadTimeout) {
  fake::Server server(ioc_, [](const fake::Request& req) {
    if (req.target() == "/api/ps") return fake::Reply{fake::response(200, kPsEmpty)};
    return fake::Reply{answer(), false, 300ms};  // past first_token_timeout, within load_timeout
  });
  auto config = deadlines_for(server.url());
  config.load_timeout = 3s;
  OllamaBackend backend(ioc_.get_executor(), config);
  LoadingSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r && *r) << (r ? r->error().message : "timed out");
  EXPECT_EQ(sink.loading, (std::vector<std::string>{"m"}));
  EXPECT_EQ(sink.text, "Hello");
  EXPECT_EQ((*r)->load_duration_ns, 1234567u);
  EXPECT_GT((*r)->first_token_ns, 0u);
  EXPECT_TRUE(backend.known_loaded("m"));
}

TEST_F(OllamaBackendTest, AColdModelThatAnswersBeforeTheNoticeIsDueIsNotAnnounced) {
  fake::Server server(ioc_, [](const fake::Request& req) {
    if (req.target() == "/api/ps") return fake::Reply{fake::response(200, kPsEmpty)};
    return fake::Reply{answer()};
  });
  auto config = deadlines_for(server.url());
  config.loading_notice_after = 2s;
  OllamaBackend backend(ioc_.get_executor(), config);
  LoadingSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(sink.text, "Hello");
  EXPECT_TRUE(sink.loading.empty());
  ioc_.restart();
  ioc_.run_for(50ms);  // the cancelled notice wakes up and touches nothing
  EXPECT_TRUE(sink.loading.empty());
}

TEST_F(OllamaBackendTest, AColdModelThatNeverAnswersTimesOutSayingItWasLoading) {
  fake::Server server(ioc_, [](const fake::Request& req) {
    if (req.target() == "/api/ps") return fake::Reply{fake::response(200, kPsEmpty)};
    return fake::Reply{"", true};
  });
  OllamaBackend backend(ioc_.get_executor(), deadlines_for(server.url()));
  LoadingSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(sink.loading.size(), 1u);
  EXPECT_EQ(r->error().kind, Kind::Timeout);
  EXPECT_EQ(r->error().message, "Ollama at " + server.url() + " gave no first token within 0.4 s while loading m");
  EXPECT_FALSE(backend.known_loaded("m"));
  EXPECT_NE(r->error().advice.find("load_timeout"), std::string::npos) << r->error().advice;
}

TEST_F(OllamaBackendTest, AModelListedAsLoadedIsNotAnnounced) {
  fake::Server server(ioc_, [](const fake::Request& req) {
    if (req.target() == "/api/ps") return fake::Reply{fake::response(200, kPsWithM)};
    return fake::Reply{answer()};
  });
  OllamaBackend backend(ioc_.get_executor(), deadlines_for(server.url()));
  LoadingSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r && *r);
  EXPECT_TRUE(sink.loading.empty());
  EXPECT_EQ(targets(server), (std::vector<std::string>{"/api/ps", "/api/chat"}));
}

TEST_F(OllamaBackendTest, AWarmModelCostsNoExtraRequest) {
  fake::Server server(ioc_, [](const fake::Request& req) {
    if (req.target() == "/api/ps") return fake::Reply{fake::response(200, kPsEmpty)};
    return fake::Reply{answer()};
  });
  OllamaBackend backend(ioc_.get_executor(), deadlines_for(server.url()));
  for (int i = 0; i < 3; ++i) {
    LoadingSink sink;
    auto r = chat(backend, sink);
    ASSERT_TRUE(r && *r);
    if (i > 0) {
      EXPECT_TRUE(sink.loading.empty());
    }
  }
  EXPECT_EQ(targets(server), (std::vector<std::string>{"/api/ps", "/api/chat", "/api/chat", "/api/chat"}));
  EXPECT_EQ(backend.connections_opened(), 1u);
  EXPECT_TRUE(backend.known_loaded("m:latest"));
  EXPECT_FALSE(backend.known_loaded("m", OllamaBackend::Clock::now() + OllamaBackend::kLoadedFor));
}

TEST_F(OllamaBackendTest, APeerThatAcceptsAndNeverAnswersFailsAtTheProbe) {
  fake::Server server(ioc_, [](const fake::Request&) { return fake::Reply{"", true}; });
  auto config = deadlines_for(server.url());
  config.first_token_timeout = config.idle_timeout = config.load_timeout = 120s;  // as before issue 15
  OllamaBackend backend(ioc_.get_executor(), config);
  LoadingSink sink;
  auto r = chat(backend, sink);  // bounded at 5 s
  ASSERT_TRUE(r) << "the chat waited past the probe timeout";
  ASSERT_FALSE(*r);
  EXPECT_EQ(r->error().kind, Kind::Timeout);
  EXPECT_EQ(r->error().message, "Ollama at " + server.url() + " sent nothing for 2 s");
  EXPECT_EQ(r->error().url, server.url() + "/api/ps");
  EXPECT_FALSE(r->error().advice.empty());
  EXPECT_TRUE(sink.loading.empty());
  EXPECT_EQ(targets(server), (std::vector<std::string>{"/api/ps"}));  // no chat sent to a dead peer

  auto v = run_bounded(ioc_, backend.version(), 5s);
  ASSERT_TRUE(v && !*v);
  EXPECT_EQ(v->error().kind, Kind::Timeout);
  EXPECT_EQ(v->error().url, server.url() + "/api/version");
}

TEST_F(OllamaBackendTest, AServerWithoutPsIsAskedOnlyOnce) {
  int chats = 0;
  fake::Server server(ioc_, [&](const fake::Request& req) {
    if (req.target() == "/api/ps") return fake::Reply{fake::response(404, "404 page not found", {}, "text/plain")};
    if (++chats == 1) return fake::Reply{fake::response(500, R"({"error":"boom"})")};  // nothing noted as loaded
    return fake::Reply{answer()};
  });
  OllamaBackend backend(ioc_.get_executor(), deadlines_for(server.url()));
  LoadingSink first, second;
  auto r1 = chat(backend, first);
  ASSERT_TRUE(r1 && !*r1);
  EXPECT_EQ(r1->error().message, "boom");
  auto r2 = chat(backend, second);
  ASSERT_TRUE(r2 && *r2);
  EXPECT_TRUE(first.loading.empty());
  EXPECT_TRUE(second.loading.empty());
  EXPECT_EQ(targets(server), (std::vector<std::string>{"/api/ps", "/api/chat", "/api/chat"}));
}

TEST_F(OllamaBackendTest, AMissingModelIsA404WithThePullAdvice) {
  fake::Server server(ioc_, [](const fake::Request& req) {
    if (req.target() == "/api/ps") return fake::Reply{fake::response(200, kPsEmpty)};
    return fake::Reply{fake::response(404, R"({"error":"model \"zzz\" not found, try pulling it first"})")};
  });
  OllamaBackend backend(ioc_.get_executor(), deadlines_for(server.url()));
  LoadingSink sink;
  auto r = chat(backend, sink, hello("zzz"));
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().http_status, 404u);
  EXPECT_EQ(r->error().advice, "Pull it with `ollama pull zzz`.");
}

TEST_F(OllamaBackendTest, UnreachableCarriesTheStartAdvice) {
  std::uint16_t port;
  {
    boost::asio::ip::tcp::acceptor a(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  OllamaBackend backend(ioc_.get_executor(), deadlines_for("http://127.0.0.1:" + std::to_string(port)));
  LoadingSink sink;
  auto r = chat(backend, sink);
  ASSERT_TRUE(r && !*r);
  EXPECT_EQ(r->error().kind, Kind::Unreachable);
  EXPECT_EQ(r->error().advice,
            "Start Ollama with `ollama serve`, set OLLAMA_HOST to a running server, or try the simulated model: "
            "./yollayah.sh demo");
}

TEST(OllamaNames, ANameWithoutATagIsLatest) {
  EXPECT_EQ(ollama_full_name("llama3.2"), "llama3.2:latest");
  EXPECT_EQ(ollama_full_name("llama3.2:3b"), "llama3.2:3b");
  EXPECT_EQ(ollama_full_name("registry.local:5000/team/m"), "registry.local:5000/team/m:latest");
  EXPECT_EQ(ollama_full_name("registry.local:5000/team/m:q4"), "registry.local:5000/team/m:q4");
  EXPECT_EQ(ollama_full_name(""), "");
}

TEST(OllamaNames, SameModelResolvesLatestAndAdvisesAPull) {
  boost::asio::io_context ioc;
  OllamaBackend backend(ioc.get_executor(), OllamaConfig{});
  EXPECT_TRUE(backend.same_model("llama3.2:latest", "llama3.2"));
  EXPECT_TRUE(backend.same_model("llama3.2", "llama3.2:latest"));
  EXPECT_TRUE(backend.same_model("qwen2:0.5b", "qwen2:0.5b"));
  EXPECT_FALSE(backend.same_model("llama3.2:3b", "llama3.2"));
  EXPECT_FALSE(backend.same_model("llama3", "llama3.2"));
  EXPECT_EQ(backend.missing_model_advice("qwen2:0.5b"), "Pull it with `ollama pull qwen2:0.5b`.");
  EXPECT_EQ(backend.name(), "http://127.0.0.1:11434");
}

}  // namespace
}  // namespace yollayah::backend
