// bench/fanout: one answer streamed to 1, 10 and 100 surfaces over the Unix socket. ollama-sim
// streams N model tokens as fast as it can → OllamaBackend → Conductor + UnixServer on their own
// thread → every surface (a UnixLink each, all on this thread) over a real socket in a temp
// directory. Reports the aggregate tokens/s delivered (surfaces × model tokens / stream time), the
// CPU time of the Conductor's thread (pthread_getcpuclockid) and of the surfaces' thread, Token
// messages and Resyncs per surface, and checks every surface got the whole text. Bounded in time;
// only the ollama-sim it spawned is killed.
//
//   build/bin/fanout [--tokens N] [--surfaces 1,10,100] [--runs R] [--json FILE]
#include "bench_support.hpp"
#include "counting_backend.hpp"
#include "fanout_setup.hpp"
#include "backend/ollama_backend.hpp"
#include "conductor/conductor.hpp"
#include "transport/unix_client.hpp"
#include "transport/unix_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace asio = boost::asio;
using namespace yollayah;
using Clock = std::chrono::steady_clock;
using bench::CountingBackend;
using bench::cpu_seconds;

namespace {



struct Result {
  std::size_t surfaces = 0;
  bool complete = false;
  std::uint64_t model_tokens = 0;
  double seconds = 0;
  double aggregate_tokens_per_s = 0;
  double conductor_cpu_s = 0, surfaces_cpu_s = 0;
  std::size_t min_token_msgs = 0, max_token_msgs = 0, resyncs = 0, short_text = 0;
};

Result run_once(std::uint16_t port, std::size_t surfaces, std::chrono::seconds budget) {
  bench::TempDir dir;
  asio::io_context conductor_io(1);
  auto guard = asio::make_work_guard(conductor_io);
  backend::OllamaConfig cfg;
  cfg.endpoint = backend::parse_ollama_host("127.0.0.1:" + std::to_string(port));
  auto counting = std::make_shared<CountingBackend>(std::make_shared<backend::OllamaBackend>(conductor_io.get_executor(), cfg));
  conductor::Conductor conductor(conductor_io.get_executor(), counting, bench::stream_session());
  const auto so = bench::fanout_server_options(dir.path, surfaces);
  transport::UnixServer server(conductor_io.get_executor(), conductor, so);
  if (auto err = server.listen()) throw std::runtime_error(err->message);
  server.start();
  std::thread conductor_thread([&] { conductor_io.run(); });
  clockid_t conductor_clock{};
  pthread_getcpuclockid(conductor_thread.native_handle(), &conductor_clock);

  asio::io_context surface_io(1);
  std::vector<std::unique_ptr<transport::UnixLink>> links;
  for (std::size_t i = 0; i < surfaces; ++i) links.push_back(std::make_unique<transport::UnixLink>(surface_io.get_executor()));
  struct PerSurface {
    std::uint64_t bytes = 0;
    std::size_t token_msgs = 0, resyncs = 0;
    bool done = false;
  };
  std::vector<PerSurface> per(surfaces);
  std::size_t ready = 0, done = 0;
  Clock::time_point t0, t1;
  double conductor_cpu0 = 0, conductor_cpu1 = 0, surface_cpu0 = 0, surface_cpu1 = 0;

  auto start_turn = [&] {
    t0 = Clock::now();
    conductor_cpu0 = cpu_seconds(conductor_clock);
    surface_cpu0 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
    links[0]->send(protocol::ev::UserMessage{"evt_go", "go"});
  };
  for (std::size_t i = 0; i < surfaces; ++i) {
    asio::co_spawn(surface_io, [&, i]() -> asio::awaitable<void> {
      auto& link = *links[i];
      if (auto ec = co_await link.connect(so.socket_path)) {
        std::fprintf(stderr, "surface %zu: connect: %s\n", i, ec.message().c_str());
        co_return;
      }
      link.send(protocol::ev::Handshake{"evt_hello", 2, {protocol::SurfaceType::Kind::Headless, {}},
                                        protocol::SurfaceCapabilities::headless(), std::nullopt});
      std::vector<protocol::EnvelopePtr> batch;
      auto& me = per[i];
      while (!me.done) {
        batch.clear();
        if (!co_await link.receive(batch)) co_return;
        for (auto& e : batch) {
          const auto& m = e->message;
          if (auto* t = std::get_if<protocol::msg::Token>(&m)) {
            me.bytes += t->text.size();
            ++me.token_msgs;
          } else if (std::holds_alternative<protocol::msg::Resync>(m)) {
            ++me.resyncs;
          } else if (std::holds_alternative<protocol::msg::HandshakeAck>(m)) {
            if (++ready == surfaces) start_turn();
          } else if (std::holds_alternative<protocol::msg::StreamEnd>(m) ||
                     std::holds_alternative<protocol::msg::StreamError>(m)) {
            me.done = true;
            if (++done == surfaces) {
              t1 = Clock::now();
              conductor_cpu1 = cpu_seconds(conductor_clock);
              surface_cpu1 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
            }
            break;
          }
        }
      }
    }, asio::detached);
  }
  const auto deadline = Clock::now() + budget;
  while (done < surfaces && Clock::now() < deadline) surface_io.run_one_for(deadline - Clock::now());

  Result r;
  r.surfaces = surfaces;
  r.complete = done == surfaces;
  r.model_tokens = counting->tokens.load();
  if (r.complete) {
    r.seconds = std::chrono::duration<double>(t1 - t0).count();
    r.aggregate_tokens_per_s = static_cast<double>(r.model_tokens * surfaces) / r.seconds;
    r.conductor_cpu_s = conductor_cpu1 - conductor_cpu0;
    r.surfaces_cpu_s = surface_cpu1 - surface_cpu0;
  }
  r.min_token_msgs = SIZE_MAX;
  for (const auto& p : per) {
    r.min_token_msgs = std::min(r.min_token_msgs, p.token_msgs);
    r.max_token_msgs = std::max(r.max_token_msgs, p.token_msgs);
    r.resyncs += p.resyncs;
    if (p.bytes != counting->bytes.load() && p.resyncs == 0) ++r.short_text;  // lost text: a bug
  }

  for (auto& l : links) l->close();
  surface_io.restart();
  surface_io.run_for(std::chrono::milliseconds(300));
  guard.reset();
  conductor.stop(std::nullopt);
  conductor_io.stop();
  conductor_thread.join();
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t tokens = 100'000;
  std::vector<std::size_t> counts{1, 10, 100};
  int runs = 1;
  std::string json_path;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--tokens") tokens = std::stoul(argv[i + 1]);
    else if (a == "--runs") runs = std::stoi(argv[i + 1]);
    else if (a == "--json") json_path = argv[i + 1];
    else if (a == "--surfaces") {
      counts.clear();
      std::stringstream ss(argv[i + 1]);
      std::string item;
      while (std::getline(ss, item, ',')) counts.push_back(std::stoul(item));
    } else {
      std::fprintf(stderr, "usage: fanout [--tokens N] [--surfaces 1,10,100] [--runs R] [--json FILE]\n");
      return 2;
    }
  }
  ::signal(SIGPIPE, SIG_IGN);
  bench::SimChild sim(bench::seeded_stream(tokens));
  std::vector<Result> results;
  bool ok = true;
  for (int run = 0; run < runs; ++run) {
    for (std::size_t n : counts) {
      Result r = run_once(sim.port(), n, std::chrono::seconds(120));
      std::printf("run %d, %3zu surface(s): %s%llu model tokens in %.3f s -> %.0f tokens/s delivered in aggregate | "
                  "Conductor thread CPU %.3f s (%.0f%% of the stream time, %.2f us per delivered token), surfaces' "
                  "thread %.3f s | Token msgs per surface %zu..%zu, resyncs %zu, surfaces missing text %zu\n",
                  run + 1, n, r.complete ? "" : "INCOMPLETE ", static_cast<unsigned long long>(r.model_tokens), r.seconds,
                  r.aggregate_tokens_per_s, r.conductor_cpu_s, r.seconds > 0 ? 100.0 * r.conductor_cpu_s / r.seconds : 0.0,
                  r.model_tokens ? 1e6 * r.conductor_cpu_s / static_cast<double>(r.model_tokens * n) : 0.0,
                  r.surfaces_cpu_s, r.min_token_msgs, r.max_token_msgs, r.resyncs, r.short_text);
      std::fflush(stdout);
      ok = ok && r.complete && r.short_text == 0;
      results.push_back(r);
    }
  }
  if (!json_path.empty()) {
    std::ofstream json(json_path);
    json << "{\"tokens\":" << tokens << ",\"runs\":[";
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      json << (i ? "," : "") << "{\"surfaces\":" << r.surfaces << ",\"complete\":" << (r.complete ? "true" : "false")
           << ",\"model_tokens\":" << r.model_tokens << ",\"seconds\":" << r.seconds
           << ",\"aggregate_tokens_per_s\":" << r.aggregate_tokens_per_s << ",\"conductor_cpu_s\":" << r.conductor_cpu_s
           << ",\"surfaces_cpu_s\":" << r.surfaces_cpu_s << ",\"min_token_msgs\":" << r.min_token_msgs
           << ",\"max_token_msgs\":" << r.max_token_msgs << ",\"resyncs\":" << r.resyncs
           << ",\"surfaces_missing_text\":" << r.short_text << "}";
    }
    json << "]}\n";
  }
  return ok ? 0 : 1;
}
