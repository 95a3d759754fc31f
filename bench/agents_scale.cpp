// bench/agents_scale: many agents streaming at once in one session (issue 12). ollama-sim plays the
// main answers (each delegates to `--per-answer` agents with `task start` tags), every agent's
// answer and every follow-up; the Conductor runs on its own thread with max_active raised to the
// number of agents; one version-2 surface (in-process link, this thread) receives everything.
//
// Two scenarios by default:
//   agents64  64 agents streaming at once at a modest rate (--rate, tokens/s per agent);
//   mix       the same 64 agents faster (--mix-rate) plus the main answers and follow-ups, so the
//             Conductor emits over 10,000 events/s.
// Per scenario: whether everything finished (every task ended, every answer and follow-up ended),
// events/s the surface received (whole run and the busiest second), the Conductor loop's lag (p99
// and worst, from its StallMonitor, and how long its thread waited for a CPU the machine's other
// processes held), the Conductor thread's CPU per 1,000 model tokens, and the process's peak RSS
// (Conductor and surface share the process; ollama-sim is a child, not counted).
//
//   build/bin/agents_scale [--agents N] [--per-answer K] [--tokens T] [--rate R] [--mix-rate R2]
//                          [--only agents64|mix] [--json FILE]
#include "bench_support.hpp"
#include "counting_backend.hpp"
#include "backend/ollama_backend.hpp"
#include "conductor/conductor.hpp"
#include "transport/inprocess.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <pthread.h>
#include <unistd.h>
#include <signal.h>
#include <sys/resource.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using namespace yollayah;
using Clock = std::chrono::steady_clock;
using bench::CountingBackend;
using bench::cpu_seconds;
namespace msg = protocol::msg;

