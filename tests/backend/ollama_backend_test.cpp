// OllamaBackend against a scripted server: which deadline a chat waits, and what a timeout says.
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
  return c;
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

}  // namespace
}  // namespace yollayah::backend
