// Slash commands, input limits and handshakes, through the real session and transport.
#include "integration/harness.hpp"
#include "support/sim_process.hpp"

#include <map>

namespace yollayah::test {
namespace {

bool has_notify(const RecordingSurface& s, protocol::NotifyLevel level, std::string_view needle) {
  for (const auto& n : s.all<msg::Notify>())
    if (n.level == level && n.message.find(needle) != std::string::npos) return true;
  return false;
}

bool has_system_note(const RecordingSurface& s, std::string_view needle) {
  for (const auto& m : s.all<msg::Message>())
    if (m.role == protocol::MessageRole::System && m.content.find(needle) != std::string::npos) return true;
  return false;
}

ev::UserCommand command(std::string name, std::vector<std::string> args = {}) {
  return ev::UserCommand{"evt_cmd", std::move(name), std::move(args)};
}

TEST(SessionCommands, HelpListsTheCommands) {
  SimProcess sim;
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface s(io, cut.conductor);
  ASSERT_TRUE(s.join());
  s.send(command("help"));
  ASSERT_TRUE(s.run_until([](auto& r) { return has_system_note(r, "/models"); }));
  EXPECT_TRUE(has_system_note(s, "/clear"));
  EXPECT_TRUE(has_system_note(s, "/quit"));
}

TEST(SessionCommands, ModelsListsTheBackendsModels) {
  SimProcess sim({"--models", "alpha,beta"});
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface s(io, cut.conductor);
  ASSERT_TRUE(s.join());
  s.send(command("models"));
  ASSERT_TRUE(s.run_until([](auto& r) { return has_system_note(r, "alpha"); }));
  EXPECT_TRUE(has_system_note(s, "beta"));
}

TEST(SessionCommands, ModelRefusesAnUnknownModelAndAcceptsAKnownOne) {
  SimProcess sim({"--models", "alpha,beta"});
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface s(io, cut.conductor);
  ASSERT_TRUE(s.join());
  s.send(command("model", {"nope"}));
  ASSERT_TRUE(s.run_until([](auto& r) { return has_notify(r, protocol::NotifyLevel::Warning, "nope"); }));
  s.send(command("model", {"beta"}));
  ASSERT_TRUE(s.run_until([](auto& r) {
    auto infos = r.template all<msg::SessionInfo>();
    return !infos.empty() && infos.back().model == "beta";
  }));
}

TEST(SessionCommands, ClearSendsAnEmptySnapshot) {
  SimProcess sim;
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface s(io, cut.conductor);
  ASSERT_TRUE(s.join());
  s.send(ev::UserMessage{"evt_1", "hello"});
  ASSERT_TRUE(s.run_until_count<msg::StreamEnd>(1));
  const auto before = s.count<msg::StateSnapshot>();
  s.send(command("clear"));
  ASSERT_TRUE(s.run_until_count<msg::StateSnapshot>(before + 1));
  EXPECT_TRUE(s.all<msg::StateSnapshot>().back().conversation_history.empty());
}

TEST(SessionCommands, UnknownCommandSaysWhatToDo) {
  SimProcess sim;
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface s(io, cut.conductor);
  ASSERT_TRUE(s.join());
  s.send(command("frobnicate"));
  ASSERT_TRUE(s.run_until([](auto& r) { return has_notify(r, protocol::NotifyLevel::Warning, "/help"); }));
}

TEST(SessionCommands, QuitAnswersOnlyTheSurfaceThatAsked) {
  SimProcess sim;
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface a(io, cut.conductor);
  RecordingSurface b(io, cut.conductor);
  ASSERT_TRUE(a.join());
  ASSERT_TRUE(b.join());
  a.send(command("quit"));
  ASSERT_TRUE(a.run_until_count<msg::Quit>(1));
  b.run_until([](auto&) { return false; }, std::chrono::milliseconds(100));
  EXPECT_EQ(b.count<msg::Quit>(), 0u);
}

TEST(InputLimits, OversizeMessageIsRefusedWithANotify) {
  SimProcess sim;
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface s(io, cut.conductor);
  ASSERT_TRUE(s.join());
  s.send(ev::UserMessage{"evt_big", std::string(101 * 1024, 'x')});
  ASSERT_TRUE(s.run_until([](auto& r) { return has_notify(r, protocol::NotifyLevel::Warning, "100 KiB"); }));
  for (const auto& m : s.all<msg::Message>()) EXPECT_NE(m.role, protocol::MessageRole::User);
  EXPECT_EQ(s.count<msg::StreamEnd>(), 0u);
}

TEST(InputLimits, ThirtyFirstInputInAMinuteIsRefused) {
  SimProcess sim;
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface s(io, cut.conductor);
  ASSERT_TRUE(s.join());
  for (int i = 0; i < 31; ++i) s.send(command("help"));
  ASSERT_TRUE(s.run_until([](auto& r) { return r.template count<msg::Ack>() >= 32; }));
  std::size_t notes = 0;
  for (const auto& m : s.all<msg::Message>()) notes += m.role == protocol::MessageRole::System;
  EXPECT_EQ(notes, 30u);
  std::size_t warnings = 0;
  for (const auto& n : s.all<msg::Notify>()) warnings += n.level == protocol::NotifyLevel::Warning;
  EXPECT_EQ(warnings, 1u);
}

TEST(Handshake, UnsupportedVersionIsRefusedWithAReason) {
  SimProcess sim;
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface s(io, cut.conductor);
  s.send(handshake(7));
  ASSERT_TRUE(s.run_until_count<msg::HandshakeAck>(1));
  auto ack = s.all<msg::HandshakeAck>()[0];
  EXPECT_FALSE(ack.accepted);
  ASSERT_TRUE(ack.rejection_reason.has_value());
  EXPECT_NE(ack.rejection_reason->find("7"), std::string::npos);
  EXPECT_EQ(s.count<msg::Ack>(), 1u);
  EXPECT_EQ(s.count<msg::StateSnapshot>(), 0u);
}

TEST(Handshake, VersionOneSurfaceNeverGetsVersionTwoMessages) {
  SimProcess sim({"--seed", "3", "--tokens", "200", "--tokens-per-sec", "100"});
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface v1(io, cut.conductor);
  v1.send(handshake(1));
  ASSERT_TRUE(v1.run_until_count<msg::StateSnapshot>(1));
  EXPECT_EQ(v1.all<msg::HandshakeAck>().at(0).protocol_version, 1u);
  v1.send(ev::UserMessage{"evt_1", "hi"});
  ASSERT_TRUE(v1.run_until_count<msg::Token>(1));
  for (const auto& m : v1.received()) EXPECT_EQ(protocol::variant_since(m), 1u) << protocol::variant_name(m);
}

TEST(Events, EveryEventWithAnIdGetsExactlyOneAck) {
  SimProcess sim;
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface s(io, cut.conductor);
  ASSERT_TRUE(s.join());
  s.send(ev::Resized{"evt_r", 80, 24});
  s.send(ev::AvatarClicked{"evt_a"});
  s.send(ev::MessageClicked{"evt_m", "msg_1"});
  s.send(ev::UserTyping{true});
  s.send(ev::RequestSnapshot{"evt_s"});
  s.send(ev::FocusNextConversation{"evt_f"});
  ASSERT_TRUE(s.run_until([](auto& r) { return r.template count<msg::Ack>() >= 6; }));
  s.run_until([](auto&) { return false; }, std::chrono::milliseconds(50));
  std::map<std::string, int> acks;
  for (const auto& a : s.all<msg::Ack>()) ++acks[a.event_id];
  for (const char* id : {"evt_hello", "evt_r", "evt_a", "evt_m", "evt_s", "evt_f"}) EXPECT_EQ(acks[id], 1) << id;
  EXPECT_EQ(acks.size(), 6u);
  EXPECT_EQ(s.count<msg::AvatarGesture>(), 1u) << "a click on the avatar waves";
}

}  // namespace
}  // namespace yollayah::test