namespace {

// Seconds the thread spent waiting on a run queue for a CPU (/proc/.../schedstat, second field):
// on a shared machine, the part of the loop's lag that other processes, not the Conductor, caused.
double runqueue_wait_seconds(pid_t tid) {
  std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/schedstat");
  unsigned long long on_cpu = 0, waiting = 0;
  in >> on_cpu >> waiting;
  return static_cast<double>(waiting) / 1e9;
}

struct Params {
  std::size_t agents = 64;
  std::size_t per_answer = 8;  // task starts per main answer (the tag parser allows 10)
  std::size_t tokens = 400;    // per agent answer
  std::size_t rate = 50;       // tokens/s per stream (ollama-sim paces every stream alike)
};

struct Result {
  std::string name;
  Params p;
  bool complete = false;
  std::size_t tasks_completed = 0, tasks_failed = 0, stream_ends = 0, answers_expected = 0;
  std::uint64_t model_tokens = 0, events = 0, merged_tokens = 0;
  std::map<std::string, std::uint64_t> by_kind;  // events per message type
  double seconds = 0, events_per_s = 0, peak_events_per_s = 0;
  std::size_t most_agents_streaming = 0;
  double lag_p99_ms = 0, lag_worst_ms = 0;
  std::uint64_t lag_samples = 0;
  double conductor_cpu_s = 0, cpu_ms_per_1000_tokens = 0;
  double runqueue_wait_s = 0;  // the Conductor thread, ready to run, waited this long for a CPU
  long peak_rss_kib = 0;
};

std::string lines_file(const std::string& dir, const std::string& name, const std::vector<std::string>& tokens) {
  std::string text;
  for (const auto& t : tokens) text += t + "\n";
  const std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}

const char* const kAgentIds[] = {"ethical-hacker",  "backend-engineer",     "frontend-specialist",
                                 "senior-full-stack-developer", "solutions-architect", "ux-ui-designer",
                                 "qa-engineer",     "privacy-researcher",   "devops-engineer",
                                 "relational-database-expert"};

Result run(const std::string& name, const Params& p, std::chrono::seconds budget) {
  bench::TempDir dir;
  // The main answer: a sentence, then one task start per agent it delegates to.
  std::vector<std::string> main_tokens{"Asking", " the", " family."};
  for (std::size_t i = 0; i < p.per_answer; ++i)
    main_tokens.push_back("[yolla:task start " + std::string(kAgentIds[i % 10]) + " part " + std::to_string(i) + "]");
  std::vector<std::string> agent_tokens;
  for (std::size_t i = 0; i < p.tokens; ++i) agent_tokens.push_back(i % 12 == 11 ? "word\\n" : "word ");
  bench::SimChild sim({"--tokens-per-sec", std::to_string(p.rate), "--script", lines_file(dir.path, "main.txt", main_tokens),
                       "--route", "[Report from your helpers]=" + lines_file(dir.path, "follow.txt", {"All", " summed", " up."}),
                       "--route", "Yollayah's family of specialists=" + lines_file(dir.path, "agent.txt", agent_tokens)});

  asio::io_context conductor_io(1);
  auto guard = asio::make_work_guard(conductor_io);
  backend::OllamaConfig bc;
  bc.endpoint = backend::parse_ollama_host(sim.host());
  auto counting = std::make_shared<CountingBackend>(std::make_shared<backend::OllamaBackend>(conductor_io.get_executor(), bc));
  conductor::SessionConfig sc;
  sc.model = "sim";
  sc.system_prompt = "You are a benchmark.";
  sc.greet = false;
  sc.agent.max_active = p.agents;
  sc.tasks.max_active = static_cast<std::uint32_t>(p.agents * 2);
  sc.tasks.max_total = static_cast<std::uint32_t>(p.agents * 4);
  conductor::Conductor conductor(conductor_io.get_executor(), counting, sc);
  std::atomic<pid_t> conductor_tid{0};
  std::thread conductor_thread([&] {
    conductor_tid = static_cast<pid_t>(::gettid());
    conductor_io.run();
  });
  while (conductor_tid.load() == 0) std::this_thread::yield();
  clockid_t conductor_clock{};
  pthread_getcpuclockid(conductor_thread.native_handle(), &conductor_clock);

  const std::size_t answers = (p.agents + p.per_answer - 1) / p.per_answer;
  asio::io_context surface_io(1);
  // The default queue limits, as the TUI has them: a surface that falls behind shows as merged tokens.
  transport::InProcessLink link(conductor, surface_io.get_executor());
  Result r;
  r.name = name;
  r.p = p;
  r.answers_expected = answers * 2;  // each main answer and its follow-up
  Clock::time_point t0, t1;
  double cpu0 = 0, cpu1 = 0, wait0 = 0, wait1 = 0;
  std::map<std::int64_t, std::uint64_t> per_second;
  std::map<std::string, bool> streaming;  // agent conversation → still streaming
  std::size_t now_streaming = 0;
  bool ready = false, done = false;

  asio::co_spawn(surface_io, [&]() -> asio::awaitable<void> {
    link.send(protocol::ev::Handshake{"evt_hello", 2, {protocol::SurfaceType::Kind::Tui, {}},
                                      protocol::SurfaceCapabilities::tui(), std::nullopt});
    std::vector<protocol::EnvelopePtr> batch;
    while (!done) {
      batch.clear();
      if (!co_await link.receive(batch)) co_return;
      const auto now = Clock::now();
      for (auto& e : batch) {
        const auto& m = e->message;
        if (ready) {
          ++r.events;
          ++r.by_kind[std::string(protocol::variant_name(m))];
          ++per_second[std::chrono::duration_cast<std::chrono::seconds>(now - t0).count()];
        }
        if (auto* st = std::get_if<msg::State>(&m); st && !ready && st->state == protocol::ConductorState::Ready) {
          ready = true;
          t0 = Clock::now();
          cpu0 = cpu_seconds(conductor_clock);
          wait0 = runqueue_wait_seconds(conductor_tid);
          for (std::size_t i = 0; i < answers; ++i)
            link.send(protocol::ev::UserMessage{"evt_msg_" + std::to_string(i), "Please split this work, batch " + std::to_string(i)});
        } else if (auto* c = std::get_if<msg::ConversationCreated>(&m)) {
          streaming[c->conversation_id] = false;
        } else if (auto* t = std::get_if<msg::ConversationStreamToken>(&m)) {
          bool& on = streaming[t->conversation_id];
          if (!on) {
            on = true;
            r.most_agents_streaming = std::max(r.most_agents_streaming, ++now_streaming);
          }
        } else if (auto* end = std::get_if<msg::ConversationStreamEnd>(&m)) {
          if (streaming[end->conversation_id]) --now_streaming;
          streaming[end->conversation_id] = false;
        } else if (std::holds_alternative<msg::TaskCompleted>(m)) {
          ++r.tasks_completed;
        } else if (std::holds_alternative<msg::TaskFailed>(m)) {
          ++r.tasks_failed;
        } else if (std::holds_alternative<msg::StreamEnd>(m) || std::holds_alternative<msg::StreamError>(m)) {
          ++r.stream_ends;
        }
      }
      if (ready && r.tasks_completed + r.tasks_failed >= p.agents && r.stream_ends >= r.answers_expected) {
        t1 = Clock::now();
        cpu1 = cpu_seconds(conductor_clock);
        wait1 = runqueue_wait_seconds(conductor_tid);
        done = true;
      }
    }
  }, asio::detached);

  const auto deadline = Clock::now() + budget;
  while (!done && Clock::now() < deadline) surface_io.run_one_for(deadline - Clock::now());

  r.complete = done && r.tasks_completed == p.agents;
  if (!done) {
    t1 = Clock::now();
    cpu1 = cpu_seconds(conductor_clock);
    wait1 = runqueue_wait_seconds(conductor_tid);
  }
  r.runqueue_wait_s = wait1 - wait0;
  r.seconds = std::chrono::duration<double>(t1 - t0).count();
  r.model_tokens = counting->tokens.load();
  r.merged_tokens = link.merged_tokens();
  r.events_per_s = r.seconds > 0 ? static_cast<double>(r.events) / r.seconds : 0;
  for (const auto& [second, n] : per_second) r.peak_events_per_s = std::max(r.peak_events_per_s, static_cast<double>(n));
  r.conductor_cpu_s = cpu1 - cpu0;
  r.cpu_ms_per_1000_tokens = r.model_tokens ? 1e6 * r.conductor_cpu_s / static_cast<double>(r.model_tokens) : 0;
  const auto lag = conductor.stall_monitor().stats();
  r.lag_p99_ms = static_cast<double>(lag.p99.count()) / 1000.0;
  r.lag_worst_ms = static_cast<double>(lag.worst.count()) / 1000.0;
  r.lag_samples = lag.samples;
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  r.peak_rss_kib = u.ru_maxrss;

  link.close();
  surface_io.restart();
  surface_io.run_for(std::chrono::milliseconds(100));
  guard.reset();
  conductor.stop(std::nullopt);
  conductor_io.stop();
  conductor_thread.join();
  return r;
}

void print(const Result& r) {
  std::printf("%-8s %zu agents x %zu tokens at %zu tokens/s: %s in %.2f s | %zu completed, %zu failed, %zu/%zu answers "
              "ended | at most %zu agents streaming at once | %llu events (%.0f/s, busiest second %.0f), %llu tokens "
              "merged | %llu model tokens | Conductor loop lag p99 %.2f ms, worst %.2f ms (%llu probes); it waited "
              "%.3f s for a CPU | Conductor CPU %.3f s = %.2f ms per 1,000 tokens | peak RSS %.1f MiB\n",
              r.name.c_str(), r.p.agents, r.p.tokens, r.p.rate, r.complete ? "all finished" : "INCOMPLETE", r.seconds,
              r.tasks_completed, r.tasks_failed, r.stream_ends, r.answers_expected, r.most_agents_streaming,
              static_cast<unsigned long long>(r.events), r.events_per_s, r.peak_events_per_s,
              static_cast<unsigned long long>(r.merged_tokens), static_cast<unsigned long long>(r.model_tokens),
              r.lag_p99_ms, r.lag_worst_ms, static_cast<unsigned long long>(r.lag_samples), r.runqueue_wait_s,
              r.conductor_cpu_s,
              r.cpu_ms_per_1000_tokens, static_cast<double>(r.peak_rss_kib) / 1024.0);
  std::printf("         events by type:");
  for (const auto& [kind, n] : r.by_kind) std::printf(" %s %llu", kind.c_str(), static_cast<unsigned long long>(n));
  std::printf("\n");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  Params base;
  std::size_t mix_rate = 200, mix_tokens = 1000;
  std::string only, json_path;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--agents") base.agents = std::stoul(argv[i + 1]);
    else if (a == "--per-answer") base.per_answer = std::stoul(argv[i + 1]);
    else if (a == "--tokens") base.tokens = std::stoul(argv[i + 1]);
    else if (a == "--rate") base.rate = std::stoul(argv[i + 1]);
    else if (a == "--mix-rate") mix_rate = std::stoul(argv[i + 1]);
    else if (a == "--mix-tokens") mix_tokens = std::stoul(argv[i + 1]);
    else if (a == "--only") only = argv[i + 1];
    else if (a == "--json") json_path = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: agents_scale [--agents N] [--per-answer K] [--tokens T] [--rate R] [--mix-rate R2] "
                           "[--mix-tokens T2] [--only agents64|mix] [--json FILE]\n");
      return 2;
    }
  }
  if (base.per_answer == 0 || base.per_answer > 10) {
    std::fprintf(stderr, "--per-answer must be 1..10 (the tag parser's limit per answer)\n");
    return 2;
  }
  ::signal(SIGPIPE, SIG_IGN);
  std::vector<Result> results;
  if (only.empty() || only == "agents64") {
    results.push_back(run("agents64", base, std::chrono::seconds(120)));
    print(results.back());
  }
  if (only.empty() || only == "mix") {
    Params mix = base;
    mix.rate = mix_rate;
    mix.tokens = mix_tokens;
    results.push_back(run("mix", mix, std::chrono::seconds(120)));
    print(results.back());
  }
  bool ok = true;
  if (!json_path.empty()) {
    std::ofstream json(json_path);
    json << "{\"runs\":[";
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      json << (i ? "," : "") << "{\"scenario\":\"" << r.name << "\",\"agents\":" << r.p.agents << ",\"tokens\":" << r.p.tokens
           << ",\"rate\":" << r.p.rate << ",\"complete\":" << (r.complete ? "true" : "false") << ",\"seconds\":" << r.seconds
           << ",\"tasks_completed\":" << r.tasks_completed << ",\"tasks_failed\":" << r.tasks_failed
           << ",\"most_agents_streaming\":" << r.most_agents_streaming << ",\"events\":" << r.events
           << ",\"events_per_s\":" << r.events_per_s << ",\"peak_events_per_s\":" << r.peak_events_per_s
           << ",\"merged_tokens\":" << r.merged_tokens << ",\"model_tokens\":" << r.model_tokens
           << ",\"lag_p99_ms\":" << r.lag_p99_ms << ",\"lag_worst_ms\":" << r.lag_worst_ms
           << ",\"lag_samples\":" << r.lag_samples << ",\"runqueue_wait_s\":" << r.runqueue_wait_s
           << ",\"conductor_cpu_s\":" << r.conductor_cpu_s
           << ",\"cpu_ms_per_1000_tokens\":" << r.cpu_ms_per_1000_tokens << ",\"peak_rss_kib\":" << r.peak_rss_kib << "}";
    }
    json << "]}\n";
  }
  for (const auto& r : results) ok = ok && r.complete;
  return ok ? 0 : 1;
}
