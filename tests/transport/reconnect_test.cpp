// UnixLink's reconnect (issue 4): the backoff schedule alone, the link against a fake server
// (what it sends after a drop, close() while it waits), and against the real conductord stopped
// with SIGTERM and killed with SIGKILL, then restarted on the same socket.
#include "transport/auth_token.hpp"
#include "transport/backoff.hpp"
#include "transport/daemon_process.hpp"
#include "transport/socket_fixture.hpp"

#include <random>

namespace yollayah::test {
namespace {

using transport::Backoff;
using transport::LinkState;

// A "random" bit generator that always returns one value: u = value / 1000.
struct FixedBits {
  using result_type = std::uint32_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return 999; }
  result_type operator()() { return value; }
  result_type value = 0;
};

std::vector<std::int64_t> schedule(Backoff& b, FixedBits g, int n) {
  std::vector<std::int64_t> out;
  for (int i = 0; i < n; ++i) out.push_back(b.next(g).count());
  return out;
}

TEST(Backoff, DoublesFromOneSecondUpToSixtyFour) {
  Backoff b({1000ms, 64000ms, 0.0});
  EXPECT_EQ(schedule(b, FixedBits{500}, 9),
            (std::vector<std::int64_t>{1000, 2000, 4000, 8000, 16000, 32000, 64000, 64000, 64000}));
  EXPECT_EQ(b.attempt(), 9u);
}

TEST(Backoff, JitterIsTwentyPercentEitherWayAndNeverPastTheCap) {
  Backoff low, high;  // the defaults: 1 s, 64 s, ±20 %
  EXPECT_EQ(schedule(low, FixedBits{0}, 8),
            (std::vector<std::int64_t>{800, 1600, 3200, 6400, 12800, 25600, 51200, 51200}));
  EXPECT_EQ(schedule(high, FixedBits{999}, 8),
            (std::vector<std::int64_t>{1199, 2399, 4798, 9596, 19193, 38387, 64000, 64000}));
  Backoff mid;
  FixedBits half{500};
  EXPECT_EQ(mid.next(half).count(), 1000);
}

TEST(Backoff, ResetStartsOverAndOddParametersStaySane) {
  Backoff b({50ms, 400ms, 0.0});
  FixedBits g;
  EXPECT_EQ(schedule(b, g, 5), (std::vector<std::int64_t>{50, 100, 200, 400, 400}));
  b.reset();
  EXPECT_EQ(b.next(g).count(), 50);
  EXPECT_EQ(b.attempt(), 1u);

  Backoff odd({0ms, -5ms, 7.0});  // initial at least 1 ms, max at least initial, jitter at most 100 %
  EXPECT_EQ(odd.params().initial.count(), 1);
  EXPECT_EQ(odd.params().max.count(), 1);
  EXPECT_EQ(odd.params().jitter, 1.0);
  EXPECT_GE(odd.next(g).count(), 0);
}

TEST(Backoff, ARealGeneratorSpreadsTheFirstDelayOverTheJitterBand) {
  std::minstd_rand rng(12345);
  std::int64_t lo = 1'000'000, hi = 0;
  for (int i = 0; i < 2000; ++i) {
    Backoff b;
    const auto d = b.next(rng).count();
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_GE(lo, 800);
  EXPECT_LT(lo, 820);
  EXPECT_LE(hi, 1200);
  EXPECT_GT(hi, 1180);
}

// ---- the link against a fake server on the test's own loop ----------------------------------

transport::UnixLink::Options fast_reconnect() {
  transport::UnixLink::Options o;
  o.reconnect.enabled = true;
  o.reconnect.backoff = {50ms, 400ms, 0.2};
  return o;
}

// The frames a fake server reads from one accepted connection.
struct FakePeer {
  explicit FakePeer(asio::io_context& io) : socket(io) {}
  void start_reading() {
    socket.async_read_some(asio::buffer(buf), [this](boost::system::error_code ec, std::size_t n) {
      if (ec) {
        eof = true;
        return;
      }
      decoder.feed(std::string_view(buf.data(), n));
      while (auto next = decoder.next()) {
        if (!*next) break;
        if (auto e = protocol::decode_event(**next)) events.push_back(std::move(*e));
      }
      start_reading();
    });
  }
  void write(const protocol::ConductorMessage& m) {
    std::string frame;
    protocol::encode_frame_into(frame, m);
    asio::write(socket, asio::buffer(frame));
  }
  template <class T>
  std::size_t count() const {
    std::size_t n = 0;
    for (const auto& e : events) n += std::holds_alternative<T>(e) ? 1 : 0;
    return n;
  }

  asio::local::stream_protocol::socket socket;
  std::array<char, 65536> buf{};
  protocol::FrameDecoder decoder;
  std::vector<protocol::SurfaceEvent> events;
  bool eof = false;
};

TEST(UnixLinkReconnect, AfterADropItSendsTheHandshakeThenRequestSnapshotThenWhatWasHeld) {
  TempDir dir;
  asio::io_context io;
  const std::string path = dir.file("fake.sock");
  asio::local::stream_protocol::acceptor acceptor(io, asio::local::stream_protocol::endpoint(path));
  auto options = fast_reconnect();
  options.auth_token = "first-token";
  SocketSurface s(io, options);
  ASSERT_TRUE(s.connect(io, path));
  EXPECT_EQ(s.link().state(), LinkState::Connected);

  auto first = std::make_unique<FakePeer>(io);
  acceptor.accept(first->socket);
  first->start_reading();
  s.send(handshake());
  ASSERT_TRUE(run_until(io, [&] { return first->count<ev::Handshake>() == 1; }, 5s));

  // The server goes away: the link says so, and holds what the surface sends meanwhile.
  first->socket.close();
  ASSERT_TRUE(run_until(io, [&] { return s.link().state() == LinkState::Reconnecting; }, 5s));
  EXPECT_FALSE(s.closed());
  EXPECT_EQ(s.link().close_reason(), "the Conductor closed the connection");
  s.send(ev::UserMessage{"evt_held", "typed while the Conductor was away"});

  FakePeer second(io);
  bool accepted = false;
  acceptor.async_accept(second.socket, [&](boost::system::error_code ec) { accepted = !ec; });
  ASSERT_TRUE(run_until(io, [&] { return accepted; }, 5s));
  second.start_reading();
  ASSERT_TRUE(run_until(io, [&] { return second.events.size() >= 2; }, 5s));
  run_for(io, 50ms);
  ASSERT_EQ(second.events.size(), 2u);  // the held message waits for the HandshakeAck
  const auto& hs = std::get<ev::Handshake>(second.events.at(0));
  EXPECT_EQ(hs.auth_token, std::optional<std::string>("first-token"));  // no token file: the same one
  EXPECT_TRUE(std::holds_alternative<ev::RequestSnapshot>(second.events.at(1)));
  EXPECT_EQ(s.link().state(), LinkState::Reconnecting);

  second.write(msg::HandshakeAck{true, "conn_1", std::nullopt, 2});
  ASSERT_TRUE(run_until(io, [&] { return second.count<ev::UserMessage>() == 1; }, 5s));
  EXPECT_EQ(std::get<ev::UserMessage>(second.events.at(2)).content, "typed while the Conductor was away");
  EXPECT_EQ(s.link().state(), LinkState::Connected);
  EXPECT_EQ(s.link().reconnects(), 1u);
  EXPECT_EQ(s.states(), (std::vector<LinkState>{LinkState::Connected, LinkState::Reconnecting, LinkState::Connected}));
}

TEST(UnixLinkReconnect, ARefusedHandshakeAfterAReconnectIsRetriedNotShown) {
  TempDir dir;
  asio::io_context io;
  const std::string path = dir.file("fake.sock");
  asio::local::stream_protocol::acceptor acceptor(io, asio::local::stream_protocol::endpoint(path));
  SocketSurface s(io, fast_reconnect());
  ASSERT_TRUE(s.connect(io, path));
  s.send(handshake());
  auto accept_next = [&](FakePeer& peer) {
    bool accepted = false;
    acceptor.async_accept(peer.socket, [&](boost::system::error_code ec) { accepted = !ec; });
    EXPECT_TRUE(run_until(io, [&] { return accepted; }, 5s));
    peer.start_reading();
    EXPECT_TRUE(run_until(io, [&] { return peer.count<ev::Handshake>() == 1; }, 5s));
  };
  FakePeer first(io);  // outlives its pending read: the aborted completion still touches it
  accept_next(first);
  first.socket.close();  // dropped
  FakePeer refusing(io);
  accept_next(refusing);
  refusing.write(msg::HandshakeAck{false, "", std::string("invalid session token"), 2});
  refusing.socket.close();
  FakePeer third(io);
  accept_next(third);
  third.write(msg::HandshakeAck{true, "conn_3", std::nullopt, 2});
  ASSERT_TRUE(run_until(io, [&] { return s.link().state() == LinkState::Connected && s.count<msg::HandshakeAck>() == 1; }, 5s));
  EXPECT_TRUE(s.all<msg::HandshakeAck>().at(0).accepted);  // the refusal never reached the surface
  EXPECT_EQ(s.link().reconnects(), 2u);
}

TEST(UnixLinkReconnect, CloseWhileWaitingEndsAtOnceAndLeavesNoTimer) {
  TempDir dir;
  asio::io_context io;
  const std::string path = dir.file("fake.sock");
  auto acceptor = std::make_unique<asio::local::stream_protocol::acceptor>(io, asio::local::stream_protocol::endpoint(path));
  auto options = fast_reconnect();
  options.reconnect.backoff = {10s, 10s, 0.0};  // the retry would be far away
  SocketSurface s(io, options);
  ASSERT_TRUE(s.connect(io, path));
  {
    FakePeer peer(io);
    acceptor->accept(peer.socket);
  }  // accepted and closed at once
  acceptor.reset();
  ASSERT_TRUE(run_until(io, [&] { return s.link().state() == LinkState::Reconnecting; }, 5s));

  s.link().close();
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(run_until(io, [&] { return s.closed(); }, 2s));
  EXPECT_EQ(s.link().state(), LinkState::Closed);
  EXPECT_EQ(s.link().close_reason(), "closed by the surface");
  io.restart();
  io.run_for(3s);  // returns as soon as nothing is pending: the retry timer was cancelled
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
}

TEST(UnixLinkReconnect, WithoutTheOptionADropClosesTheLink) {
  TempDir dir;
  asio::io_context io;
  const std::string path = dir.file("fake.sock");
  asio::local::stream_protocol::acceptor acceptor(io, asio::local::stream_protocol::endpoint(path));
  SocketSurface s(io);  // the default, as `yollayah ask --connect` uses it
  ASSERT_TRUE(s.connect(io, path));
  {
    FakePeer peer(io);
    acceptor.accept(peer.socket);
  }
  ASSERT_TRUE(run_until(io, [&] { return s.closed(); }, 5s));
  EXPECT_EQ(s.link().state(), LinkState::Closed);
  EXPECT_EQ(s.link().reconnects(), 0u);
}

TEST(UnixLinkReconnect, AQuitTheSurfaceAskedForIsTheEnd) {
  TempDir dir;
  asio::io_context io;
  const std::string path = dir.file("fake.sock");
  asio::local::stream_protocol::acceptor acceptor(io, asio::local::stream_protocol::endpoint(path));
  SocketSurface s(io, fast_reconnect());
  ASSERT_TRUE(s.connect(io, path));
  FakePeer peer(io);
  acceptor.accept(peer.socket);
  peer.start_reading();
  s.send(ev::QuitRequested{"evt_q"});
  ASSERT_TRUE(run_until(io, [&] { return peer.count<ev::QuitRequested>() == 1; }, 5s));
  peer.write(msg::Quit{std::string("bye")});
  peer.socket.close();
  ASSERT_TRUE(run_until(io, [&] { return s.closed(); }, 5s));
  EXPECT_EQ(s.link().state(), LinkState::Closed);
  EXPECT_EQ(s.count<msg::Quit>(), 1u);
}

// ---- the real daemon ------------------------------------------------------------------------

std::unique_ptr<DaemonProcess> start_daemon(const TempDir& dir, const std::string& socket_path, const SimProcess& sim) {
  return std::make_unique<DaemonProcess>(
      std::vector<std::string>{"--socket", socket_path, "--pid-file", dir.file("conductor.pid"), "--config",
                               dir.file("none.toml")},
      std::vector<std::string>{"OLLAMA_HOST=" + sim.url(), "YOLLAYAH_MODEL=sim"});
}

std::size_t accepted_acks(const SocketSurface& s) {
  std::size_t n = 0;
  for (const auto& ack : s.all<msg::HandshakeAck>()) n += ack.accepted ? 1 : 0;
  return n;
}

TEST(UnixLinkReconnect, ComesBackWhenConductordIsStoppedOrKilledAndRestarted) {
  SimProcess sim({"--script", write_temp_file(script({"back", " again"}))});
  TempDir dir;
  const std::string socket_path = dir.file("run/conductor.sock");
  const std::string token_path = transport::token_path_for(socket_path);
  auto daemon = start_daemon(dir, socket_path, sim);
  ASSERT_TRUE(daemon->ready()) << daemon->log();

  asio::io_context io;
  auto options = fast_reconnect();
  options.auth_token = transport::read_token_file(token_path);
  options.reconnect.token_file = token_path;  // each start writes a new token
  SocketSurface s(io, options);
  ASSERT_TRUE(s.connect(io, socket_path));
  ASSERT_TRUE(s.join(io, 2, protocol::SurfaceType::Kind::Headless));
  s.send(ev::UserMessage{"evt_1", "first"});
  ASSERT_TRUE(run_until(io, [&] { return s.count<msg::StreamEnd>() == 1; }));

  // SIGTERM: the daemon says Quit and goes; the link keeps trying in the background.
  const auto first_token = options.auth_token;
  ASSERT_EQ(::kill(daemon->pid(), SIGTERM), 0);
  ASSERT_TRUE(run_until(io, [&] { return s.count<msg::Quit>() == 1 && s.link().state() == LinkState::Reconnecting; }, 5s));
  EXPECT_EQ(daemon->wait_exit(5s), 0);
  run_for(io, 300ms);  // a few attempts against no socket at all
  EXPECT_EQ(s.link().state(), LinkState::Reconnecting);
  EXPECT_FALSE(s.closed());

  const auto snapshots = s.count<msg::StateSnapshot>();
  daemon = start_daemon(dir, socket_path, sim);  // same socket, fresh token
  ASSERT_TRUE(daemon->ready()) << daemon->log();
  EXPECT_NE(transport::read_token_file(token_path), first_token);
  ASSERT_TRUE(run_until(io, [&] {
    return s.link().state() == LinkState::Connected && s.count<msg::StateSnapshot>() > snapshots;
  }, 10s)) << "state " << transport::to_string(s.link().state()) << ", last drop: " << s.link().close_reason();
  // One reconnect, or two if it read the token file in the instant before the new daemon wrote it
  // (that Handshake is refused and retried; the surface never sees the refusal).
  EXPECT_GE(s.link().reconnects(), 1u);
  EXPECT_EQ(accepted_acks(s), 2u);
  EXPECT_EQ(s.all<msg::HandshakeAck>().size(), 2u);
  s.send(ev::UserMessage{"evt_2", "second"});
  ASSERT_TRUE(run_until(io, [&] { return s.count<msg::StreamEnd>() == 2; }));
  EXPECT_EQ(s.all<msg::StreamEnd>().back().final_content, "back again");

  // SIGKILL: no Quit, the socket file and the token stay behind. A message typed while the daemon
  // is gone goes out once the new one accepted the Handshake.
  ASSERT_EQ(::kill(daemon->pid(), SIGKILL), 0);
  daemon->wait_exit(5s);
  ASSERT_TRUE(run_until(io, [&] { return s.link().state() == LinkState::Reconnecting; }, 5s));
  s.send(ev::UserMessage{"evt_3", "third, sent while it was down"});
  run_for(io, 200ms);
  daemon = start_daemon(dir, socket_path, sim);
  ASSERT_TRUE(daemon->ready()) << daemon->log();
  ASSERT_TRUE(run_until(io, [&] { return s.count<msg::StreamEnd>() == 3; }, 10s))
      << "state " << transport::to_string(s.link().state()) << ", last drop: " << s.link().close_reason();
  EXPECT_EQ(s.link().state(), LinkState::Connected);
  EXPECT_GE(s.link().reconnects(), 2u);  // a third if it read the old token just before the rewrite
  EXPECT_EQ(s.count<msg::Quit>(), 1u);
  EXPECT_EQ(s.states().front(), LinkState::Connected);
  EXPECT_EQ(std::count(s.states().begin(), s.states().end(), LinkState::Reconnecting), 2);

  s.link().close();
  ASSERT_TRUE(run_until(io, [&] { return s.closed(); }, 5s));
  EXPECT_EQ(s.link().state(), LinkState::Closed);
}

}  // namespace
}  // namespace yollayah::test
