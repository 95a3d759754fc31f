// The conductord binary under the attacks of issue 15 (finding 1), with plain blocking sockets on
// the test thread: 100 peers without the token announcing 10 MiB frames and sending their bytes
// do not grow the daemon's memory, and 200 silent peers do not keep a surface with the token out.
// The RSS bound is generous: it tells "a few MB" from "100 MB and more", nothing finer.
#include "transport/auth_token.hpp"
#include "transport/daemon_process.hpp"
#include "transport/socket_fixture.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace yollayah::test {
namespace {

long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

int connect_raw(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// The daemon closed `fd`: EOF (after whatever it sent first) or an error.
bool closed_by_daemon(int fd) {
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0) return true;
    if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
  }
}

TEST(ConductordHostile, AHundredPeersAnnouncingTenMiBFramesDoNotGrowTheDaemon) {
  SimProcess sim;
  TempDir dir;
  const std::string socket_path = dir.file("run/conductor.sock");
  DaemonProcess daemon({"--socket", socket_path, "--pid-file", dir.file("d.pid"), "--config", dir.file("none.toml")},
                       {"OLLAMA_HOST=" + sim.url(), "YOLLAYAH_MODEL=sim"});
  ASSERT_TRUE(daemon.ready()) << daemon.log();
  const long before = rss_kib(daemon.pid());
  ASSERT_GT(before, 0);

  constexpr int kPeers = 100;
  constexpr std::size_t kChunk = 64 * 1024, kPerPeer = 1 << 20;  // 100 MiB in all, were it buffered
  const auto announced = static_cast<std::uint32_t>(protocol::kMaxFramePayload);
  const char header[8] = {static_cast<char>(announced >> 24), static_cast<char>(announced >> 16),
                          static_cast<char>(announced >> 8), static_cast<char>(announced), 0, 0, 0, 0};
  struct Peer {
    int fd = -1;
    std::size_t sent = 0;
    bool closed = false;
  };
  std::vector<Peer> peers(kPeers);
  for (auto& p : peers) {
    p.fd = connect_raw(socket_path);
    ASSERT_GE(p.fd, 0);
    ASSERT_EQ(::send(p.fd, header, sizeof header, MSG_NOSIGNAL), 8);
  }
  const std::string chunk(kChunk, 'x');
  long peak = before;
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  for (bool busy = true; busy && std::chrono::steady_clock::now() < deadline;) {
    busy = false;
    for (auto& p : peers) {
      if (p.closed || (p.closed = closed_by_daemon(p.fd))) continue;
      if (p.sent >= kPerPeer) continue;
      busy = true;
      const ssize_t n = ::send(p.fd, chunk.data(), chunk.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) p.sent += static_cast<std::size_t>(n);
      else if (errno != EAGAIN && errno != EWOULDBLOCK) p.closed = true;
    }
    peak = std::max(peak, rss_kib(daemon.pid()));
    ::usleep(10000);  // the test thread, not an event loop
  }
  peak = std::max(peak, rss_kib(daemon.pid()));
  int closed = 0;
  for (auto& p : peers) {
    closed += p.closed || closed_by_daemon(p.fd);
    ::close(p.fd);
  }
  EXPECT_EQ(closed, kPeers) << "peers the daemon did not close";
  EXPECT_LT(peak - before, 32 * 1024) << "VmRSS grew from " << before << " kB to " << peak << " kB";
}

TEST(ConductordHostile, TwoHundredSilentPeersDoNotKeepASurfaceWithTheTokenOut) {
  SimProcess sim;
  TempDir dir;
  const std::string socket_path = dir.file("run/conductor.sock");
  // A long deadline: the waiting budget alone must let the surface in.
  DaemonProcess daemon({"--socket", socket_path, "--pid-file", dir.file("d.pid"), "--config", dir.file("none.toml"),
                        "--handshake-timeout-ms", "60000"},
                       {"OLLAMA_HOST=" + sim.url(), "YOLLAYAH_MODEL=sim"});
  ASSERT_TRUE(daemon.ready()) << daemon.log();
  std::vector<int> silent;
  for (int i = 0; i < 200; ++i) {
    const int fd = connect_raw(socket_path);
    ASSERT_GE(fd, 0);
    silent.push_back(fd);
  }
  ::usleep(200000);  // let the daemon accept them all

  asio::io_context io;
  transport::UnixLink::Options with_token;
  with_token.auth_token = transport::read_token_file(transport::token_path_for(socket_path));
  SocketSurface good(io, with_token);
  ASSERT_TRUE(good.connect(io, socket_path));
  EXPECT_TRUE(good.join(io, 2, protocol::SurfaceType::Kind::Headless)) << daemon.log().substr(0, 4000);
  ASSERT_EQ(good.count<msg::HandshakeAck>(), 1u);
  EXPECT_TRUE(good.all<msg::HandshakeAck>()[0].accepted);
  for (int fd : silent) ::close(fd);

  // The refusals made room for it without a log line each.
  const std::string log = daemon.log();
  std::size_t refusal_lines = 0;
  for (std::size_t at = 0; (at = log.find("waiting to say Handshake", at)) != std::string::npos; ++at) ++refusal_lines;
  EXPECT_GE(refusal_lines, 1u);
  EXPECT_LE(refusal_lines, 5u) << log.substr(0, 4000);
}

}  // namespace
}  // namespace yollayah::test
