// conductord's transport over real Unix sockets in a temp directory, against ollama-sim: mirroring,
// framing errors, bad JSON, stale sockets, permissions, peer credentials, shutdown.
#include "transport/socket_fixture.hpp"
#include "transport/auth_token.hpp"
#include "transport/socket_file.hpp"
#include "transport/token_bucket.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>

namespace yollayah::test {
namespace {

bool has_stream_end(const SocketSurface& s) { return s.count<msg::StreamEnd>() > 0; }

TEST(UnixSocket, TwoSurfacesOnOneSessionMirrorEachOther) {
  SimProcess sim({"--script", write_temp_file(script({"Hello", ",", " world", "!"}))});
  SocketConductor sc(sim.url());
  ASSERT_TRUE(sc.start()) << sc.error;
  SocketSurface a(sc.io), b(sc.io);
  ASSERT_TRUE(a.connect(sc.io, sc.socket_path()));
  ASSERT_TRUE(b.connect(sc.io, sc.socket_path()));
  ASSERT_TRUE(a.join(sc.io));
  ASSERT_TRUE(b.join(sc.io));
  EXPECT_EQ(sc.server.connection_count(), 2u);

  a.send(ev::UserMessage{"evt_1", "hi there"});
  ASSERT_TRUE(run_until(sc.io, [&] { return has_stream_end(a) && has_stream_end(b); }));
  EXPECT_EQ(a.tokens_text(), "Hello, world!");
  EXPECT_EQ(b.tokens_text(), a.tokens_text());
  EXPECT_EQ(b.all<msg::StreamEnd>().at(0).final_content, "Hello, world!");
  // B sees A's message echoed, but only A gets the Ack for it.
  ASSERT_FALSE(b.all<msg::Message>().empty());
  EXPECT_EQ(b.all<msg::Message>().back().content, "hi there");
  auto acked = [](const SocketSurface& s) {
    for (const auto& ack : s.all<msg::Ack>())
      if (ack.event_id == "evt_1") return true;
    return false;
  };
  EXPECT_TRUE(acked(a));
  EXPECT_FALSE(acked(b));
}

TEST(UnixSocket, CorruptCrcClosesThatConnectionWhileOthersCarryOn) {
  SimProcess sim({"--script", write_temp_file(script({"still", " here"}))});
  SocketConductor sc(sim.url());
  ASSERT_TRUE(sc.start()) << sc.error;
  SocketSurface good(sc.io);
  ASSERT_TRUE(good.connect(sc.io, sc.socket_path()));
  ASSERT_TRUE(good.join(sc.io));

  RawClient bad(sc.io, sc.socket_path());
  bad.start_reading(sc.io);
  std::string frame = protocol::make_frame(protocol::encode(protocol::SurfaceEvent{handshake()}));
  frame[5] = static_cast<char>(frame[5] ^ 0x5a);  // corrupt the CRC
  bad.write(frame);
  ASSERT_TRUE(run_until(sc.io, [&] { return bad.eof(); }));
  EXPECT_TRUE(bad.received().empty());  // nothing was answered to the corrupt frame

  good.send(ev::UserMessage{"evt_2", "are you there?"});
  ASSERT_TRUE(run_until(sc.io, [&] { return has_stream_end(good); }));
  EXPECT_EQ(good.tokens_text(), "still here");
  ASSERT_TRUE(run_until(sc.io, [&] { return sc.server.connection_count() == 1; }));
}

TEST(UnixSocket, OversizeHeaderIsRefusedBeforeThePayload) {
  SimProcess sim;
  SocketConductor sc(sim.url());
  ASSERT_TRUE(sc.start()) << sc.error;
  RawClient raw(sc.io, sc.socket_path());
  raw.start_reading(sc.io);
  const std::uint32_t len = protocol::kMaxFramePayload + 1;
  const char header[8] = {static_cast<char>(len >> 24), static_cast<char>(len >> 16), static_cast<char>(len >> 8),
                          static_cast<char>(len), 0, 0, 0, 0};
  raw.write(std::string_view(header, sizeof header));  // the header only: no payload ever follows
  ASSERT_TRUE(run_until(sc.io, [&] { return raw.eof(); }, 5s));
  EXPECT_TRUE(run_until(sc.io, [&] { return sc.server.connection_count() == 0; }, 2s));
}

TEST(UnixSocket, BadJsonInAGoodFrameGetsNotifyAndTheConnectionStays) {
  SimProcess sim;
  SocketConductor sc(sim.url());
  ASSERT_TRUE(sc.start()) << sc.error;
  RawClient raw(sc.io, sc.socket_path());
  raw.start_reading(sc.io);
  raw.write(protocol::make_frame("{not json"));
  raw.write(protocol::make_frame(R"({"NoSuchEvent":{"x":1}})"));
  ASSERT_TRUE(run_until(sc.io, [&] { return raw.count<msg::Notify>() >= 2; }));
  auto notify = std::get<msg::Notify>(raw.received().at(0));
  EXPECT_EQ(notify.level, protocol::NotifyLevel::Warning);
  EXPECT_FALSE(notify.message.empty());

  raw.write_event(handshake());
  ASSERT_TRUE(run_until(sc.io, [&] { return raw.count<msg::HandshakeAck>() == 1; }));
  EXPECT_FALSE(raw.eof());
  for (const auto& m : raw.received())
    if (auto* ack = std::get_if<msg::HandshakeAck>(&m)) {
      EXPECT_TRUE(ack->accepted);
    }
}

TEST(UnixSocket, StaleSocketIsRecoveredAndALiveOneRefused) {
  SimProcess sim;
  TempDir dir;
  const std::string path = dir.file("conductor.sock");
  {  // a socket file left behind by a daemon that died: bound, never unlinked, nobody listening
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
    ::close(fd);
  }
  transport::UnixServerOptions options;
  options.socket_path = path;
  SocketConductor first(sim.url(), options);
  ASSERT_TRUE(first.start()) << first.error;
  SocketSurface s(first.io);
  EXPECT_TRUE(s.connect(first.io, path));

  SocketConductor second(sim.url(), options);
  EXPECT_FALSE(second.start());
  EXPECT_NE(second.error.find("already listening"), std::string::npos) << second.error;
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0);  // the refused one left the live socket alone
}

TEST(UnixSocket, SocketIs0600InsideA0700Directory) {
  SimProcess sim;
  SocketConductor sc(sim.url());
  ASSERT_TRUE(sc.start()) << sc.error;
  struct stat st {};
  ASSERT_EQ(::lstat(sc.socket_path().c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(sc.dir.file("run").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  sc.server.remove_socket_file();
  EXPECT_NE(::lstat(sc.socket_path().c_str(), &st), 0);
}

TEST(UnixSocket, RefusesADirectoryOthersCanWrite) {
  TempDir dir;
  ASSERT_EQ(::chmod(dir.path().c_str(), 0777), 0);
  auto err = transport::prepare_socket_dir(dir.file("conductor.sock"));
  ASSERT_TRUE(err.has_value());
  EXPECT_NE(err->message.find("writable by other users"), std::string::npos) << err->message;
}

TEST(UnixSocket, PeerCredentialsAcceptOurOwnUid) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  EXPECT_EQ(transport::peer_uid(fds[0]), std::optional<uid_t>(::getuid()));
  ::close(fds[0]);
  ::close(fds[1]);
  EXPECT_EQ(transport::peer_uid(-1), std::nullopt);  // cannot tell: callers refuse

  SimProcess sim;
  SocketConductor sc(sim.url());
  ASSERT_TRUE(sc.start()) << sc.error;
  SocketSurface s(sc.io);
  ASSERT_TRUE(s.connect(sc.io, sc.socket_path()));
  ASSERT_TRUE(s.join(sc.io));
  EXPECT_EQ(sc.server.rejected_count(), 0u);
}

TEST(UnixSocket, ConnectionCapRefusesTheExtraPeer) {
  SimProcess sim;
  transport::UnixServerOptions options;
  options.max_connections = 1;
  SocketConductor sc(sim.url(), options);
  ASSERT_TRUE(sc.start()) << sc.error;
  SocketSurface first(sc.io);
  ASSERT_TRUE(first.connect(sc.io, sc.socket_path()));
  ASSERT_TRUE(first.join(sc.io));
  SocketSurface extra(sc.io);
  ASSERT_TRUE(extra.connect(sc.io, sc.socket_path()));  // the kernel accepts; the server then closes it
  ASSERT_TRUE(run_until(sc.io, [&] { return extra.closed(); }));
  EXPECT_EQ(sc.server.rejected_count(), 1u);
  EXPECT_FALSE(first.closed());
}

TEST(UnixSocket, PerUserCapRefusesTheExtraPeerAndFreesItsSlotOnLeaving) {
  SimProcess sim;
  transport::UnixServerOptions options;
  options.max_connections = 10;
  options.max_connections_per_uid = 1;
  SocketConductor sc(sim.url(), options);
  ASSERT_TRUE(sc.start()) << sc.error;
  SocketSurface first(sc.io);
  ASSERT_TRUE(first.connect(sc.io, sc.socket_path()));
  ASSERT_TRUE(first.join(sc.io));
  SocketSurface extra(sc.io);
  ASSERT_TRUE(extra.connect(sc.io, sc.socket_path()));
  ASSERT_TRUE(run_until(sc.io, [&] { return extra.closed(); }));
  EXPECT_EQ(sc.server.rejected_count(), 1u);
  // When the first one leaves, the same user may connect again.
  first.link().close();
  ASSERT_TRUE(run_until(sc.io, [&] { return sc.server.connection_count() == 0; }));
  SocketSurface again(sc.io);
  ASSERT_TRUE(again.connect(sc.io, sc.socket_path()));
  EXPECT_TRUE(again.join(sc.io));
  EXPECT_EQ(sc.server.rejected_count(), 1u);
}

TEST(UnixSocket, ShutdownSendsQuitToEverySurface) {
  SimProcess sim;
  transport::UnixServerOptions options;
  options.shutdown_grace = 30s;  // the surfaces go as soon as their Quit is written, not at the grace
  SocketConductor sc(sim.url(), options);
  ASSERT_TRUE(sc.start()) << sc.error;
  SocketSurface a(sc.io), b(sc.io);
  ASSERT_TRUE(a.connect(sc.io, sc.socket_path()));
  ASSERT_TRUE(b.connect(sc.io, sc.socket_path()));
  ASSERT_TRUE(a.join(sc.io));
  ASSERT_TRUE(b.join(sc.io));
  bool done = false;
  asio::co_spawn(sc.io, sc.server.shutdown(std::string("bye")), [&](std::exception_ptr) { done = true; });
  ASSERT_TRUE(run_until(sc.io, [&] { return done && a.closed() && b.closed(); }, 5s));
  EXPECT_EQ(a.link().close_reason(), "the Conductor closed the connection");
  ASSERT_EQ(a.count<msg::Quit>(), 1u);
  EXPECT_EQ(a.all<msg::Quit>().at(0).message, std::optional<std::string>("bye"));
  EXPECT_EQ(b.count<msg::Quit>(), 1u);
  EXPECT_EQ(sc.server.connection_count(), 0u);
}

TEST(UnixSocket, ASurfaceThatNeverReadsGetsResyncAndDoesNotStallAnother) {
  SimProcess sim({"--script", write_temp_file(script({"ok", "."}))});
  transport::UnixServerOptions options;
  options.queue_limits = {8, 32};
  SocketConductor sc(sim.url(), options);
  ASSERT_TRUE(sc.start()) << sc.error;
  SocketSurface reader(sc.io);
  ASSERT_TRUE(reader.connect(sc.io, sc.socket_path()));
  ASSERT_TRUE(reader.join(sc.io));
  reader.send(ev::UserMessage{"evt_warm", "warm up"});  // the backend's first connection, out of the figures
  ASSERT_TRUE(run_until(sc.io, [&] { return reader.count<msg::StreamEnd>() == 1; }));

  // Big echoes fill the stuck surface's socket buffer, then its queue. The same kTurns run twice,
  // timed at the reading surface: with the stuck surface present, then without it.
  constexpr int kTurns = 12;
  const std::string big(90 * 1024, 'x');
  auto timed_turns = [&](const std::string& tag) {
    const std::size_t before = reader.count<msg::StreamEnd>();
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kTurns; ++i) reader.send(ev::UserMessage{"evt_" + tag + std::to_string(i), big});
    const bool all = run_until(sc.io, [&] { return reader.count<msg::StreamEnd>() == before + kTurns; }, 20s);
    EXPECT_TRUE(all) << reader.count<msg::StreamEnd>() - before << " of " << kTurns
                     << " answers reached the reading surface (" << tag << ")";
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
  };

  auto stuck = std::make_unique<RawClient>(sc.io, sc.socket_path());  // says hello, then never reads
  stuck->write_event(handshake());
  ASSERT_TRUE(run_until(sc.io, [&] { return sc.server.connection_count() == 2; }));
  const auto with_stuck = timed_turns("stuck_");
  EXPECT_EQ(reader.count<msg::Resync>(), 0u);

  stuck->start_reading(sc.io);
  auto resynced = [&] {
    const auto& got = stuck->received();
    for (std::size_t i = 0; i + 1 < got.size(); ++i)
      if (std::holds_alternative<msg::Resync>(got[i]) && std::holds_alternative<msg::StateSnapshot>(got[i + 1]))
        return true;
    return false;
  };
  ASSERT_TRUE(run_until(sc.io, resynced, 10s)) << stuck->received().size() << " messages, no Resync+StateSnapshot";
  EXPECT_FALSE(stuck->eof());

  stuck->socket().close();  // the object stays: its read coroutine still completes (aborted)
  ASSERT_TRUE(run_until(sc.io, [&] { return sc.server.connection_count() == 1; }));
  const auto alone = timed_turns("alone_");

  // The measurement: the stalled surface may cost the other one some CPU (it gets a snapshot), but
  // never its pace. The bound is generous so a loaded 2-core machine cannot flake it.
  std::printf("[ figures  ] reading surface, %d turns of 90 KiB echoes: %.1f ms alone, %.1f ms beside a stuck "
              "surface (%.2fx; %.2f vs %.2f ms per answer)\n",
              kTurns, static_cast<double>(alone.count()) / 1e3, static_cast<double>(with_stuck.count()) / 1e3,
              static_cast<double>(with_stuck.count()) / static_cast<double>(std::max<std::int64_t>(alone.count(), 1)),
              static_cast<double>(alone.count()) / 1e3 / kTurns, static_cast<double>(with_stuck.count()) / 1e3 / kTurns);
  RecordProperty("alone_us", std::to_string(alone.count()));
  RecordProperty("with_stuck_us", std::to_string(with_stuck.count()));
  EXPECT_LE(with_stuck, 5 * alone + std::chrono::microseconds(200'000));
}

TEST(UnixSocket, HeartbeatClosesASilentPeerAndKeepsOneThatAnswers) {
  SimProcess sim;
  transport::UnixServerOptions options;
  options.heartbeat_interval = 40ms;
  options.max_missed_pongs = 3;
  SocketConductor sc(sim.url(), options);
  ASSERT_TRUE(sc.start()) << sc.error;
  SocketSurface alive(sc.io);  // UnixLink answers Ping by itself
  ASSERT_TRUE(alive.connect(sc.io, sc.socket_path()));
  ASSERT_TRUE(alive.join(sc.io));
  RawClient silent(sc.io, sc.socket_path());  // reads, never answers
  silent.write_event(handshake());
  silent.start_reading(sc.io);

  ASSERT_TRUE(run_until(sc.io, [&] { return silent.eof(); }, 3s));
  EXPECT_EQ(silent.count<msg::Ping>(), 3u);
  run_for(sc.io, 300ms);  // several more intervals
  EXPECT_FALSE(alive.closed());
  EXPECT_EQ(alive.count<msg::Ping>(), 0u);
  EXPECT_EQ(sc.server.connection_count(), 1u);
}

TEST(UnixSocket, AClientKilledMidStreamIsCleanedUp) {
  SimProcess sim({"--seed", "3", "--tokens", "200", "--tokens-per-sec", "400"});
  SocketConductor sc(sim.url());
  ASSERT_TRUE(sc.start()) << sc.error;
  SocketSurface survivor(sc.io);
  ASSERT_TRUE(survivor.connect(sc.io, sc.socket_path()));
  ASSERT_TRUE(survivor.join(sc.io));
  auto victim = std::make_unique<RawClient>(sc.io, sc.socket_path());
  victim->write_event(handshake());
  victim->start_reading(sc.io);
  survivor.send(ev::UserMessage{"evt_1", "stream please"});
  ASSERT_TRUE(run_until(sc.io, [&] { return victim->count<msg::Token>() >= 1; }));

  // What SIGKILL does to a client's socket: the kernel closes it, unread data and all.
  ::close(victim->socket().release());
  ASSERT_TRUE(run_until(sc.io, [&] { return sc.server.connection_count() == 1 && has_stream_end(survivor); }));
  EXPECT_EQ(survivor.all<msg::StreamEnd>().at(0).final_content, survivor.tokens_text());
}

transport::UnixServerOptions with_token(std::string token) {
  transport::UnixServerOptions o;
  o.auth_token = std::move(token);
  return o;
}

TEST(UnixSocketAuth, ABadTokenIsRefusedWithAReasonAndTheConnectionCloses) {
  SimProcess sim;
  SocketConductor sc(sim.url(), with_token(transport::generate_token()));
  ASSERT_TRUE(sc.start()) << sc.error;
  RawClient bad(sc.io, sc.socket_path());
  bad.start_reading(sc.io);
  auto hs = handshake();
  hs.auth_token = transport::generate_token();
  bad.write_event(hs);
  bad.write_event(ev::UserMessage{"evt_after", "let me in anyway"});
  ASSERT_TRUE(run_until(sc.io, [&] { return bad.eof(); }));
  ASSERT_GE(bad.received().size(), 1u);
  auto ack = std::get<msg::HandshakeAck>(bad.received().at(0));
  EXPECT_FALSE(ack.accepted);
  EXPECT_EQ(ack.rejection_reason, std::optional<std::string>("invalid session token"));
  EXPECT_EQ(bad.count<msg::Message>(), 0u);  // the UserMessage never reached the session
}

TEST(UnixSocketAuth, AMissingTokenAndALegacyHelloAreRefused) {
  SimProcess sim;
  SocketConductor sc(sim.url(), with_token(transport::generate_token()));
  ASSERT_TRUE(sc.start()) << sc.error;
  RawClient missing(sc.io, sc.socket_path()), legacy(sc.io, sc.socket_path());
  missing.start_reading(sc.io);
  legacy.start_reading(sc.io);
  missing.write_event(handshake());
  legacy.write_event(ev::Connected{"evt_c", {protocol::SurfaceType::Kind::Tui, {}}, protocol::SurfaceCapabilities::tui()});
  ASSERT_TRUE(run_until(sc.io, [&] { return missing.eof() && legacy.eof(); }));
  for (RawClient* c : {&missing, &legacy}) {
    ASSERT_EQ(c->count<msg::HandshakeAck>(), 1u);
    auto ack = std::get<msg::HandshakeAck>(c->received().at(0));
    EXPECT_FALSE(ack.accepted);
    EXPECT_TRUE(ack.rejection_reason.has_value());
  }
}

TEST(UnixSocketAuth, TheRightTokenJoinsAndEventsBeforeTheHandshakeAreDropped) {
  SimProcess sim({"--script", write_temp_file(script({"welcome"}))});
  const std::string token = transport::generate_token();
  SocketConductor sc(sim.url(), with_token(token));
  ASSERT_TRUE(sc.start()) << sc.error;

  RawClient early(sc.io, sc.socket_path());
  early.start_reading(sc.io);
  early.write_event(ev::UserMessage{"evt_early", "no hello yet"});
  ASSERT_TRUE(run_until(sc.io, [&] { return early.count<msg::Notify>() == 1; }));
  EXPECT_EQ(early.count<msg::Ack>(), 0u);
  EXPECT_FALSE(early.eof());

  transport::UnixLink::Options options;
  options.auth_token = token;  // UnixLink puts it into the Handshake
  SocketSurface good(sc.io, options);
  ASSERT_TRUE(good.connect(sc.io, sc.socket_path()));
  ASSERT_TRUE(good.join(sc.io));
  ASSERT_EQ(good.count<msg::HandshakeAck>(), 1u);
  EXPECT_TRUE(good.all<msg::HandshakeAck>().at(0).accepted);
  good.send(ev::UserMessage{"evt_1", "hi"});
  ASSERT_TRUE(run_until(sc.io, [&] { return has_stream_end(good); }));
  EXPECT_EQ(good.tokens_text(), "welcome");
}

TEST(UnixSocketAuth, LegacySurfacesJoinWhenAllowed) {
  SimProcess sim;
  auto options = with_token(transport::generate_token());
  options.allow_legacy = true;
  SocketConductor sc(sim.url(), options);
  ASSERT_TRUE(sc.start()) << sc.error;
  RawClient legacy(sc.io, sc.socket_path());
  legacy.start_reading(sc.io);
  legacy.write_event(ev::Connected{"evt_c", {protocol::SurfaceType::Kind::Headless, {}}, protocol::SurfaceCapabilities::tui()});
  ASSERT_TRUE(run_until(sc.io, [&] { return legacy.count<msg::SessionInfo>() >= 1; }));
  EXPECT_FALSE(legacy.eof());
}

TEST(UnixSocket, OverTheRateLimitTheReaderSlowsDownWithANotifyAndDropsNothing) {
  SimProcess sim;
  transport::UnixServerOptions options;
  options.rate_per_second = 40;
  options.rate_burst = 5;
  SocketConductor sc(sim.url(), options);
  ASSERT_TRUE(sc.start()) << sc.error;
  RawClient fast(sc.io, sc.socket_path());
  fast.start_reading(sc.io);
  fast.write_event(handshake());
  constexpr int kEvents = 25;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kEvents; ++i) fast.write_event(ev::Resized{"evt_r" + std::to_string(i), 80, 24});
  // Handshake's Ack plus one per Resized: every event got through.
  ASSERT_TRUE(run_until(sc.io, [&] { return fast.count<msg::Ack>() == kEvents + 1; }, 5s));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, 400ms);  // (26 - 5) messages past the burst at 40/s ≈ 525 ms
  EXPECT_EQ(fast.count<msg::Notify>(), 1u);
  EXPECT_FALSE(fast.eof());
}

TEST(TokenBucket, AllowsTheBurstThenPacesAtTheRate) {
  const auto t0 = transport::TokenBucket::Clock::now();
  transport::TokenBucket bucket(10, 3, t0);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(bucket.spend(t0).count(), 0);
  EXPECT_GE(bucket.spend(t0), std::chrono::microseconds(99000));  // one token short at 10/s
  EXPECT_EQ(bucket.spend(t0 + 300ms).count(), 0);                  // refilled meanwhile
  transport::TokenBucket off(0, 0, t0);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(off.spend(t0).count(), 0);
}

TEST(AuthToken, Is44Base64CharactersInA0600File) {
  const std::string token = transport::generate_token();
  EXPECT_EQ(token.size(), 44u);
  EXPECT_EQ(token.back(), '=');
  EXPECT_NE(token, transport::generate_token());
  TempDir dir;
  const std::string path = transport::token_path_for(dir.file("conductor.sock"));
  EXPECT_EQ(path, dir.file("session.token"));
  ASSERT_FALSE(transport::write_token_file(path, token).has_value());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(transport::read_token_file(path), std::optional<std::string>(token));
  EXPECT_TRUE(transport::tokens_equal(token, token));
  EXPECT_FALSE(transport::tokens_equal(token, token.substr(0, 43)));
  EXPECT_FALSE(transport::tokens_equal(token, ""));
}

TEST(UnixLink, ConnectToAMissingSocketFailsAtOnce) {
  TempDir dir;
  asio::io_context io;
  SocketSurface s(io);
  EXPECT_FALSE(s.connect(io, dir.file("nobody.sock")));
  EXPECT_TRUE(s.connect_error());
  EXPECT_FALSE(s.link().is_open());
}

TEST(UnixLink, AnswersPingWithPongByItself) {
  TempDir dir;
  asio::io_context io;
  const std::string path = dir.file("fake.sock");
  asio::local::stream_protocol::acceptor acceptor(io, asio::local::stream_protocol::endpoint(path));
  SocketSurface s(io);
  ASSERT_TRUE(s.connect(io, path));
  asio::local::stream_protocol::socket peer(io);
  acceptor.accept(peer);
  std::string ping;
  protocol::encode_frame_into(ping, protocol::ConductorMessage{msg::Ping{42}});
  std::string token;
  protocol::encode_frame_into(token, protocol::ConductorMessage{msg::Token{"msg_1", "hi"}});
  asio::write(peer, asio::buffer(ping + token));

  protocol::FrameDecoder decoder;
  std::optional<protocol::SurfaceEvent> reply;
  std::array<char, 4096> buf{};
  peer.async_read_some(asio::buffer(buf), [&](boost::system::error_code ec, std::size_t n) {
    if (ec) return;
    decoder.feed(std::string_view(buf.data(), n));
    if (auto next = decoder.next(); next && *next) reply = protocol::decode_event(**next).value();
  });
  ASSERT_TRUE(run_until(io, [&] { return reply.has_value() && s.count<msg::Token>() == 1; }));
  ASSERT_TRUE(std::holds_alternative<ev::Pong>(*reply));
  EXPECT_EQ(std::get<ev::Pong>(*reply).seq, 42u);
  EXPECT_EQ(s.count<msg::Ping>(), 0u);  // the surface never sees the heartbeat
}

}  // namespace
}  // namespace yollayah::test
