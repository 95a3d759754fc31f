// bench/hostile_peers: what unauthenticated peers can do to a real conductord (issue 15, finding 1).
// Spawns conductord (build/bin/conductord, or --conductord PATH to measure another build) on a
// socket in a temp directory, with OLLAMA_HOST pointing at a closed port (no model is needed), and
// runs two attacks with plain blocking sockets on this thread (not an event loop):
//
//  drip:   --connections N (100) peers without the token each announce a frame of --announce bytes
//          (10 MiB, the protocol's maximum; 65536 stays just under conductord's limit before the
//          Handshake), then drip
//          --chunk bytes (64 KiB) every --interval-ms (50) for --seconds (10), never completing
//          the frame. Samples the daemon's VmRSS (/proc/PID/status) before, during (peak) and
//          after, and counts the peers the daemon closed.
//  silent: --silent M (200) peers connect and say nothing; then a good client with the token
//          sends Handshake. Reports whether it got in (and how fast) or what it was told, and how
//          many silent peers are still open --linger seconds later.
//
// Stops the daemon it spawned by PID (SIGTERM, then SIGKILL after 5 s).
//
//   build/bin/hostile_peers [--conductord PATH] [--connections 100] [--announce 10485760] [--chunk 65536]
//                           [--interval-ms 50] [--seconds 10] [--silent 200] [--linger 7] [--json FILE]
#include "protocol/frame.hpp"
#include "protocol/json_codec.hpp"
#include "transport/auth_token.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

using namespace yollayah;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

long status_kib(pid_t pid, const std::string& key) {
  const std::string status = slurp("/proc/" + std::to_string(pid) + "/status");
  auto at = status.find("\n" + key + ":");
  if (at == std::string::npos) return -1;
  return std::strtol(status.c_str() + at + key.size() + 2, nullptr, 10);
}

double mib(long kib) { return static_cast<double>(kib) / 1024.0; }

int connect_to(const std::string& path) {
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

// True when the daemon has closed `fd` (EOF or an error; data it sent first is read and dropped).
bool closed_by_peer(int fd) {
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0) return true;
    if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
  }
}

class Daemon {
 public:
  Daemon(const std::string& binary, const std::string& dir) : socket_path_(dir + "/run/conductor.sock") {
    std::filesystem::create_directories(dir);
    const std::string log_path = dir + "/conductord.log";
    log_path_ = log_path;
    std::vector<std::string> argv_s{binary, "--socket", socket_path_, "--pid-file", dir + "/conductor.pid",
                                    "--config", dir + "/none.toml", "--log-level", "warn"};
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_s{"OLLAMA_HOST=127.0.0.1:9", "YOLLAYAH_MODEL=none"};
    for (char** e = environ; *e; ++e)
      if (std::strncmp(*e, "OLLAMA_HOST=", 12) != 0) env_s.emplace_back(*e);
    std::vector<char*> env;
    for (auto& e : env_s) env.push_back(e.data());
    env.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int rc = posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), env.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("cannot spawn " + binary);
    // --log-level warn hides "ready on": wait for the token file and a socket that accepts.
    const auto ready_by = Clock::now() + 10s;
    while (Clock::now() < ready_by) {
      token_ = transport::read_token_file(transport::token_path_for(socket_path_));
      if (token_) {
        const int fd = connect_to(socket_path_);
        if (fd >= 0) {
          ::close(fd);
          return;
        }
      }
      std::this_thread::sleep_for(10ms);
    }
    throw std::runtime_error("conductord did not get ready: " + slurp(log_path));
  }
  ~Daemon() {
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 500; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(10ms);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  pid_t pid() const { return pid_; }
  const std::string& socket_path() const { return socket_path_; }
  const std::optional<std::string>& token() const { return token_; }
  std::string log() const { return slurp(log_path_); }

 private:
  pid_t pid_ = -1;
  std::string socket_path_, log_path_;
  std::optional<std::string> token_;
};

struct DripResult {
  long idle_kib = 0, peak_kib = 0, end_kib = 0;
  std::size_t connected = 0, closed_by_daemon = 0;
  double first_close_ms = -1, last_close_ms = -1;
  std::uint64_t bytes_sent = 0;
};

