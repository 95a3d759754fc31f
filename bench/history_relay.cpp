// bench/history_relay: what keeping the history costs the relay (issue 11: ≤ 2 % slower). The
// token_relay path — ollama-sim as fast as it can → Conductor → an in-process surface on another
// thread — with history off and on, alternated in one run: on, the session writes through a
// StoreJournal to a HistoryStore in a temporary directory (user message, streaming answer row,
// checkpoints, finish). Reports tokens/s of each, the median of each, and the store's own cost.
//
//   build/bin/history_relay [--tokens N] [--answers A] [--runs R] [--out FILE]
#include "bench_support.hpp"
#include "backend/ollama_backend.hpp"
#include "conductor/conductor.hpp"
#include "conductor/history_service.hpp"
#include "transport/inprocess.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
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
  store::StoreStats stats;
};

double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// `answers` questions one after the other, each answered by the sim's whole stream.
RunResult run_relay(std::uint16_t port, std::size_t answers, const std::string* history_path) {
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
    conductor_io.run();
    conductor_cpu = thread_cpu_seconds() - before;
  });

  asio::io_context surface_io(1);
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

}  // namespace

int main(int argc, char** argv) {
  std::size_t tokens = 2'000'000;  // per answer
  std::size_t answers = 1;
  int runs = 5;
  std::string out = "history_relay.json";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--tokens") tokens = std::stoul(argv[i + 1]);
    else if (a == "--answers") answers = std::stoul(argv[i + 1]);
    else if (a == "--runs") runs = std::stoi(argv[i + 1]);
    else if (a == "--out") out = argv[i + 1];
  }
  bench::SimChild sim(bench::seeded_stream(tokens));
  bench::TempDir dir;
  const std::string db = dir.path + "/history.db";
  std::vector<double> off_rate, on_rate, off_cpu, on_cpu;
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
    const double off_bps = static_cast<double>(off.tokens) / off.seconds;
    const double on_bps = static_cast<double>(on.tokens) / on.seconds;
    off_rate.push_back(off_bps);
    on_rate.push_back(on_bps);
    off_cpu.push_back(off.conductor_cpu);
    on_cpu.push_back(on.conductor_cpu);
    std::printf(
        "run %d: off %.1f MB/s (%zu Token msgs, %.3f s, conductor CPU %.3f s) | on %.1f MB/s (%zu Token msgs, %.3f s, "
        "conductor CPU %.3f s) = %+.1f%% | "
        "store: %llu transactions, %llu operations, %llu checkpoint writes, %.1f ms writing (max %.1f ms)\n",
        r + 1, off_bps / 1e6, off.token_messages, off.seconds, off.conductor_cpu, on_bps / 1e6, on.token_messages,
        on.seconds, on.conductor_cpu,
        100.0 * (on_bps / off_bps - 1), static_cast<unsigned long long>(on.stats.transactions),
        static_cast<unsigned long long>(on.stats.operations),
        static_cast<unsigned long long>(on.stats.checkpoint_writes), on.stats.write_us / 1000.0,
        on.stats.max_write_us / 1000.0);
    json << (r ? "," : "") << "{\"off_bytes_per_s\":" << off_bps << ",\"on_bytes_per_s\":" << on_bps
         << ",\"off_seconds\":" << off.seconds << ",\"on_seconds\":" << on.seconds
         << ",\"off_conductor_cpu\":" << off.conductor_cpu << ",\"on_conductor_cpu\":" << on.conductor_cpu
         << ",\"transactions\":" << on.stats.transactions << ",\"checkpoint_writes\":" << on.stats.checkpoint_writes
         << ",\"write_us\":" << on.stats.write_us << "}";
  }
  const double m_off = median(off_rate), m_on = median(on_rate);
  const double c_off = median(off_cpu), c_on = median(on_cpu);
  std::printf(
      "median: off %.1f MB/s, on %.1f MB/s: history costs %.1f%% | conductor CPU off %.3f s, on %.3f s: %+.1f%% | "
      "database %llu KiB after %d runs\n",
      m_off / 1e6, m_on / 1e6, 100.0 * (1 - m_on / m_off), c_off, c_on, 100.0 * (c_on / c_off - 1),
      static_cast<unsigned long long>(file_size(db) / 1024), runs);
  json << "],\"median_off\":" << m_off << ",\"median_on\":" << m_on << ",\"median_cpu_off\":" << c_off
       << ",\"median_cpu_on\":" << c_on << "}\n";
  return 0;
}
