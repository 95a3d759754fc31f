// Peers that never say hello, announce huge frames, drip bytes, send garbage or a Handshake of the
// wrong version, against a real UnixServer: none keeps a surface with the token out, holds memory,
// stays open for long, floods the log and the peer with warnings, or reaches the session after a
// refusal (issue 15, findings 1, 9 and 10).
#include "core/log.hpp"
#include "transport/auth_token.hpp"
#include "transport/socket_fixture.hpp"

#include <boost/asio/steady_timer.hpp>
#include <spdlog/sinks/ostream_sink.h>

#include <memory>
#include <sstream>

namespace yollayah::test {
namespace {

// Writes `bytes` without blocking the test thread (the server runs on the same loop).
void write_async(RawClient& client, std::string bytes) {
  auto data = std::make_shared<std::string>(std::move(bytes));
  asio::async_write(client.socket(), asio::buffer(*data), [data](boost::system::error_code, std::size_t) {});
}

std::string frames_of(const protocol::SurfaceEvent& e, int times) {
  std::string one;
  protocol::encode_frame_into(one, e);
  std::string all;
  all.reserve(one.size() * static_cast<std::size_t>(times));
  for (int i = 0; i < times; ++i) all += one;
  return all;
}

std::string header_announcing(std::uint32_t length) {
  std::string h(8, '\0');
  for (int i = 0; i < 4; ++i) h[static_cast<std::size_t>(i)] = static_cast<char>(length >> (24 - 8 * i));
  return h;
}

std::optional<msg::HandshakeAck> refusal_of(const RawClient& c) {
  for (const auto& m : c.received())
    if (auto* ack = std::get_if<msg::HandshakeAck>(&m); ack && !ack->accepted) return *ack;
  return std::nullopt;
}

// Log lines at warn level and above, for the duration of a test.
class CapturedLog {
 public:
  CapturedLog() : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(out_)), level_(core::log().level()) {
    core::log().set_level(spdlog::level::warn);
    core::log().sinks().push_back(sink_);
  }
  ~CapturedLog() {
    core::log().sinks().pop_back();
    core::log().set_level(level_);
  }
  std::size_t lines_with(std::string_view needle) const {
    std::istringstream in(out_.str());
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);) n += line.find(needle) != std::string::npos;
    return n;
  }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
  spdlog::level::level_enum level_;
};

TEST(HostilePeers, TwoHundredSilentPeersDoNotKeepASurfaceWithTheTokenOut) {
  SimProcess sim;
  transport::UnixServerOptions options;
  options.auth_token = transport::generate_token();
  options.handshake_timeout = 60s;  // the deadline plays no part here: the budget alone must do it
  SocketConductor sc(sim.url(), options);
  ASSERT_TRUE(sc.start()) << sc.error;
  constexpr std::size_t kSilent = 200;
  std::vector<std::unique_ptr<RawClient>> silent;
  auto handled = [&] { return sc.server.connection_count() + sc.server.rejected_count(); };
  for (std::size_t i = 0; i < kSilent; ++i) {
    silent.push_back(std::make_unique<RawClient>(sc.io, sc.socket_path()));
    silent.back()->start_reading(sc.io);
    // The listen backlog is 128 and connect() blocks when it is full: let the server accept.
    if (silent.size() % 50 == 0) {
      ASSERT_TRUE(run_until(sc.io, [&] { return handled() >= silent.size(); }));
    }
  }
  ASSERT_TRUE(run_until(sc.io, [&] { return handled() >= kSilent; }));

  transport::UnixLink::Options with_token;
  with_token.auth_token = options.auth_token;
  SocketSurface good(sc.io, with_token);
  ASSERT_TRUE(good.connect(sc.io, sc.socket_path()));
  ASSERT_TRUE(good.join(sc.io)) << good.received().size() << " messages, closed: " << good.closed();
  ASSERT_EQ(good.count<msg::HandshakeAck>(), 1u);
  EXPECT_TRUE(good.all<msg::HandshakeAck>()[0].accepted);
  EXPECT_EQ(sc.server.authenticated_count(), 1u);
  EXPECT_LE(sc.server.waiting_count(), options.max_waiting_connections);

  // The silent peers that made room were told why before they were closed.
  auto evicted = [&] {
    std::size_t n = 0;
    for (const auto& c : silent) n += c->eof();
    return n;
  };
  ASSERT_TRUE(run_until(sc.io, [&] { return evicted() >= kSilent - options.max_waiting_connections; }));
  std::size_t told = 0;
  for (const auto& c : silent) {
    if (!c->eof()) continue;
    auto ack = refusal_of(*c);
    told += ack && ack->rejection_reason && ack->rejection_reason->find("waiting") != std::string::npos;
  }
  EXPECT_EQ(told, evicted());
}

