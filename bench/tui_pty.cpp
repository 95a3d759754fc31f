// bench/tui_pty: the real `yollayah` TUI in a pseudo-terminal (200x50) against ollama-sim, measured
// from outside the process as a user would feel it:
//   startup    exec → the first rendered frame on the pty
//   keystroke  a key written to the pty → its echo in the input box, while an answer streams at
//              1,000 tokens/s
//   cpu        the process's CPU (all threads: TUI and embedded Conductor) while an answer streams
//              at 50 tokens/s, and idle with and without REDUCE_MOTION, with its wake-ups per
//              second (context switches of every thread, from /proc)
// CPU is given twice: in clock ticks (utime + stime, 1/100 s resolution) and from the scheduler's
// exact run time (/proc/PID/task/*/schedstat), which tells apart builds that differ by 0.1 %.
// Usage: tui_pty [--mode all|startup|keystroke|cpu|stream] [--keys N] [--seconds S] [--json FILE]
//                [--bin DIR]   (DIR/yollayah instead of this build's: to compare two builds)
#include "bench_support.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using yollayah::bench::SimChild;

constexpr int kCols = 200;
constexpr int kRows = 50;
constexpr std::string_view kMarker = "¤";  // never in the simulated model's words

std::string g_bin_dir = YOLLAYAH_BIN_DIR;  // where `yollayah` is (--bin)

double us_since(Clock::time_point t) { return std::chrono::duration<double, std::micro>(Clock::now() - t).count(); }

// The TUI as a child on a pty; output is read into `screen_bytes` as it comes.
class TuiChild {
 public:
  TuiChild(const std::string& host, bool reduce_motion, const std::string& home) {
    winsize ws{};
    ws.ws_col = kCols;
    ws.ws_row = kRows;
    started_ = Clock::now();
    pid_ = ::forkpty(&master_, nullptr, nullptr, &ws);
    if (pid_ < 0) throw std::runtime_error("forkpty failed");
    if (pid_ == 0) {
      ::setenv("OLLAMA_HOST", host.c_str(), 1);
      ::setenv("TERM", "xterm-256color", 1);
      ::setenv("COLORTERM", "truecolor", 1);
      // This pty answers no query; a terminal answers OSC 11 in milliseconds, but here the first
      // frame would wait out the 150 ms background timeout.
      ::setenv("YOLLAYAH_THEME", "dark", 1);
      ::setenv("HOME", home.c_str(), 1);
      ::setenv("XDG_CONFIG_HOME", (home + "/config").c_str(), 1);
      ::setenv("XDG_STATE_HOME", (home + "/state").c_str(), 1);
      ::setenv("XDG_RUNTIME_DIR", (home + "/run").c_str(), 1);
      if (reduce_motion) ::setenv("REDUCE_MOTION", "1", 1);
      const std::string bin = g_bin_dir + "/yollayah";
      ::execl(bin.c_str(), bin.c_str(), static_cast<char*>(nullptr));
      std::_Exit(127);
    }
    ::fcntl(master_, F_SETFL, ::fcntl(master_, F_GETFL) | O_NONBLOCK);
  }
  ~TuiChild() {
    ::kill(pid_, SIGTERM);
    const auto deadline = Clock::now() + std::chrono::seconds(2);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      pump(std::chrono::milliseconds(20));
      if (Clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
    }
    ::close(master_);
  }

  // Reads for up to `wait`; returns the bytes that arrived in this call.
  std::string pump(std::chrono::milliseconds wait) {
    std::string got;
    pollfd p{master_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return got;
    char buf[65536];
    for (;;) {
      const ssize_t n = ::read(master_, buf, sizeof buf);
      if (n <= 0) break;
      got.append(buf, static_cast<std::size_t>(n));
    }
    seen_ += got;
    if (seen_.size() > (1u << 20)) seen_.erase(0, seen_.size() - (1u << 16));
    return got;
  }

  // Waits until the output contains `text`; false after `timeout`.
  bool wait_for(std::string_view text, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    seen_.clear();
    while (Clock::now() < deadline) {
      pump(std::chrono::milliseconds(5));
      if (seen_.find(text) != std::string::npos) return true;
    }
    return false;
  }

  // Waits until `text` is on screen. Frames are diffs, so a word can arrive in pieces around
  // cells that did not change; Ctrl+L (a full redraw) every 200 ms makes it arrive whole.
  bool wait_for_screen(std::string_view text, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      write_key("\x0c");
      if (wait_for(text, std::chrono::milliseconds(200))) return true;
    }
    return false;
  }

  void write_key(std::string_view bytes) {
    if (::write(master_, bytes.data(), bytes.size()) < 0) throw std::runtime_error("write to pty failed");
  }

  // Reads for `duration`, discarding the output (the terminal keeps up, as a real one does).
  void drain_for(std::chrono::milliseconds duration) {
    const auto end = Clock::now() + duration;
    while (Clock::now() < end) pump(std::chrono::milliseconds(50));
  }

  pid_t pid() const { return pid_; }
  Clock::time_point started() const { return started_; }

 private:
  pid_t pid_ = -1;
  int master_ = -1;
  Clock::time_point started_;
  std::string seen_;
};