DripResult drip(const Daemon& d, std::size_t n, std::uint32_t announced, std::size_t chunk,
                std::chrono::milliseconds interval, std::chrono::seconds duration) {
  DripResult r;
  r.idle_kib = status_kib(d.pid(), "VmRSS");
  struct Peer {
    int fd = -1;
    std::size_t sent = 0;  // payload bytes
    bool closed = false;
  };
  std::vector<Peer> peers(n);
  const char header[8] = {static_cast<char>(announced >> 24), static_cast<char>(announced >> 16),
                          static_cast<char>(announced >> 8), static_cast<char>(announced), 0, 0, 0, 0};
  const auto t0 = Clock::now();
  for (auto& p : peers) {
    p.fd = connect_to(d.socket_path());
    if (p.fd < 0) continue;
    ++r.connected;
    if (::send(p.fd, header, sizeof header, MSG_NOSIGNAL) != sizeof header) p.closed = true;
  }
  const std::string bytes(chunk, 'x');
  auto note_close = [&](Peer& p) {
    if (p.closed) return;
    p.closed = true;
    ++r.closed_by_daemon;
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (r.first_close_ms < 0) r.first_close_ms = ms;
    r.last_close_ms = ms;
  };
  const auto end = t0 + duration;
  while (Clock::now() < end) {
    for (auto& p : peers) {
      if (p.fd < 0 || p.closed) continue;
      if (closed_by_peer(p.fd)) {
        note_close(p);
        continue;
      }
      const std::size_t room = announced - 1 - p.sent;  // never complete the frame
      const std::size_t want = std::min(room, chunk);
      if (want == 0) continue;
      const ssize_t sent = ::send(p.fd, bytes.data(), want, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (sent > 0) {
        p.sent += static_cast<std::size_t>(sent);
        r.bytes_sent += static_cast<std::uint64_t>(sent);
      } else if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        note_close(p);
      }
    }
    r.peak_kib = std::max(r.peak_kib, status_kib(d.pid(), "VmRSS"));
    std::this_thread::sleep_for(interval);
  }
  r.end_kib = status_kib(d.pid(), "VmRSS");
  r.peak_kib = std::max({r.peak_kib, r.end_kib, 0L});
  for (auto& p : peers)
    if (p.fd >= 0) ::close(p.fd);
  return r;
}

struct SilentResult {
  std::size_t connected = 0;
  bool good_joined = false;
  double good_ms = -1;
  std::string good_told;  // the refusal reason, or how it ended
  std::size_t still_open_after_linger = 0;
};