TEST(HostilePeers, APeerThatNeverSaysHelloIsClosedAtTheDeadlineAndToldWhy) {
  SimProcess sim;
  transport::UnixServerOptions options;
  options.handshake_timeout = 300ms;
  SocketConductor sc(sim.url(), options);
  ASSERT_TRUE(sc.start()) << sc.error;
  SocketSurface good(sc.io);
  ASSERT_TRUE(good.connect(sc.io, sc.socket_path()));
  ASSERT_TRUE(good.join(sc.io));
  RawClient silent(sc.io, sc.socket_path());
  silent.start_reading(sc.io);
  ASSERT_TRUE(run_until(sc.io, [&] { return silent.eof(); }, 5s));
  auto ack = refusal_of(silent);
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->rejection_reason.value_or(""), "no Handshake within 300 ms");
  run_for(sc.io, 500ms);  // past the deadline: the surface that said hello stays
  EXPECT_FALSE(good.closed());
  EXPECT_EQ(sc.server.connection_count(), 1u);
}

TEST(HostilePeers, ALargeFrameBeforeTheHandshakeIsRefusedAtItsHeader) {
  SimProcess sim;
  transport::UnixServerOptions options;
  options.handshake_timeout = 60s;  // only the frame limit may close it
  SocketConductor sc(sim.url(), options);
  ASSERT_TRUE(sc.start()) << sc.error;
  RawClient raw(sc.io, sc.socket_path());
  raw.start_reading(sc.io);
  // 10 MiB is allowed after the Handshake; before it, a few KiB of it are already too many.
  raw.write(header_announcing(static_cast<std::uint32_t>(protocol::kMaxFramePayload)) + std::string(4096, 'x'));
  ASSERT_TRUE(run_until(sc.io, [&] { return raw.eof(); }, 5s));
  EXPECT_TRUE(run_until(sc.io, [&] { return sc.server.connection_count() == 0; }, 2s));
}

TEST(HostilePeers, AHandshakePipelinedWithALargeMessageStillGetsThrough) {
  SimProcess sim({"--script", write_temp_file(script({"got it"}))});
  SocketConductor sc(sim.url());
  ASSERT_TRUE(sc.start()) << sc.error;
  RawClient raw(sc.io, sc.socket_path());
  raw.start_reading(sc.io);
  const std::string big(90 * 1024, 'b');  // over the limit before the hello, under the message limit
  std::string both;
  protocol::encode_frame_into(both, protocol::SurfaceEvent{handshake(2, protocol::SurfaceType::Kind::Headless)});
  protocol::encode_frame_into(both, protocol::SurfaceEvent{ev::UserMessage{"evt_big", big}});
  write_async(raw, std::move(both));  // one write: the message's header arrives with the Handshake
  ASSERT_TRUE(run_until(sc.io, [&] { return raw.count<msg::StreamEnd>() == 1 || raw.eof(); }));
  EXPECT_FALSE(raw.eof());
  bool echoed = false;
  for (const auto& m : raw.received())
    if (auto* message = std::get_if<msg::Message>(&m)) echoed = echoed || message->content == big;
  EXPECT_TRUE(echoed);
}

TEST(HostilePeers, BytesDrippedIntoAFrameThatNeverEndsDoNotKeepThePeerAlive) {
  SimProcess sim;
  transport::UnixServerOptions options;
  options.heartbeat_interval = 50ms;
  options.max_missed_pongs = 3;
  SocketConductor sc(sim.url(), options);
  ASSERT_TRUE(sc.start()) << sc.error;
  RawClient dripper(sc.io, sc.socket_path());  // says hello, then drips a 1 MiB frame and never answers Ping
  dripper.start_reading(sc.io);
  dripper.write_event(handshake());
  dripper.write(header_announcing(1 << 20));
  asio::steady_timer drip(sc.io);
  std::function<void()> schedule = [&] {
    drip.expires_after(20ms);
    drip.async_wait([&](boost::system::error_code ec) {
      if (ec || dripper.eof()) return;
      write_async(dripper, std::string(100, 'd'));
      schedule();
    });
  };
  schedule();
  const bool closed = run_until(sc.io, [&] { return dripper.eof(); }, 5s);
  drip.cancel();
  run_for(sc.io, 10ms);
  ASSERT_TRUE(closed) << "a peer dripping bytes every 20 ms was still open after 5 s";
  EXPECT_EQ(dripper.count<msg::Ping>(), 3u);
}