// CPU ticks (utime + stime) of the whole process.
long cpu_ticks(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const auto close_paren = s.rfind(')');
  std::istringstream in(s.substr(close_paren + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; in >> field; ++i) {
    if (i == 14) utime = std::stol(field);
    if (i == 15) {
      stime = std::stol(field);
      break;
    }
  }
  return utime + stime;
}

// Per thread (by name): context switches (voluntary + involuntary; each is a wake-up) and run time.
struct ThreadUsage {
  std::string name;
  long switches = 0;
  long long run_ns = 0;
};

std::vector<ThreadUsage> thread_usage(pid_t pid) {
  std::vector<ThreadUsage> out;
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& task : std::filesystem::directory_iterator(dir)) {
    ThreadUsage t;
    std::ifstream f(task.path() / "status");
    std::string line;
    while (std::getline(f, line)) {
      if (line.rfind("Name:", 0) == 0) t.name = line.substr(line.find_first_not_of(" \t", 5));
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0 || line.rfind("nonvoluntary_ctxt_switches:", 0) == 0) {
        t.switches += std::stol(line.substr(line.find(':') + 1));
      }
    }
    std::ifstream(task.path() / "schedstat") >> t.run_ns;
    const auto same = std::find_if(out.begin(), out.end(), [&](const ThreadUsage& u) { return u.name == t.name; });
    if (same == out.end()) {
      out.push_back(t);
    } else {
      same->switches += t.switches;
      same->run_ns += t.run_ns;
    }
  }
  return out;
}

long rss_kib(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0, mean = 0;
};

Percentiles percentiles(std::vector<double> v) {
  Percentiles p;
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))]; };
  p.p50 = at(0.50);
  p.p99 = at(0.99);
  p.max = v.back();
  double sum = 0;
  for (double x : v) sum += x;
  p.mean = sum / static_cast<double>(v.size());
  return p;
}

std::string temp_home() {
  char tmpl[] = "/tmp/yollayah-bench-XXXXXX";
  const char* dir = ::mkdtemp(tmpl);
  if (!dir) throw std::runtime_error("mkdtemp failed");
  return dir;
}

struct Results {
  std::ostringstream json;
  bool first = true;
  void add(const std::string& key, double value) {
    json << (first ? "" : ", ") << '"' << key << "\": " << value;
    first = false;
  }
};

void bench_startup(Results& results, int runs) {
  SimChild sim({"--seed", "1", "--tokens", "20"});
  const std::string home = temp_home();
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    TuiChild tui(sim.host(), true, home);
    // The status bar is part of every frame, the loading screen's included.
    if (!tui.wait_for("embedded", std::chrono::seconds(5))) throw std::runtime_error("no first frame");
    ms.push_back(us_since(tui.started()) / 1000.0);
  }
  const auto p = percentiles(ms);
  std::printf("startup   exec → first frame: p50 %.1f ms, max %.1f ms over %d runs (target ≤ 30 ms)\n", p.p50, p.max, runs);
  results.add("startup_p50_ms", p.p50);
  results.add("startup_max_ms", p.max);
  std::filesystem::remove_all(home);
}

void bench_keystroke(Results& results, int keys) {
  // The greeting itself is the stream: a million tokens at 1,000 tokens/s.
  SimChild sim({"--seed", "1", "--tokens", "1000000", "--tokens-per-sec", "1000"});
  const std::string home = temp_home();
  TuiChild tui(sim.host(), false, home);  // animated: the worst case
  if (!tui.wait_for_screen("Responding", std::chrono::seconds(10))) throw std::runtime_error("the stream did not start");
  tui.drain_for(std::chrono::milliseconds(500));

  std::mt19937 rng(42);
  std::uniform_int_distribution<int> gap_ms(5, 25);
  std::vector<double> latencies;
  for (int i = 0; i < keys; ++i) {
    if (i % 100 == 99) {  // keep the input on one line: Ctrl+U, unmeasured
      tui.write_key("\x15");
      tui.drain_for(std::chrono::milliseconds(30));
    }
    tui.drain_for(std::chrono::milliseconds(gap_ms(rng)));
    const auto sent = Clock::now();
    tui.write_key(kMarker);
    bool echoed = false;
    while (!echoed && Clock::now() - sent < std::chrono::seconds(2)) {
      echoed = tui.pump(std::chrono::milliseconds(5)).find(kMarker) != std::string::npos;
    }
    if (!echoed) throw std::runtime_error("a keystroke was never echoed");
    latencies.push_back(us_since(sent));
  }
  const auto p = percentiles(latencies);
  std::printf("keystroke → screen while streaming 1,000 tok/s: p50 %.0f µs, p99 %.0f µs, max %.0f µs over %d keys (target p99 ≤ 2 ms)\n",
              p.p50, p.p99, p.max, keys);
  results.add("keystroke_p50_us", p.p50);
  results.add("keystroke_p99_us", p.p99);
  results.add("keystroke_max_us", p.max);
  std::filesystem::remove_all(home);
}

