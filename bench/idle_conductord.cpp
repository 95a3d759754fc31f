// bench/idle_conductord: what an idle conductord costs. Spawns the real build/bin/conductord on a
// socket in a temp directory, waits for it to be ready and to settle, then samples
// /proc/PID/status (VmRSS, VmHWM, threads) and the context switches of every thread
// (/proc/PID/task/*/status: voluntary + nonvoluntary) over a window: wake-ups/s = delta / window.
// Twice: with no surface ever connected, and again after a surface came, said hello and left
// (its heartbeat timer must go with it). Stops the daemon it spawned by PID (SIGTERM, then
// SIGKILL after 5 s). Sleeping is fine here: this is not an event loop.
//
//   build/bin/idle_conductord [--seconds 10] [--settle 2] [--json FILE]
#include "protocol/frame.hpp"
#include "protocol/messages.hpp"
#include "transport/auth_token.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
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

// "VmRSS:    5120 kB" → 5120
long status_field(const std::string& status, const std::string& key) {
  auto at = status.find("\n" + key + ":");
  if (at == std::string::npos) return -1;
  return std::strtol(status.c_str() + at + key.size() + 2, nullptr, 10);
}

struct ThreadSample {
  std::string name;
  long switches = 0;
};

std::map<int, ThreadSample> sample_threads(pid_t pid) {
  std::map<int, ThreadSample> out;
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    const int tid = std::atoi(e->d_name);
    const std::string status = slurp(dir + "/" + e->d_name + "/status");
    std::string name = slurp(dir + "/" + e->d_name + "/comm");
    while (!name.empty() && name.back() == '\n') name.pop_back();
    out[tid] = {name, status_field(status, "voluntary_ctxt_switches") + status_field(status, "nonvoluntary_ctxt_switches")};
  }
  closedir(d);
  return out;
}

struct Window {
  std::string label;
  double seconds = 0;
  long switches = 0;
  double wakeups_per_s = 0;
  long rss_kib = 0, hwm_kib = 0, threads = 0;
  std::string per_thread;
};

Window measure(pid_t pid, const std::string& label, std::chrono::seconds window) {
  const auto before = sample_threads(pid);
  const auto t0 = Clock::now();
  std::this_thread::sleep_for(window);
  const auto after = sample_threads(pid);
  Window w;
  w.label = label;
  w.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  for (const auto& [tid, s] : after) {
    auto it = before.find(tid);
    const long delta = s.switches - (it == before.end() ? 0 : it->second.switches);
    w.switches += delta;
    w.per_thread += (w.per_thread.empty() ? "" : ", ") + s.name + " " + std::to_string(delta);
  }
  w.wakeups_per_s = static_cast<double>(w.switches) / w.seconds;
  const std::string status = slurp("/proc/" + std::to_string(pid) + "/status");
  w.rss_kib = status_field(status, "VmRSS");
  w.hwm_kib = status_field(status, "VmHWM");
  w.threads = status_field(status, "Threads");
  return w;
}

