// The real Conductor against ollama-sim over loopback HTTP: greeting, turns, tags, failures.
#include "integration/harness.hpp"
#include "support/sim_process.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <cstdio>
#include <set>

namespace yollayah::test {
namespace {

using protocol::ConductorState;

std::string script(std::initializer_list<const char*> tokens) {
  std::string s;
  for (auto t : tokens) s += std::string(t) + "\n";
  return s;
}

// The variant names of what arrived, Tokens folded into one "Token*" entry.
std::vector<std::string> shape(const std::vector<protocol::ConductorMessage>& received, std::size_t from = 0) {
  std::vector<std::string> out;
  for (std::size_t i = from; i < received.size(); ++i) {
    std::string name(protocol::variant_name(received[i]));
    if (auto* s = std::get_if<msg::State>(&received[i])) {
      switch (s->state) {
        case ConductorState::Thinking: name = "State:Thinking"; break;
        case ConductorState::Responding: name = "State:Responding"; break;
        case ConductorState::Ready: name = "State:Ready"; break;
        default: name = "State:Other"; break;
      }
    }
    if (name == "Token") name = "Token*";
    if (out.empty() || out.back() != name || name != "Token*") out.push_back(name);
  }
  return out;
}

bool has_stream_end(const RecordingSurface& s) { return s.count<msg::StreamEnd>() + s.count<msg::StreamError>() > 0; }

TEST(ChatTurn, StreamsAnswerWithTheProtocolStateSequence) {
  SimProcess sim({"--script", write_temp_file(script({"Hello", ",", " world", "!"}))});
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface surface(io, cut.conductor);
  ASSERT_TRUE(surface.join());
  const std::size_t start = surface.received().size();

  surface.send(ev::UserMessage{"evt_1", "hi there"});
  ASSERT_TRUE(surface.run_until([](auto& s) {
    auto states = s.template all<msg::State>();
    return has_stream_end(s) && !states.empty() && states.back().state == ConductorState::Ready;
  }));

  std::vector<std::string> expected{"Ack", "Message", "State:Thinking", "State:Responding", "Token*", "StreamEnd",
                                    "State:Ready"};
  EXPECT_EQ(shape(surface.received(), start), expected);
  auto end = surface.all<msg::StreamEnd>().at(0);
  EXPECT_EQ(end.final_content, "Hello, world!");
  EXPECT_EQ(end.final_content, surface.tokens_text());
  EXPECT_EQ(end.metadata.model_id, std::optional<std::string>("sim"));
  EXPECT_EQ(end.metadata.token_count, 4u);
  ASSERT_TRUE(end.metadata.tokens_per_second.has_value());
  EXPECT_GT(*end.metadata.tokens_per_second, 0.0f);
  auto echo = surface.all<msg::Message>().back();
  EXPECT_EQ(echo.role, protocol::MessageRole::User);
  EXPECT_EQ(echo.content, "hi there");
}

TEST(ChatTurn, GreetsAnInteractiveSurfaceAndRemovesTags) {
  SimProcess sim({"--script", write_temp_file(script({"[yolla:wa", "ve][yolla:mood ", "happy]¡Hola", "!"}))});
  asio::io_context io;
  auto config = quiet_config();
  config.greet = true;
  ConductorUnderTest cut(io, sim.url(), config);
  RecordingSurface surface(io, cut.conductor);
  surface.send(ev::Connected{"evt_c", {protocol::SurfaceType::Kind::Tui, {}}, protocol::SurfaceCapabilities::tui()});
  ASSERT_TRUE(surface.run_until(has_stream_end));

  EXPECT_EQ(surface.all<msg::StreamEnd>().at(0).final_content, "¡Hola!");
  EXPECT_EQ(surface.tokens_text(), "¡Hola!");
  ASSERT_EQ(surface.count<msg::AvatarGesture>(), 1u);
  EXPECT_EQ(surface.all<msg::AvatarGesture>()[0].gesture.kind, protocol::AvatarGesture::Kind::Wave);
  ASSERT_EQ(surface.count<msg::AvatarMood>(), 1u);
  // Legacy hello: Ack, State, SessionInfo come first.
  auto names = shape(surface.received());
  ASSERT_GE(names.size(), 3u);
  EXPECT_EQ(names[0], "Ack");
  EXPECT_EQ(names[1].rfind("State", 0), 0u);
  EXPECT_EQ(names[2], "SessionInfo");
}

TEST(ChatTurn, HeadlessSurfaceIsNotGreeted) {
  SimProcess sim;
  asio::io_context io;
  auto config = quiet_config();
  config.greet = true;
  ConductorUnderTest cut(io, sim.url(), config);
  RecordingSurface surface(io, cut.conductor);
  surface.send(handshake(2, protocol::SurfaceType::Kind::Headless));
  surface.run_until([](auto&) { return false; }, std::chrono::milliseconds(300));
  EXPECT_EQ(surface.count<msg::Token>(), 0u);
  EXPECT_EQ(surface.count<msg::StreamEnd>(), 0u);
  EXPECT_EQ(surface.count<msg::HandshakeAck>(), 1u);
}

TEST(ChatTurn, FallbackGreetingHasItsTagsParsed) {
  SimProcess sim({"--http-error", "500"});
  asio::io_context io;
  auto config = quiet_config();
  config.greet = true;
  ConductorUnderTest cut(io, sim.url(), config);
  RecordingSurface surface(io, cut.conductor);
  surface.send(handshake());
  ASSERT_TRUE(surface.run_until([](auto& s) {
    for (auto& m : s.template all<msg::Message>())
      if (m.role == protocol::MessageRole::Assistant) return true;
    return false;
  }));
  std::string greeting;
  for (auto& m : surface.all<msg::Message>())
    if (m.role == protocol::MessageRole::Assistant) greeting = m.content;
  EXPECT_EQ(greeting, "¡Hola! Ready to chat!");
  EXPECT_EQ(surface.count<msg::AvatarGesture>(), 1u);
  EXPECT_EQ(surface.count<msg::StreamError>(), 0u);
}

TEST(ChatTurn, MultiTurnAnswersEachMessageInOrder) {
  SimProcess sim({"--script", write_temp_file(script({"one", " two"}))});
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface surface(io, cut.conductor);
  ASSERT_TRUE(surface.join());
  for (int i = 0; i < 3; ++i) {
    surface.send(ev::UserMessage{"evt_m" + std::to_string(i), "turn " + std::to_string(i)});
    ASSERT_TRUE(surface.run_until_count<msg::StreamEnd>(static_cast<std::size_t>(i + 1)));
  }
  auto ends = surface.all<msg::StreamEnd>();
  ASSERT_EQ(ends.size(), 3u);
  for (auto& e : ends) EXPECT_EQ(e.final_content, "one two");
  EXPECT_NE(ends[0].message_id, ends[1].message_id);
}

TEST(ChatTurn, MessageSentDuringAStreamIsQueuedAndAnsweredNext) {
  SimProcess sim({"--script", write_temp_file(script({"a", "b", "c", "d"})), "--tokens-per-sec", "40"});
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface surface(io, cut.conductor);
  ASSERT_TRUE(surface.join());
  surface.send(ev::UserMessage{"evt_1", "first"});
  ASSERT_TRUE(surface.run_until_count<msg::Token>(1));
  surface.send(ev::UserMessage{"evt_2", "second"});
  ASSERT_TRUE(surface.run_until_count<msg::StreamEnd>(2));

  auto ends = surface.all<msg::StreamEnd>();
  EXPECT_EQ(ends[0].final_content, "abcd");
  EXPECT_EQ(ends[1].final_content, "abcd");
  // Both acks, and the second echo arrived while the first answer was still streaming.
  EXPECT_EQ(surface.count<msg::Ack>(), 3u);
  ASSERT_TRUE(surface.run_until([](auto& s) {
    auto states = s.template all<msg::State>();
    return states.back().state == ConductorState::Ready;
  }));
}

TEST(ChatTurn, TagsSplitAcrossTokensAreRemovedAndApplied) {
  SimProcess sim({"--script", write_temp_file(script(
                                  {"Let me ", "[", "yol", "la:", "mood", " think", "ing]", "check", ". [yolla:task start ",
                                   "backend-engineer Review", " schema]", "Done [1]", " [yolla:react ta", "da]"}))});
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface surface(io, cut.conductor);
  ASSERT_TRUE(surface.join());
  surface.send(ev::UserMessage{"evt_1", "go"});
  ASSERT_TRUE(surface.run_until(has_stream_end));

  const std::string text = surface.tokens_text();
  EXPECT_EQ(text.find("[yolla"), std::string::npos) << text;
  EXPECT_EQ(text.find("yolla:"), std::string::npos) << text;
  EXPECT_EQ(surface.all<msg::StreamEnd>()[0].final_content, text);
  EXPECT_NE(text.find("Done [1]"), std::string::npos) << "ordinary brackets pass through: " << text;
  ASSERT_EQ(surface.count<msg::AvatarMood>(), 1u);
  EXPECT_EQ(surface.all<msg::AvatarMood>()[0].mood, protocol::AvatarMood::Thinking);
  ASSERT_EQ(surface.count<msg::TaskCreated>(), 1u);
  EXPECT_EQ(surface.all<msg::TaskCreated>()[0].agent, "backend-engineer");
  EXPECT_EQ(surface.all<msg::StreamEnd>()[0].metadata.agent_tasks_spawned, 1u);
  EXPECT_EQ(surface.count<msg::AvatarReact>(), 1u);
}

TEST(ChatTurn, CancelEndsTheAnswerAtOnceAndKeepsThePartialText) {
  SimProcess sim({"--seed", "7", "--tokens", "400", "--tokens-per-sec", "50"});
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface surface(io, cut.conductor);
  ASSERT_TRUE(surface.join());
  surface.send(ev::UserMessage{"evt_1", "tell me a long story"});
  ASSERT_TRUE(surface.run_until_count<msg::Token>(3));
  surface.send(ev::CancelResponse{"evt_cancel"});
  // At 50 tokens/s the full answer would take 8 s; a cancel must end it well within 2 s.
  ASSERT_TRUE(surface.run_until(has_stream_end, std::chrono::seconds(2)));

  auto end = surface.all<msg::StreamEnd>().at(0);
  EXPECT_EQ(end.metadata.context_hint, std::optional<std::string>("cancelled"));
  EXPECT_FALSE(end.final_content.empty());
  EXPECT_EQ(end.final_content, surface.tokens_text());
  EXPECT_LT(surface.count<msg::Token>(), 100u);
  ASSERT_TRUE(surface.run_until([](auto& s) { return s.template all<msg::State>().back().state == ConductorState::Ready; }));

  // The session still works after a cancel.
  surface.send(ev::UserMessage{"evt_2", "again"});
  ASSERT_TRUE(surface.run_until_count<msg::Token>(surface.count<msg::Token>() + 2));
}

TEST(ChatTurn, HttpErrorBecomesStreamErrorWithTheServersMessage) {
  SimProcess sim({"--http-error", "500"});
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface surface(io, cut.conductor);
  ASSERT_TRUE(surface.join());
  surface.send(ev::UserMessage{"evt_1", "hi"});
  ASSERT_TRUE(surface.run_until(has_stream_end));
  ASSERT_EQ(surface.count<msg::StreamError>(), 1u);
  EXPECT_NE(surface.all<msg::StreamError>()[0].error.find("simulated error 500"), std::string::npos)
      << surface.all<msg::StreamError>()[0].error;
  ASSERT_TRUE(surface.run_until([](auto& s) { return s.template all<msg::State>().back().state == ConductorState::Ready; }));
}

TEST(ChatTurn, MalformedLinesAreSkippedAndReported) {
  SimProcess sim({"--script", write_temp_file(script({"a", "b", "c", "d", "e", "f"})), "--malformed-every", "3"});
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface surface(io, cut.conductor);
  ASSERT_TRUE(surface.join());
  surface.send(ev::UserMessage{"evt_1", "hi"});
  ASSERT_TRUE(surface.run_until(has_stream_end));
  ASSERT_EQ(surface.count<msg::StreamEnd>(), 1u);
  bool warned = false;
  for (auto& n : surface.all<msg::Notify>())
    warned = warned || (n.level == protocol::NotifyLevel::Warning && n.message.find("malformed") != std::string::npos);
  EXPECT_TRUE(warned);
  // ollama-sim inserts the bad lines as extra lines, so nothing of the answer is lost.
  EXPECT_EQ(surface.all<msg::StreamEnd>()[0].final_content, "abcdef");
}

TEST(ChatTurn, StalledStreamEndsInATimeoutError) {
  SimProcess sim({"--script", write_temp_file(script({"a", "b", "c", "d"})), "--stall-after", "2"});
  asio::io_context io;
  auto backend = backend_config(sim.url());
  backend.idle_timeout = std::chrono::milliseconds(400);
  ConductorUnderTest cut(io, sim.url(), quiet_config(), backend);
  RecordingSurface surface(io, cut.conductor);
  ASSERT_TRUE(surface.join());
  surface.send(ev::UserMessage{"evt_1", "hi"});
  ASSERT_TRUE(surface.run_until(has_stream_end, std::chrono::seconds(5)));
  ASSERT_EQ(surface.count<msg::StreamError>(), 1u);
  EXPECT_EQ(surface.tokens_text(), "ab");
  // The partial answer stays in the history, visible to a surface that joins later.
  RecordingSurface late(io, cut.conductor);
  late.send(handshake());
  ASSERT_TRUE(late.run_until_count<msg::StateSnapshot>(1));
  bool kept = false;
  const auto snapshot = late.all<msg::StateSnapshot>().at(0);
  for (auto& m : snapshot.conversation_history) kept = kept || m.content == "ab";
  EXPECT_TRUE(kept);
}

TEST(ChatTurn, BackendKilledMidStreamGivesStreamError) {
  SimProcess sim({"--script", write_temp_file(script({"a", "b", "c", "d", "e"})), "--fail-after", "2"});
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface surface(io, cut.conductor);
  ASSERT_TRUE(surface.join());
  surface.send(ev::UserMessage{"evt_1", "hi"});
  ASSERT_TRUE(surface.run_until(has_stream_end));
  EXPECT_EQ(surface.count<msg::StreamError>(), 1u);
}

std::uint16_t closed_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();  // closed when `a` goes away
}

TEST(ChatTurn, UnreachableBackendIsReportedWithTheUrlAndAFix) {
  const std::string url = "http://127.0.0.1:" + std::to_string(closed_port());
  asio::io_context io;
  ConductorUnderTest cut(io, url);
  RecordingSurface surface(io, cut.conductor);
  ASSERT_TRUE(surface.join());
  surface.send(ev::UserMessage{"evt_1", "hi"});
  ASSERT_TRUE(surface.run_until(has_stream_end));
  ASSERT_EQ(surface.count<msg::StreamError>(), 1u);
  const auto error = surface.all<msg::StreamError>()[0].error;
  EXPECT_NE(error.find(url), std::string::npos) << error;
  EXPECT_NE(error.find("ollama serve"), std::string::npos) << error;
  EXPECT_NE(error.find("OLLAMA_HOST"), std::string::npos) << error;
  bool warned = false;
  for (auto& n : surface.all<msg::Notify>()) warned = warned || n.level == protocol::NotifyLevel::Warning;
  EXPECT_TRUE(warned) << "the start-up check warns that the backend is missing";
}

TEST(ChatTurn, ASurfaceJoiningAfterAFailedStartUpCheckIsWarnedToo) {
  const std::string url = "http://127.0.0.1:" + std::to_string(closed_port());
  asio::io_context io;
  ConductorUnderTest cut(io, url);
  RecordingSurface first(io, cut.conductor);
  ASSERT_TRUE(first.join());  // the check has run (Ready follows it)
  RecordingSurface late(io, cut.conductor);
  ASSERT_TRUE(late.join());
  ASSERT_TRUE(late.run_until_count<msg::Notify>(1, std::chrono::seconds(2)));
  const auto notes = late.all<msg::Notify>();
  EXPECT_EQ(notes[0].level, protocol::NotifyLevel::Warning);
  EXPECT_NE(notes[0].message.find(url), std::string::npos) << notes[0].message;
  RecordingSurface script(io, cut.conductor);  // a headless surface gets the error with its answer instead
  ASSERT_TRUE(script.join(2, protocol::SurfaceType::Kind::Headless));
  EXPECT_EQ(script.count<msg::Notify>(), 0u);
}

TEST(ChatTurn, HundredConcurrentSessionsAllComplete) {
  SimProcess sim({"--script", write_temp_file(script({"x", "y", "z"})), "--tokens-per-sec", "200"});
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  std::vector<std::unique_ptr<RecordingSurface>> surfaces;
  for (int i = 0; i < 100; ++i)
    surfaces.push_back(std::make_unique<RecordingSurface>(io, cut.conductor, cut.conductor.create_session()));
  for (auto& s : surfaces) {
    s->send(handshake());
    s->send(ev::UserMessage{"evt_1", "hi"});
  }
  // The streams overlap: at 200 tokens/s each takes ~15 ms of pacing, all in flight together.
  ASSERT_TRUE(surfaces.front()->run_until(
      [&](auto&) {
        for (auto& s : surfaces)
          if (!has_stream_end(*s)) return false;
        return true;
      },
      std::chrono::seconds(30)));
  std::set<std::string> session_ids;
  for (auto& s : surfaces) {
    ASSERT_EQ(s->count<msg::StreamEnd>(), 1u);
    EXPECT_EQ(s->all<msg::StreamEnd>()[0].final_content, "xyz");
    session_ids.insert(s->all<msg::SessionInfo>().at(0).session_id);
  }
  EXPECT_EQ(session_ids.size(), 100u);
  // 100 streams at once on one loop: it was measured, and never ran late beyond the budget.
  const auto stats = cut.conductor.stall_monitor().stats();
  std::printf("conductor loop, 100 sessions: worst %lld us, p99 %lld us, %llu probes\n",
              static_cast<long long>(stats.worst.count()), static_cast<long long>(stats.p99.count()),
              static_cast<unsigned long long>(stats.samples));
  expect_stall_budget(stats);
}

}  // namespace
}  // namespace yollayah::test
