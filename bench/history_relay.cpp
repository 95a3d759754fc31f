// bench/history_relay: what keeping the history costs the relay (issue 11: ≤ 2 % slower). The
// token_relay path — ollama-sim as fast as it can → Conductor → an in-process surface on another
// thread — with history off and on, alternated in one run: on, the session writes through a
// StoreJournal to a HistoryStore in a temporary directory (user message, streaming answer row,
// checkpoints, finish). Reports tokens/s of each, the median of each, and the store's own cost.
// The wall clock swings with the machine's other load; what history adds to the work is read in
// CPU time per token of the Conductor's thread (CLOCK_THREAD_CPUTIME_ID) and of the store's thread
// (its /proc schedstat: the store starts that thread itself), and, with --only, in instructions
// under callgrind (commands in BENCHMARKS.md), which the load does not move.
//
//   build/bin/history_relay [--tokens N] [--answers A] [--runs R] [--only off|on] [--out FILE]
#include "bench_support.hpp"
#include "backend/ollama_backend.hpp"
#include "conductor/conductor.hpp"
#include "conductor/history_service.hpp"
#include "transport/inprocess.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <optional>
#include <thread>

namespace asio = boost::asio;
using namespace yollayah;
using Clock = std::chrono::steady_clock;

namespace {

struct RunResult {
  std::size_t tokens = 0;  // bytes of answer text that reached the surface, in Token messages
  std::size_t token_messages = 0;
  double seconds = 0;
  double conductor_cpu = 0;  // seconds
  double store_cpu = 0;      // seconds, the store's thread until everything was written
  store::StoreStats stats;
};

double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// CPU time so far of this process's thread named `name` (the store's "yollayah-store"), from its
// /proc schedstat (nanoseconds on a CPU); 0 when there is none.
double named_thread_cpu_seconds(const std::string& name) {
  DIR* tasks = ::opendir("/proc/self/task");
  if (!tasks) return 0;
  double seconds = 0;
  while (const dirent* e = ::readdir(tasks)) {
    if (e->d_name[0] == '.') continue;
    const std::string dir = std::string("/proc/self/task/") + e->d_name;
    std::string comm;
    std::getline(std::ifstream(dir + "/comm"), comm);
    if (comm != name) continue;
    unsigned long long ns = 0;
    std::ifstream(dir + "/schedstat") >> ns;
    seconds = static_cast<double>(ns) / 1e9;
    break;
  }
  ::closedir(tasks);
  return seconds;
}

// The Conductor thread's whole work, under a name of its own: callgrind's --toggle-collect counts
// the instructions of this call and of nothing else on that thread.
__attribute__((noinline)) void relay_conductor_loop(asio::io_context& io) { io.run(); }

// `answers` questions one after the other, each answered by the sim's whole stream.
RunResult run_relay(std::uint16_t port, std::size_t answers, const std::string* history_path) {
  // The surface's loop goes last: handlers the Conductor's loop still holds when it is destroyed
  // (a session's surface queue among them) use services of this one.
  asio::io_context surface_io(1);
  asio::io_context conductor_io(1);
  auto guard = asio::make_work_guard(conductor_io);
  backend::OllamaConfig cfg;
  cfg.endpoint = backend::parse_ollama_host("127.0.0.1:" + std::to_string(port));
  auto ollama = std::make_shared<backend::OllamaBackend>(conductor_io.get_executor(), cfg);
  conductor::SessionConfig sc;
  sc.model = "sim";
  sc.greet = false;
  sc.max_answer_bytes = std::size_t{1} << 30;  // one long answer: the benchmark measures the stream, not the cap
  sc.input.max_per_minute = 1'000'000;          // many short answers: no rate limit
  // Declared before the Conductor, so it closes after it, as in the apps.
  std::unique_ptr<conductor::HistoryService> history;
  if (history_path) history = std::make_unique<conductor::HistoryService>(conductor_io.get_executor(), *history_path);
  conductor::Conductor conductor(conductor_io.get_executor(), ollama, sc);
  if (history) conductor.set_history(history.get(), "bench");
  // CPU time of the Conductor's thread: what history adds to the relay path itself, whatever the
  // machine's other load does to the wall-clock figures.
  double conductor_cpu = 0;
  std::thread conductor_thread([&] {
    const double before = thread_cpu_seconds();
    relay_conductor_loop(conductor_io);
    conductor_cpu = thread_cpu_seconds() - before;
  });

  transport::InProcessLink link(conductor, surface_io.get_executor());
  RunResult result;
  Clock::time_point t0, t1;
  asio::co_spawn(surface_io, [&]() -> asio::awaitable<void> {
    link.send(protocol::ev::Handshake{"evt_0", 2, {protocol::SurfaceType::Kind::Headless, {}},
                                      protocol::SurfaceCapabilities::headless(), std::nullopt});
    std::vector<protocol::EnvelopePtr> batch;
    t0 = Clock::now();
    for (std::size_t a = 0; a < answers; ++a) {
      link.send(protocol::ev::UserMessage{"evt_" + std::to_string(a + 1), "question " + std::to_string(a)});
      bool ended = false;
      while (!ended) {
        batch.clear();
        if (!co_await link.receive(batch)) co_return;
        for (auto& e : batch) {
          if (auto* t = std::get_if<protocol::msg::Token>(&e->message)) {
            result.tokens += t->text.size();
            ++result.token_messages;
          } else if (std::holds_alternative<protocol::msg::StreamEnd>(e->message) ||
                     std::holds_alternative<protocol::msg::StreamError>(e->message)) {
            ended = true;
          }
        }
      }
    }
    t1 = Clock::now();
  }, asio::detached);
  surface_io.run();
  result.seconds = std::chrono::duration<double>(t1 - t0).count();
  if (history) {
    // What the store did for this run: everything written, then its counters.
    std::promise<void> flushed;
    asio::co_spawn(conductor_io, history->store().flush(), [&](std::exception_ptr, store::Result<void>) { flushed.set_value(); });
    flushed.get_future().wait();
    result.stats = history->store().stats();
    result.store_cpu = named_thread_cpu_seconds("yollayah-store");
  }
  link.close();
  guard.reset();
  conductor.stop(std::nullopt);
  conductor_io.stop();
  conductor_thread.join();
  result.conductor_cpu = conductor_cpu;
  return result;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

std::uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

double ns_per_token(double seconds, std::size_t tokens) { return 1e9 * seconds / static_cast<double>(tokens); }

void print_run(int r, const RunResult& off, const RunResult& on, std::size_t tokens) {
  const double off_bps = static_cast<double>(off.tokens) / off.seconds;
  const double on_bps = static_cast<double>(on.tokens) / on.seconds;
  std::printf(
      "run %d: off %.1f MB/s (%.3f s), conductor %.0f ns/token | on %.1f MB/s (%.3f s), conductor %.0f ns/token "
      "(%+.1f%%), store thread %.0f ns/token | store: %llu transactions, %llu checkpoint writes\n",
      r + 1, off_bps / 1e6, off.seconds, ns_per_token(off.conductor_cpu, tokens), on_bps / 1e6, on.seconds,
      ns_per_token(on.conductor_cpu, tokens), 100.0 * (on.conductor_cpu / off.conductor_cpu - 1),
      ns_per_token(on.store_cpu, tokens), static_cast<unsigned long long>(on.stats.transactions),
      static_cast<unsigned long long>(on.stats.checkpoint_writes));
}

// --only off|on: one kind of run, for callgrind (one process per kind, its threads counted apart).
int only(std::uint16_t port, std::size_t answers, std::size_t tokens, int runs, const std::string& db, bool on) {
  for (int r = 0; r < runs; ++r) {
    const RunResult res = run_relay(port, answers, on ? &db : nullptr);
    std::printf("run %d (%s): %.3f s, conductor %.0f ns/token, store thread %.0f ns/token\n", r + 1, on ? "on" : "off",
                res.seconds, ns_per_token(res.conductor_cpu, tokens), ns_per_token(res.store_cpu, tokens));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t tokens = 2'000'000;  // per answer
  std::size_t answers = 1;
  int runs = 5;
  std::string out = "history_relay.json";
  std::optional<bool> only_on;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--tokens") tokens = std::stoul(argv[i + 1]);
    else if (a == "--answers") answers = std::stoul(argv[i + 1]);
    else if (a == "--runs") runs = std::stoi(argv[i + 1]);
    else if (a == "--out") out = argv[i + 1];
    else if (a == "--only") only_on = std::string(argv[i + 1]) == "on";
  }
  bench::SimChild sim(bench::seeded_stream(tokens));
  bench::TempDir dir;
  const std::string db = dir.path + "/history.db";
  const std::size_t total_tokens = tokens * answers;  // the sim's tokens: what each run relays
  if (only_on) return only(sim.port(), answers, total_tokens, runs, db, *only_on);
  std::vector<double> off_rate, on_rate, off_cpu, on_cpu, store_cpu, pair_ratio;
  std::ofstream json(out);
  json << "{\"tokens\":" << tokens << ",\"answers\":" << answers << ",\"runs\":[";
  for (int r = 0; r < runs; ++r) {
    // Alternate which goes first, so a drift of the machine's load does not favour one side.
    RunResult off, on;
    if (r % 2 == 0) {
      off = run_relay(sim.port(), answers, nullptr);
      on = run_relay(sim.port(), answers, &db);
    } else {
      on = run_relay(sim.port(), answers, &db);
      off = run_relay(sim.port(), answers, nullptr);
    }
    off_rate.push_back(static_cast<double>(off.tokens) / off.seconds);
    on_rate.push_back(static_cast<double>(on.tokens) / on.seconds);
    off_cpu.push_back(ns_per_token(off.conductor_cpu, total_tokens));
    on_cpu.push_back(ns_per_token(on.conductor_cpu, total_tokens));
    store_cpu.push_back(ns_per_token(on.store_cpu, total_tokens));
    pair_ratio.push_back(on.conductor_cpu / off.conductor_cpu);
    print_run(r, off, on, total_tokens);
    json << (r ? "," : "") << "{\"off_bytes_per_s\":" << off_rate.back() << ",\"on_bytes_per_s\":" << on_rate.back()
         << ",\"off_conductor_ns_per_token\":" << off_cpu.back() << ",\"on_conductor_ns_per_token\":" << on_cpu.back()
         << ",\"on_store_ns_per_token\":" << store_cpu.back() << ",\"transactions\":" << on.stats.transactions
         << ",\"checkpoint_writes\":" << on.stats.checkpoint_writes << ",\"write_us\":" << on.stats.write_us << "}";
  }
  const double m_off = median(off_rate), m_on = median(on_rate);
  const double c_off = median(off_cpu), c_on = median(on_cpu), c_store = median(store_cpu);
  // Each pair ran within a second or two of each other: the median of their ratios follows the
  // machine's drifting load less than the ratio of the two medians does.
  const double c_pair = median(pair_ratio);
  std::printf(
      "median: wall off %.1f MB/s, on %.1f MB/s (%+.1f%%) | conductor thread off %.1f ns/token, on %.1f ns/token: "
      "%+.2f%% (median of the pairs: %+.2f%%) | store thread %.1f ns/token (conductor + store on: %+.2f%% of off) | "
      "database %llu KiB after %d runs\n",
      m_off / 1e6, m_on / 1e6, 100.0 * (m_on / m_off - 1), c_off, c_on, 100.0 * (c_on / c_off - 1),
      100.0 * (c_pair - 1), c_store, 100.0 * ((c_on + c_store) / c_off - 1),
      static_cast<unsigned long long>(file_size(db) / 1024), runs);
  json << "],\"median_off\":" << m_off << ",\"median_on\":" << m_on << ",\"median_conductor_ns_off\":" << c_off
       << ",\"median_conductor_ns_on\":" << c_on << ",\"median_pair_ratio\":" << c_pair
       << ",\"median_store_ns\":" << c_store << "}\n";
  return 0;
}