SilentResult silent(const Daemon& d, std::size_t n, std::chrono::seconds linger) {
  SilentResult r;
  std::vector<int> fds;
  for (std::size_t i = 0; i < n; ++i) {
    const int fd = connect_to(d.socket_path());
    if (fd >= 0) fds.push_back(fd);
  }
  r.connected = fds.size();
  std::this_thread::sleep_for(200ms);  // let the daemon accept them all

  const auto t0 = Clock::now();
  const int good = connect_to(d.socket_path());
  std::string frame;
  protocol::encode_frame_into(frame, protocol::SurfaceEvent{protocol::ev::Handshake{
                                         "evt_hello", 2, {protocol::SurfaceType::Kind::Headless, {}},
                                         protocol::SurfaceCapabilities::headless(), d.token()}});
  if (good < 0 || ::send(good, frame.data(), frame.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(frame.size())) {
    r.good_told = "could not connect or send";
  } else {
    protocol::FrameDecoder decoder;
    char buf[4096];
    r.good_told = "no answer within 5 s";
    bool done = false;
    while (!done && Clock::now() < t0 + 5s) {
      pollfd p{good, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      const ssize_t got = ::read(good, buf, sizeof buf);
      if (got <= 0) {
        r.good_told = "closed without a word";
        break;
      }
      decoder.feed(std::string_view(buf, static_cast<std::size_t>(got)));
      while (auto next = decoder.next()) {
        if (!*next) break;
        auto m = protocol::decode_message(**next);
        if (auto* ack = m ? std::get_if<protocol::msg::HandshakeAck>(&*m) : nullptr) {
          r.good_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
          r.good_joined = ack->accepted;
          r.good_told = ack->accepted ? "accepted" : "refused: " + ack->rejection_reason.value_or("(no reason)");
          done = true;
          break;
        }
      }
    }
  }
  if (good >= 0) ::close(good);

  std::this_thread::sleep_for(linger);
  for (int fd : fds) {
    if (!closed_by_peer(fd)) ++r.still_open_after_linger;
    ::close(fd);
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::string binary = std::string(YOLLAYAH_BIN_DIR) + "/conductord";
  std::size_t connections = 100, chunk = 65536, silent_n = 200;
  auto announce = static_cast<std::uint32_t>(protocol::kMaxFramePayload);
  int interval_ms = 50, seconds = 10, linger = 7;
  std::string json_path;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--conductord") binary = argv[i + 1];
    else if (a == "--connections") connections = std::stoul(argv[i + 1]);
    else if (a == "--chunk") chunk = std::stoul(argv[i + 1]);
    else if (a == "--announce") announce = static_cast<std::uint32_t>(std::stoul(argv[i + 1]));
    else if (a == "--interval-ms") interval_ms = std::stoi(argv[i + 1]);
    else if (a == "--seconds") seconds = std::stoi(argv[i + 1]);
    else if (a == "--silent") silent_n = std::stoul(argv[i + 1]);
    else if (a == "--linger") linger = std::stoi(argv[i + 1]);
    else if (a == "--json") json_path = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: hostile_peers [--conductord PATH] [--connections N] [--announce BYTES] [--chunk BYTES] "
                           "[--interval-ms MS] [--seconds S] [--silent M] [--linger S] [--json FILE]\n");
      return 2;
    }
  }
  ::signal(SIGPIPE, SIG_IGN);
  char tmpl[] = "/tmp/yolla-hostile-XXXXXX";
  if (!mkdtemp(tmpl)) return 1;
  const std::string dir = tmpl;

  DripResult dr;
  SilentResult sr;
  try {
    {
      Daemon d(binary, dir + "/drip");
      std::this_thread::sleep_for(1s);
      dr = drip(d, connections, announce, chunk, std::chrono::milliseconds(interval_ms), std::chrono::seconds(seconds));
    }
    {
      Daemon d(binary, dir + "/silent");
      std::this_thread::sleep_for(1s);
      sr = silent(d, silent_n, std::chrono::seconds(linger));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    std::filesystem::remove_all(dir);
    return 1;
  }
  std::filesystem::remove_all(dir);

  std::printf("drip: %zu peers announced %u-byte frames and dripped %zu B every %d ms for %d s (%.1f MB sent): "
              "VmRSS idle %.2f MiB, peak %.2f MiB, end %.2f MiB (growth %.2f MiB) | closed by the daemon: %zu of %zu "
              "(first after %.0f ms, last after %.0f ms)\n",
              connections, announce, chunk, interval_ms, seconds, static_cast<double>(dr.bytes_sent) / 1e6, mib(dr.idle_kib),
              mib(dr.peak_kib), mib(dr.end_kib), mib(dr.peak_kib - dr.idle_kib), dr.closed_by_daemon, dr.connected,
              dr.first_close_ms, dr.last_close_ms);
  std::printf("silent: %zu silent peers connected; a good client with the token: %s%s | silent peers still open %d s "
              "later: %zu\n",
              sr.connected, sr.good_told.c_str(),
              sr.good_ms >= 0 ? (" after " + std::to_string(static_cast<int>(sr.good_ms)) + " ms").c_str() : "", linger,
              sr.still_open_after_linger);
  if (!json_path.empty()) {
    std::ofstream json(json_path);
    json << "{\"drip\":{\"connections\":" << connections << ",\"announce\":" << announce
         << ",\"idle_kib\":" << dr.idle_kib << ",\"peak_kib\":"
         << dr.peak_kib << ",\"end_kib\":" << dr.end_kib << ",\"closed_by_daemon\":" << dr.closed_by_daemon
         << ",\"bytes_sent\":" << dr.bytes_sent << "},\"silent\":{\"connections\":" << sr.connected
         << ",\"good_joined\":" << (sr.good_joined ? "true" : "false") << ",\"good_ms\":" << sr.good_ms
         << ",\"still_open_after_linger\":" << sr.still_open_after_linger << "}}\n";
  }
  return 0;
}
