// bench/socket_latency: the per-token latency a surface sees through the Unix socket, against the
// in-process transport in the same run. ollama-sim streams at a paced rate → OllamaBackend →
// Conductor (its own thread) → either a UnixServer + UnixLink over a real socket in a temp
// directory, or an InProcessLink; the surface runs on this thread. Latency is per model token:
// from the moment the backend parsed its line to the moment the surface holds the Token carrying
// it. Everything is bounded in time; only the ollama-sim this bench spawned is killed.
//
//   build/bin/socket_latency [--tokens N] [--rate TOKENS_PER_S] [--runs R]
//                            [--transport socket|inprocess|both] [--json FILE]
#include "bench_support.hpp"
#include "relay_stamps.hpp"
#include "backend/ollama_backend.hpp"
#include "conductor/conductor.hpp"
#include "transport/inprocess.hpp"
#include "transport/unix_client.hpp"
#include "transport/unix_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace asio = boost::asio;
using namespace yollayah;
using Clock = std::chrono::steady_clock;

namespace {



struct Result {
  std::string transport;
  std::size_t lines = 0, token_messages = 0;
  double seconds = 0;
  double p50_us = 0, p90_us = 0, p99_us = 0, max_us = 0;
  bool complete = false;
};

Result run_once(std::uint16_t port, std::size_t expected_tokens, bool socket, std::chrono::seconds budget) {
  bench::Stamps stamps;
  stamps.at.reserve(expected_tokens + 16);
  stamps.end_byte.reserve(expected_tokens + 16);
  bench::TempDir dir;

  asio::io_context conductor_io(1);
  auto guard = asio::make_work_guard(conductor_io);
  backend::OllamaConfig cfg;
  cfg.endpoint = backend::parse_ollama_host("127.0.0.1:" + std::to_string(port));
  auto stamping =
      std::make_shared<bench::StampingBackend>(std::make_shared<backend::OllamaBackend>(conductor_io.get_executor(), cfg), stamps);
  conductor::SessionConfig sc;
  sc.model = "sim";
  sc.greet = false;
  sc.max_answer_bytes = std::size_t{1} << 30;  // one long answer: the benchmark measures the stream, not the cap
  conductor::Conductor conductor(conductor_io.get_executor(), stamping, sc);
  transport::UnixServerOptions so;
  so.socket_path = dir.path + "/run/conductor.sock";
  so.heartbeat_interval = std::chrono::milliseconds(0);
  so.rate_per_second = 0;
  std::optional<transport::UnixServer> server;
  if (socket) {
    server.emplace(conductor_io.get_executor(), conductor, so);
    if (auto err = server->listen()) throw std::runtime_error(err->message);
    server->start();
  }
  std::thread conductor_thread([&] { conductor_io.run(); });

  asio::io_context surface_io(1);
  std::unique_ptr<transport::ConductorLink> link;
  transport::UnixLink* unix_link = nullptr;
  if (socket) {
    auto l = std::make_unique<transport::UnixLink>(surface_io.get_executor());
    unix_link = l.get();
    link = std::move(l);
  } else {
    link = std::make_unique<transport::InProcessLink>(conductor, surface_io.get_executor());
  }

  bench::Arrivals arrivals;
  arrivals.reserve(expected_tokens + 16);
  Result result;
  result.transport = socket ? "socket" : "inprocess";
  Clock::time_point t0, t1;
  asio::co_spawn(surface_io, [&]() -> asio::awaitable<void> {
    if (unix_link) {
      if (auto ec = co_await unix_link->connect(so.socket_path)) {
        std::fprintf(stderr, "connect: %s\n", ec.message().c_str());
        co_return;
      }
    }
    link->send(protocol::ev::Handshake{"evt_1", 2, {protocol::SurfaceType::Kind::Headless, {}},
                                       protocol::SurfaceCapabilities::headless(), std::nullopt});
    t0 = Clock::now();
    link->send(protocol::ev::UserMessage{"evt_2", "go"});
    std::vector<protocol::EnvelopePtr> batch;
    std::uint64_t bytes = 0;
    for (;;) {
      batch.clear();
      if (!co_await link->receive(batch)) co_return;
      const auto now = Clock::now();
      for (auto& e : batch) {
        if (auto* t = std::get_if<protocol::msg::Token>(&e->message)) {
          bytes += t->text.size();
          ++result.token_messages;
          arrivals.emplace_back(now, bytes);
        } else if (std::holds_alternative<protocol::msg::StreamEnd>(e->message) ||
                   std::holds_alternative<protocol::msg::StreamError>(e->message)) {
          t1 = now;
          result.complete = true;
          co_return;
        }
      }
    }
  }, asio::detached);
  surface_io.run_for(budget);  // bounded: a stuck run reports incomplete instead of hanging
  link->close();
  surface_io.restart();
  surface_io.run_for(std::chrono::milliseconds(200));
  guard.reset();
  conductor.stop(std::nullopt);
  conductor_io.stop();
  conductor_thread.join();

  result.lines = stamps.lines;
  if (!result.complete) return result;
  result.seconds = std::chrono::duration<double>(t1 - t0).count();
  const auto lat = bench::sorted_latencies_us(stamps, arrivals);
  if (!lat.empty()) {
    result.p50_us = bench::percentile(lat, 50);
    result.p90_us = bench::percentile(lat, 90);
    result.p99_us = bench::percentile(lat, 99);
    result.max_us = lat.back();
  }
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t tokens = 100'000;
  std::size_t rate = 20'000;
  int runs = 2;
  std::string which = "both";
  std::string json_path;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--tokens") tokens = std::stoul(argv[i + 1]);
    else if (a == "--rate") rate = std::stoul(argv[i + 1]);
    else if (a == "--runs") runs = std::stoi(argv[i + 1]);
    else if (a == "--transport") which = argv[i + 1];
    else if (a == "--json") json_path = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: socket_latency [--tokens N] [--rate R] [--runs R] [--transport socket|inprocess|both] [--json FILE]\n");
      return 2;
    }
  }
  ::signal(SIGPIPE, SIG_IGN);
  // Long enough for the stream at its pace, plus slack; never unbounded.
  const auto budget = std::chrono::seconds(10 + (rate ? tokens / rate * 3 : 30));
  bench::SimChild sim(bench::seeded_stream(tokens, rate));
  std::vector<Result> results;
  for (int r = 0; r < runs; ++r) {
    for (bool socket : {true, false}) {
      if ((socket && which == "inprocess") || (!socket && which == "socket")) continue;
      Result res = run_once(sim.port(), tokens, socket, budget);
      std::printf("run %d %-9s: %s %zu tokens in %zu Token msgs, %.3f s (%.0f tokens/s) | latency p50 %.1f us  p90 %.1f us  "
                  "p99 %.1f us  max %.1f us\n",
                  r + 1, res.transport.c_str(), res.complete ? "" : "INCOMPLETE", res.lines, res.token_messages,
                  res.seconds, res.seconds > 0 ? static_cast<double>(res.lines) / res.seconds : 0.0, res.p50_us,
                  res.p90_us, res.p99_us, res.max_us);
      results.push_back(res);
    }
  }
  if (!json_path.empty()) {
    std::ofstream json(json_path);
    json << "{\"tokens\":" << tokens << ",\"rate\":" << rate << ",\"runs\":[";
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      json << (i ? "," : "") << "{\"transport\":\"" << r.transport << "\",\"complete\":" << (r.complete ? "true" : "false")
           << ",\"tokens\":" << r.lines << ",\"token_messages\":" << r.token_messages << ",\"seconds\":" << r.seconds
           << ",\"p50_us\":" << r.p50_us << ",\"p90_us\":" << r.p90_us << ",\"p99_us\":" << r.p99_us
           << ",\"max_us\":" << r.max_us << "}";
    }
    json << "]}\n";
  }
  for (const auto& r : results)
    if (!r.complete) return 1;
  return 0;
}