// A surface in a few blocking calls: connect, Handshake with the daemon's token, read the
// answers for a moment, leave.
bool visit(const std::string& socket_path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return false;
  }
  protocol::ev::Handshake hs{"evt_hello", 2, {protocol::SurfaceType::Kind::Headless, {}},
                             protocol::SurfaceCapabilities::headless(),
                             transport::read_token_file(transport::token_path_for(socket_path))};
  std::string frames;
  protocol::encode_frame_into(frames, protocol::SurfaceEvent{hs});
  bool ok = ::send(fd, frames.data(), frames.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(frames.size());
  pollfd p{fd, POLLIN, 0};
  char buf[4096];
  std::size_t got = 0;
  const auto until = Clock::now() + 300ms;
  while (Clock::now() < until && ::poll(&p, 1, 50) >= 0) {
    if (p.revents & POLLIN) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
  }
  ::close(fd);
  return ok && got > 0;
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = 10, settle = 2;
  std::string json_path;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--seconds") seconds = std::stoi(argv[i + 1]);
    else if (a == "--settle") settle = std::stoi(argv[i + 1]);
    else if (a == "--json") json_path = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: idle_conductord [--seconds 10] [--settle 2] [--json FILE]\n");
      return 2;
    }
  }
  char tmpl[] = "/tmp/yolla-idle-XXXXXX";
  if (!mkdtemp(tmpl)) return 1;
  const std::string dir = tmpl;
  const std::string socket_path = dir + "/run/conductor.sock";
  const std::string log_path = dir + "/conductord.log";

  std::vector<std::string> argv_s{std::string(YOLLAYAH_BIN_DIR) + "/conductord", "--socket", socket_path,
                                  "--pid-file", dir + "/conductor.pid", "--config", dir + "/none.toml",
                                  "--log-level", "info"};
  std::vector<char*> cargv;
  for (auto& a : argv_s) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  std::vector<std::string> env_s{"OLLAMA_HOST=127.0.0.1:9", "YOLLAYAH_MODEL=idle"};  // nothing listens: idle
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "OLLAMA_HOST=", 12) != 0) env_s.emplace_back(*e);
  std::vector<char*> cenv;
  for (auto& e : env_s) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, cargv[0], &fa, nullptr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    std::fprintf(stderr, "cannot spawn %s\n", cargv[0]);
    return 1;
  }
  auto stop_daemon = [&] {
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 500; ++i) {
      if (::waitpid(pid, nullptr, WNOHANG) == pid) {
        pid = -1;
        return;
      }
      std::this_thread::sleep_for(10ms);
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    pid = -1;
  };
  const auto ready_by = Clock::now() + 10s;
  while (slurp(log_path).find("ready on") == std::string::npos && Clock::now() < ready_by)
    std::this_thread::sleep_for(10ms);
  if (slurp(log_path).find("ready on") == std::string::npos) {
    std::fprintf(stderr, "conductord did not get ready:\n%s\n", slurp(log_path).c_str());
    stop_daemon();
    std::filesystem::remove_all(dir);
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::seconds(settle));

  std::vector<Window> windows;
  windows.push_back(measure(pid, "idle, no surface ever", std::chrono::seconds(seconds)));
  const bool visited = visit(socket_path);
  std::this_thread::sleep_for(std::chrono::seconds(settle));
  windows.push_back(measure(pid, visited ? "idle, after a surface came and left" : "idle, after a FAILED visit",
                            std::chrono::seconds(seconds)));
  stop_daemon();
  std::filesystem::remove_all(dir);

  bool ok = visited;
  for (const auto& w : windows) {
    std::printf("%-36s: %ld context switches in %.1f s = %.2f wake-ups/s | VmRSS %.2f MiB (peak %.2f MiB), %ld threads | "
                "per thread: %s\n",
                w.label.c_str(), w.switches, w.seconds, w.wakeups_per_s, static_cast<double>(w.rss_kib) / 1024.0,
                static_cast<double>(w.hwm_kib) / 1024.0, w.threads, w.per_thread.c_str());
    ok = ok && w.switches == 0 && w.rss_kib <= 10 * 1024;
  }
  std::printf("targets (0 wake-ups/s, RSS <= 10 MiB): %s\n", ok ? "met" : "NOT met");
  if (!json_path.empty()) {
    std::ofstream json(json_path);
    json << "{\"windows\":[";
    for (std::size_t i = 0; i < windows.size(); ++i) {
      const auto& w = windows[i];
      json << (i ? "," : "") << "{\"label\":\"" << w.label << "\",\"seconds\":" << w.seconds
           << ",\"context_switches\":" << w.switches << ",\"wakeups_per_s\":" << w.wakeups_per_s
           << ",\"rss_kib\":" << w.rss_kib << ",\"hwm_kib\":" << w.hwm_kib << ",\"threads\":" << w.threads << "}";
    }
    json << "],\"targets_met\":" << (ok ? "true" : "false") << "}\n";
  }
  return ok ? 0 : 1;
}
