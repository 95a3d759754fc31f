// The session on top of the router, with scripted fake backends: what surfaces see when a backend
// fails over, which backend the answer names, the answer-size cap, /backends, and cancelling
// answers that have not started yet.
#include "integration/harness.hpp"
#include "support/fake_backend.hpp"

namespace yollayah::test {
namespace {

using Kind = backend::BackendError::Kind;
using backend::routing::Router;
using backend::routing::UpstreamSpec;

std::shared_ptr<Router> two_backends(std::shared_ptr<FakeBackend> first, std::shared_ptr<FakeBackend> second) {
  std::vector<UpstreamSpec> specs(2);
  specs[0].backend = std::move(first);
  specs[0].priority = 1;
  specs[1].backend = std::move(second);
  specs[1].priority = 2;
  specs[1].kind = "openai";
  return std::make_shared<Router>(std::move(specs));
}

bool has_notify(const RecordingSurface& s, std::string_view title, std::string_view needle) {
  for (const auto& n : s.all<msg::Notify>())
    if (n.title.value_or("") == title && n.message.find(needle) != std::string::npos) return true;
  return false;
}

ev::UserMessage say(std::string text) { return ev::UserMessage{"evt_msg", std::move(text)}; }

TEST(RoutedSession, AFallbackIsOneNotifyAndTheAnswerNamesTheBackendThatGaveIt) {
  asio::io_context io;
  auto laptop = std::make_shared<FakeBackend>("laptop");
  auto gpu = std::make_shared<FakeBackend>("gpu-box");
  laptop->default_step = {{}, FakeBackend::error(Kind::Unreachable, "cannot reach Ollama (Connection refused)"), false};
  gpu->default_step = {{"Hello ", "from the GPU"}, std::nullopt, false};
  conductor::Conductor conductor(io.get_executor(), two_backends(laptop, gpu), quiet_config());
  RecordingSurface s(io, conductor);
  ASSERT_TRUE(s.join());
  s.send(say("hi"));
  ASSERT_TRUE(s.run_until_count<msg::StreamEnd>(1));
  EXPECT_EQ(s.tokens_text(), "Hello from the GPU");
  const auto end = s.all<msg::StreamEnd>().back();
  EXPECT_EQ(end.final_content, "Hello from the GPU");
  EXPECT_EQ(end.metadata.backend, protocol::Extension<std::string>("gpu-box"));
  EXPECT_TRUE(end.metadata.first_token_ms.has_value());
  std::size_t switches = 0;
  for (const auto& n : s.all<msg::Notify>()) switches += n.title.value_or("") == "Switched model server";
  EXPECT_EQ(switches, 1u);
  EXPECT_TRUE(has_notify(s, "Switched model server", "laptop failed"));
  EXPECT_TRUE(has_notify(s, "Switched model server", "gpu-box takes over"));
}

TEST(RoutedSession, AnAnswerBrokenMidStreamArrivesAsOneAnswer) {
  asio::io_context io;
  auto laptop = std::make_shared<FakeBackend>("laptop");
  auto gpu = std::make_shared<FakeBackend>("gpu-box");
  laptop->default_step = {{"The sea is salty ", "because "}, FakeBackend::error(Kind::Protocol, "the connection broke"), false};
  gpu->default_step = {{"rivers carry ", "minerals."}, std::nullopt, false};
  conductor::Conductor conductor(io.get_executor(), two_backends(laptop, gpu), quiet_config());
  RecordingSurface s(io, conductor);
  ASSERT_TRUE(s.join());
  s.send(say("why is the sea salty?"));
  ASSERT_TRUE(s.run_until_count<msg::StreamEnd>(1));
  EXPECT_EQ(s.count<msg::StreamError>(), 0u);
  EXPECT_EQ(s.all<msg::StreamEnd>().back().final_content, "The sea is salty because rivers carry minerals.");
  EXPECT_TRUE(has_notify(s, "Switched model server", "stopped mid-answer"));
  ASSERT_EQ(gpu->requests.size(), 1u);
  EXPECT_EQ(gpu->requests[0].messages.back().content, "The sea is salty because ");
}

TEST(RoutedSession, AnEndlessAnswerIsCutAtTheCapWithANote) {
  asio::io_context io;
  auto endless = std::make_shared<FakeBackend>("endless");
  endless->default_step.pieces.assign(4000, std::string(100, 'x'));  // 400 kB
  auto config = quiet_config();
  config.max_answer_bytes = 16 * 1024;
  conductor::Conductor conductor(io.get_executor(), endless, config);
  RecordingSurface s(io, conductor);
  ASSERT_TRUE(s.join());
  s.send(say("go on forever"));
  ASSERT_TRUE(s.run_until_count<msg::StreamEnd>(1));
  const auto end = s.all<msg::StreamEnd>().back();
  EXPECT_EQ(end.metadata.context_hint, std::optional<std::string>("truncated"));
  EXPECT_EQ(end.final_content.substr(0, 16 * 1024), std::string(16 * 1024, 'x'));
  EXPECT_NE(end.final_content.find("The answer was cut here"), std::string::npos);
  EXPECT_LT(end.final_content.size(), 16 * 1024 + 200u);
  EXPECT_EQ(s.tokens_text(), end.final_content);
  EXPECT_TRUE(has_notify(s, "Answer cut", "max_answer_bytes"));
}

TEST(RoutedSession, BackendsListsEachServerWithItsState) {
  asio::io_context io;
  auto laptop = std::make_shared<FakeBackend>("laptop", "http://127.0.0.1:11434");
  auto gpu = std::make_shared<FakeBackend>("gpu-box", "https://10.0.0.5:8080/v1");
  laptop->default_step = {{}, FakeBackend::error(Kind::Timeout, "gave no first token within 60 s"), false};
  conductor::Conductor conductor(io.get_executor(), two_backends(laptop, gpu), quiet_config());
  RecordingSurface s(io, conductor);
  ASSERT_TRUE(s.join());
  s.send(say("hi"));
  ASSERT_TRUE(s.run_until_count<msg::StreamEnd>(1));
  s.send(ev::UserCommand{"evt_cmd", "backends", {}});
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) {
    for (const auto& m : r.all<msg::Message>())
      if (m.content.find("Model servers") != std::string::npos) return true;
    return false;
  }));
  std::string note;
  for (const auto& m : s.all<msg::Message>())
    if (m.content.find("Model servers") != std::string::npos) note = m.content;
  EXPECT_NE(note.find("laptop — ollama at http://127.0.0.1:11434, priority 1"), std::string::npos) << note;
  EXPECT_NE(note.find("gpu-box — openai at https://10.0.0.5:8080/v1, priority 2"), std::string::npos) << note;
  EXPECT_NE(note.find("healthy (1 recent failure)"), std::string::npos) << note;
  EXPECT_NE(note.find("last error: gave no first token within 60 s"), std::string::npos) << note;
}

TEST(RoutedSession, CancelStopsAnAnswerThatHadNotStartedYet) {
  asio::io_context io;
  auto slow = std::make_shared<FakeBackend>("slow");
  slow->default_step = {{"first"}, std::nullopt, true};  // holds until released
  conductor::Conductor conductor(io.get_executor(), slow, quiet_config());
  RecordingSurface s(io, conductor);
  ASSERT_TRUE(s.join());
  s.send(say("one"));
  s.send(say("two"));  // queued behind the first
  ASSERT_TRUE(s.run_until([&](const RecordingSurface&) { return slow->held() == 1; }));
  s.send(ev::CancelResponse{"evt_cancel"});
  ASSERT_TRUE(s.run_until_count<msg::StreamEnd>(2));
  for (const auto& end : s.all<msg::StreamEnd>())
    EXPECT_EQ(end.metadata.context_hint, std::optional<std::string>("cancelled"));
  EXPECT_EQ(slow->calls, 1u);  // the queued one never reached the backend
}

}  // namespace
}  // namespace yollayah::test