struct Usage {
  double cpu_percent = 0;        // clock ticks
  double cpu_exact_percent = 0;  // the scheduler's run time
  double wakeups_per_sec = 0;
  long rss = 0;
  std::string by_thread;  // "name wake-ups/s cpu%, ..."
};

Usage measure(TuiChild& tui, int seconds) {
  const long ticks0 = cpu_ticks(tui.pid());
  const auto threads0 = thread_usage(tui.pid());
  const auto t0 = Clock::now();
  tui.drain_for(std::chrono::seconds(seconds));
  const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  const auto threads1 = thread_usage(tui.pid());
  Usage u;
  u.cpu_percent = 100.0 * static_cast<double>(cpu_ticks(tui.pid()) - ticks0) / static_cast<double>(::sysconf(_SC_CLK_TCK)) / elapsed;
  long switches = 0;
  long long run_ns = 0;
  char buf[160];
  for (const auto& t : threads1) {
    const auto before = std::find_if(threads0.begin(), threads0.end(), [&](const ThreadUsage& b) { return b.name == t.name; });
    const long sw = t.switches - (before == threads0.end() ? 0 : before->switches);
    const long long ns = t.run_ns - (before == threads0.end() ? 0 : before->run_ns);
    switches += sw;
    run_ns += ns;
    std::snprintf(buf, sizeof buf, "%s%s %.0f/s %.2f %%", u.by_thread.empty() ? "" : ", ", t.name.c_str(),
                  static_cast<double>(sw) / elapsed, 100.0 * static_cast<double>(ns) / 1e9 / elapsed);
    u.by_thread += buf;
  }
  u.cpu_exact_percent = 100.0 * static_cast<double>(run_ns) / 1e9 / elapsed;
  u.wakeups_per_sec = static_cast<double>(switches) / elapsed;
  u.rss = rss_kib(tui.pid());
  return u;
}

void bench_cpu(Results& results, int seconds, bool idle) {
  const std::string home = temp_home();
  {
    SimChild sim({"--seed", "1", "--tokens", "100000", "--tokens-per-sec", "50"});
    TuiChild tui(sim.host(), false, home);
    if (!tui.wait_for_screen("Responding", std::chrono::seconds(10))) throw std::runtime_error("the stream did not start");
    tui.drain_for(std::chrono::seconds(1));
    const auto u = measure(tui, seconds);
    std::printf("cpu       streaming 50 tok/s: %.2f %% CPU (exact %.3f %%), %.0f wake-ups/s (target ≤ 1 %%)\n", u.cpu_percent,
                u.cpu_exact_percent, u.wakeups_per_sec);
    std::printf("          by thread: %s\n", u.by_thread.c_str());
    results.add("cpu_streaming_50_percent", u.cpu_percent);
    results.add("cpu_streaming_50_exact_percent", u.cpu_exact_percent);
    results.add("cpu_streaming_50_wakeups_per_sec", u.wakeups_per_sec);
  }
  if (!idle) {
    std::filesystem::remove_all(home);
    return;
  }
  for (bool reduce : {true, false}) {
    SimChild sim({"--seed", "1", "--tokens", "20"});
    TuiChild tui(sim.host(), reduce, home);
    if (!tui.wait_for_screen("Ready", std::chrono::seconds(10))) throw std::runtime_error("never ready");
    tui.drain_for(std::chrono::seconds(2));  // toasts and the stall monitor settle
    const auto u = measure(tui, seconds);
    std::printf("cpu       idle, %s: %.2f %% CPU, %.1f wake-ups/s, RSS %ld KiB (target %s)\n",
                reduce ? "REDUCE_MOTION=1" : "animated", u.cpu_percent, u.wakeups_per_sec, u.rss,
                reduce ? "0 wake-ups/s" : "≤ 0.3 % CPU");
    const std::string key = reduce ? "idle_reduce_motion" : "idle_animated";
    results.add(key + "_cpu_percent", u.cpu_percent);
    results.add(key + "_wakeups_per_sec", u.wakeups_per_sec);
    results.add(key + "_rss_kib", static_cast<double>(u.rss));
  }
  std::filesystem::remove_all(home);
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = "all";
  std::string json_path;
  int keys = 500;
  int seconds = 10;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--mode") mode = next();
    else if (a == "--keys") keys = std::stoi(next());
    else if (a == "--seconds") seconds = std::stoi(next());
    else if (a == "--json") json_path = next();
    else if (a == "--bin") g_bin_dir = next();
    else {
      std::fprintf(stderr, "usage: tui_pty [--mode all|startup|keystroke|cpu|stream] [--keys N] [--seconds S] [--json FILE] [--bin DIR]\n");
      return 2;
    }
  }
  ::signal(SIGPIPE, SIG_IGN);
  Results results;
  try {
    if (mode == "all" || mode == "startup") bench_startup(results, 10);
    if (mode == "all" || mode == "keystroke") bench_keystroke(results, keys);
    if (mode == "all" || mode == "cpu" || mode == "stream") bench_cpu(results, seconds, mode != "stream");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tui_pty: %s\n", e.what());
    return 1;
  }
  if (!json_path.empty()) std::ofstream(json_path) << "{" << results.json.str() << "}\n";
  return 0;
}
