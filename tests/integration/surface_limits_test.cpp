// Limits that belong to one surface, not to the whole session: the input rate (issue 15, finding
// 8), and a Handshake refused for its version, which ends that surface and nothing else
// (finding 10), through the real session and the in-process transport.
#include "integration/harness.hpp"
#include "support/sim_process.hpp"

namespace yollayah::test {
namespace {

std::size_t slow_downs(const RecordingSurface& s) {
  std::size_t n = 0;
  for (const auto& notify : s.all<msg::Notify>()) n += notify.message.find("Slow down") != std::string::npos;
  return n;
}

ev::UserCommand help() { return ev::UserCommand{"evt_help", "help", {}}; }

TEST(SurfaceLimits, OneSurfaceUsingUpItsRateDoesNotMakeAnotherWait) {
  SimProcess sim({"--script", write_temp_file("fine\n")});
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());  // the default limit: 30 inputs a minute
  RecordingSurface a(io, cut.conductor), b(io, cut.conductor);
  ASSERT_TRUE(a.join());
  ASSERT_TRUE(b.join());
  for (int i = 0; i < 35; ++i) a.send(help());
  ASSERT_TRUE(a.run_until([](auto& r) { return r.template count<msg::Ack>() >= 36; }));  // + the Handshake's
  EXPECT_EQ(slow_downs(a), 5u);

  b.send(ev::UserMessage{"evt_b", "my turn"});
  ASSERT_TRUE(b.run_until([](auto& r) {
    for (const auto& m : r.template all<msg::Message>())
      if (m.role == protocol::MessageRole::User && m.content == "my turn") return true;
    return slow_downs(r) > 0;
  }));
  EXPECT_EQ(slow_downs(b), 0u);
  ASSERT_TRUE(b.run_until_count<msg::StreamEnd>(1));
  EXPECT_EQ(b.tokens_text(), "fine");
}

TEST(SurfaceLimits, TheSessionCeilingIsStatedWhenAllSurfacesTogetherReachIt) {
  SimProcess sim;
  asio::io_context io;
  auto config = quiet_config();
  config.input.max_per_minute = 2;  // and the session four times that: 8
  ConductorUnderTest cut(io, sim.url(), config);
  std::vector<std::unique_ptr<RecordingSurface>> surfaces;
  for (int i = 0; i < 5; ++i) {
    surfaces.push_back(std::make_unique<RecordingSurface>(io, cut.conductor));
    ASSERT_TRUE(surfaces.back()->join());
  }
  for (int i = 0; i < 4; ++i) {
    auto& s = *surfaces[static_cast<std::size_t>(i)];
    s.send(help());
    s.send(help());
    ASSERT_TRUE(s.run_until([](auto& r) { return r.template count<msg::Ack>() >= 3; }));
    EXPECT_EQ(slow_downs(s), 0u) << "surface " << i;
  }
  auto& fifth = *surfaces[4];
  fifth.send(help());  // its own first input, but the ninth of the session this minute
  ASSERT_TRUE(fifth.run_until([](auto& r) { return slow_downs(r) > 0; }));
  const auto notify = fifth.all<msg::Notify>().back();
  EXPECT_NE(notify.message.find("8 messages per minute at most from all the windows"), std::string::npos)
      << notify.message;
  EXPECT_NE(notify.message.find("2 from each"), std::string::npos) << notify.message;
}

TEST(SurfaceLimits, AHandshakeRefusedForItsVersionEndsThatSurfaceAndItsMessageNeverEntersTheHistory) {
  SimProcess sim;
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface other(io, cut.conductor);
  ASSERT_TRUE(other.join());
  RecordingSurface refused(io, cut.conductor);
  refused.send(handshake(99));
  refused.send(ev::UserMessage{"evt_sneak", "sneaked in"});
  ASSERT_TRUE(refused.run_until_count<msg::HandshakeAck>(1));
  EXPECT_FALSE(refused.all<msg::HandshakeAck>()[0].accepted);

  other.send(ev::RequestSnapshot{"evt_snap"});
  ASSERT_TRUE(other.run_until_count<msg::StateSnapshot>(2));  // the join's, then this one
  // all<>() returns by value: keep it alive past the range-for's init (C++20 does not extend it).
  const auto states = other.all<msg::StateSnapshot>();
  for (const auto& m : states.back().conversation_history) EXPECT_NE(m.content, "sneaked in");
  for (const auto& m : other.all<msg::Message>()) EXPECT_NE(m.content, "sneaked in");
  EXPECT_EQ(refused.count<msg::Ack>(), 1u);  // the Handshake's; the message was never seen
  EXPECT_EQ(other.count<msg::Token>(), 0u);  // no turn was started for it
}

}  // namespace
}  // namespace yollayah::test