TEST(HostilePeers, TwentyThousandUnreadableFramesGetAFewWarningsAndTheConnectionIsClosed) {
  SimProcess sim;
  CapturedLog log;
  SocketConductor sc(sim.url());
  ASSERT_TRUE(sc.start()) << sc.error;
  RawClient raw(sc.io, sc.socket_path());
  raw.start_reading(sc.io);
  std::string garbage = protocol::make_frame(R"({"NoSuchEvent":{"x":1}})");
  std::string all;
  for (int i = 0; i < 20'000; ++i) all += garbage;
  write_async(raw, std::move(all));
  ASSERT_TRUE(run_until(sc.io, [&] { return raw.eof(); }, 10s)) << raw.count<msg::Notify>() << " Notifies, still open";
  const auto notifies = raw.count<msg::Notify>();
  EXPECT_GE(notifies, 2u);
  EXPECT_LE(notifies, 5u);
  const auto last = std::get<msg::Notify>(raw.received().back());
  EXPECT_EQ(last.level, protocol::NotifyLevel::Error);
  EXPECT_NE(last.message.find("in a row"), std::string::npos) << last.message;
  EXPECT_LE(log.lines_with("ignored a message"), 3u) << log.text().substr(0, 2000);
}

TEST(HostilePeers, EventsBeforeTheHandshakeAreUnusableFramesToo) {
  SimProcess sim;
  transport::UnixServerOptions options;
  options.auth_token = transport::generate_token();
  SocketConductor sc(sim.url(), options);
  ASSERT_TRUE(sc.start()) << sc.error;
  RawClient early(sc.io, sc.socket_path());
  early.start_reading(sc.io);
  write_async(early, frames_of(ev::UserMessage{"evt_early", "no hello yet"}, 20'000));
  ASSERT_TRUE(run_until(sc.io, [&] { return early.eof(); }, 10s)) << early.count<msg::Notify>() << " Notifies, still open";
  EXPECT_LE(early.count<msg::Notify>(), 5u);
  EXPECT_EQ(early.count<msg::Ack>(), 0u);  // none reached the session
}

TEST(HostilePeers, UnusableFramesCountOnlyInARow) {
  SimProcess sim;
  SocketConductor sc(sim.url());
  ASSERT_TRUE(sc.start()) << sc.error;
  RawClient raw(sc.io, sc.socket_path());
  raw.start_reading(sc.io);
  const std::string bad = protocol::make_frame("{not json");
  std::string stream = frames_of(handshake(), 1);
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 20; ++i) stream += bad;
    stream += frames_of(ev::Resized{"evt_r" + std::to_string(round), 80, 24}, 1);
  }
  write_async(raw, std::move(stream));
  ASSERT_TRUE(run_until(sc.io, [&] { return raw.count<msg::Ack>() == 4; }));  // Handshake + 3 Resized
  run_for(sc.io, 100ms);
  EXPECT_FALSE(raw.eof());  // 60 bad frames, never more than 20 in a row
}

TEST(HostilePeers, AHandshakeRefusedForItsVersionClosesTheConnectionAndWhatFollowsNeverReachesTheSession) {
  SimProcess sim;
  SocketConductor sc(sim.url());
  ASSERT_TRUE(sc.start()) << sc.error;
  SocketSurface other(sc.io);
  ASSERT_TRUE(other.connect(sc.io, sc.socket_path()));
  ASSERT_TRUE(other.join(sc.io));
  RawClient refused(sc.io, sc.socket_path());
  refused.start_reading(sc.io);
  std::string both = frames_of(handshake(99), 1) + frames_of(ev::UserMessage{"evt_sneak", "sneaked in"}, 1);
  write_async(refused, std::move(both));
  ASSERT_TRUE(run_until(sc.io, [&] { return refused.eof(); }, 5s)) << "the refused connection stayed open";
  auto ack = refusal_of(refused);
  ASSERT_TRUE(ack.has_value());
  EXPECT_NE(ack->rejection_reason.value_or("").find("99"), std::string::npos);

  const std::size_t snapshots = other.count<msg::StateSnapshot>();
  other.send(ev::RequestSnapshot{"evt_snap"});
  ASSERT_TRUE(run_until(sc.io, [&] { return other.count<msg::StateSnapshot>() > snapshots; }));
  // all<>() returns by value: keep it alive past the range-for's init (C++20 does not extend it).
  const auto states = other.all<msg::StateSnapshot>();
  for (const auto& m : states.back().conversation_history) EXPECT_NE(m.content, "sneaked in");
  for (const auto& m : other.all<msg::Message>()) EXPECT_NE(m.content, "sneaked in");
  EXPECT_EQ(sc.server.connection_count(), 1u);
}

}  // namespace
}  // namespace yollayah::test
