// bench/token_relay: ollama-sim streams as fast as it can → Conductor → an in-process surface,
// on another thread and on the Conductor's own loop. Reports tokens/s, the per-token latency the
// relay adds (backend line parsed → surface holds its Token), and, in the same run, a raw
// baseline: a plain HTTP client that only counts the lines of the same stream. Writes JSON to
// --out (default token_relay.json).
//
//   build/bin/token_relay [--tokens N] [--rate TOKENS_PER_S] [--runs R] [--out FILE]
//                         [--surface thread|loop|both] [--spare-backend yes|no]
#include "bench_support.hpp"
#include "relay_stamps.hpp"
#include "backend/ollama_backend.hpp"
#include "backend/routing/router.hpp"
#include "conductor/conductor.hpp"
#include "core/log.hpp"
#include "transport/inprocess.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

extern char** environ;

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using namespace yollayah;
using Clock = std::chrono::steady_clock;

namespace {


// A thread's CPU time so far (CLOCK_THREAD_CPUTIME_ID, or another thread's pthread_getcpuclockid).
double thread_cpu_seconds(clockid_t clock) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// ---- raw baseline: read the stream, count lines ---------------------------------------------

struct RawResult {
  std::size_t lines = 0;
  double seconds = 0;
  double cpu_s = 0;  // this thread's CPU time while reading
};

RawResult run_raw(std::uint16_t port) {
  asio::io_context io;
  RawResult result;
  const double cpu0 = thread_cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    beast::tcp_stream stream(io);
    co_await stream.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), asio::use_awaitable);
    http::request<http::string_body> req{http::verb::post, "/api/chat", 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    req.body() = R"({"model":"sim","messages":[{"role":"user","content":"go"}],"stream":true})";
    req.prepare_payload();
    const auto t0 = Clock::now();
    co_await http::async_write(stream, req, asio::use_awaitable);
    beast::flat_buffer buffer;
    buffer.reserve(1 << 16);  // as the backend does: large reads
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);
    co_await http::async_read_header(stream, buffer, parser, asio::use_awaitable);
    std::vector<char> chunk(1 << 16);
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      boost::system::error_code ec;
      co_await http::async_read_some(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
      if (ec && ec != http::error::need_buffer) break;
      const std::size_t n = chunk.size() - parser.get().body().size;
      result.lines += static_cast<std::size_t>(std::count(chunk.data(), chunk.data() + n, '\n'));
    }
    result.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  }, asio::detached);
  io.run();
  result.cpu_s = thread_cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - cpu0;
  return result;
}

// ---- the relay: a backend decorator stamps each parsed line (bench/relay_stamps.hpp) --------

struct RelayResult {
  std::size_t lines = 0;
  std::size_t token_messages = 0;
  std::size_t merged = 0;
  double seconds = 0;
  double p50_us = 0, p99_us = 0, max_us = 0;
  double conductor_cpu_s = 0;  // CPU time of the Conductor's thread (with the surface, same thread)
  double surface_cpu_s = 0;    // CPU time of the surface's own thread (other thread only)
};


// Stamp one line in eight: reading the clock on every line would cost the saturated relay more
// than what it measures.
constexpr std::uint64_t kSampleEvery = 8;

// Where the surface runs, and what the router in front of the backend has to do.
struct Shape {
  bool same_thread = false;    // the surface on the Conductor's loop (as `yollayah ask` and the TUI)
  bool spare_backend = false;  // a second backend behind the first: the router keeps the text so
                               // far for a mid-stream fallback (it never gets used here)
  const char* name() const {
    if (same_thread) return spare_backend ? "same thread, spare backend" : "same thread";
    return spare_backend ? "other thread, spare backend" : "other thread";
  }
};

RelayResult run_relay(std::uint16_t port, std::size_t expected_tokens, Shape shape) {
  bench::Stamps stamps;
  stamps.at.reserve(expected_tokens + 16);
  stamps.end_byte.reserve(expected_tokens + 16);

  asio::io_context conductor_io(1);
  auto guard = asio::make_work_guard(conductor_io);
  backend::OllamaConfig cfg;
  cfg.endpoint = backend::parse_ollama_host("127.0.0.1:" + std::to_string(port));
  auto ollama = std::make_shared<backend::OllamaBackend>(conductor_io.get_executor(), cfg);
  std::shared_ptr<backend::Backend> chat_backend =
      std::make_shared<bench::StampingBackend>(ollama, stamps, kSampleEvery);
  if (shape.spare_backend) {
    backend::OllamaConfig spare_cfg;
    spare_cfg.endpoint = backend::parse_ollama_host("127.0.0.1:1");  // never asked: the first answers
    std::vector<backend::routing::UpstreamSpec> specs(2);
    specs[0].backend = chat_backend;
    specs[1].backend = std::make_shared<backend::OllamaBackend>(conductor_io.get_executor(), spare_cfg);
    specs[1].priority = 2;
    chat_backend = std::make_shared<backend::routing::Router>(std::move(specs));
  }
  conductor::SessionConfig sc;
  sc.model = "sim";
  sc.greet = false;
  sc.max_answer_bytes = std::size_t{1} << 30;  // one long answer: the benchmark measures the stream, not the cap
  conductor::Conductor conductor(conductor_io.get_executor(), chat_backend, sc);

  // The surface on its own thread (the shape of a surface with a loop of its own), or on the
  // Conductor's loop, run by this thread.
  asio::io_context surface_io(1);
  asio::io_context& sio = shape.same_thread ? conductor_io : surface_io;
  std::thread conductor_thread;
  clockid_t conductor_clock = CLOCK_THREAD_CPUTIME_ID;  // this thread's, when it runs the Conductor
  if (!shape.same_thread) {
    conductor_thread = std::thread([&] { conductor_io.run(); });
    pthread_getcpuclockid(conductor_thread.native_handle(), &conductor_clock);
  }
  const double conductor_cpu0 = thread_cpu_seconds(conductor_clock);
  const double surface_cpu0 = thread_cpu_seconds(CLOCK_THREAD_CPUTIME_ID);

  transport::InProcessLink link(conductor, sio.get_executor());
  bench::Arrivals arrivals;
  arrivals.reserve(expected_tokens + 16);
  RelayResult result;
  Clock::time_point t0, t1;

  asio::co_spawn(sio, [&]() -> asio::awaitable<void> {
    link.send(protocol::ev::Handshake{"evt_1", 2, {protocol::SurfaceType::Kind::Headless, {}},
                                      protocol::SurfaceCapabilities::headless(), std::nullopt});
    t0 = Clock::now();
    link.send(protocol::ev::UserMessage{"evt_2", "go"});
    std::vector<protocol::EnvelopePtr> batch;
    std::uint64_t bytes = 0;
    for (;;) {
      batch.clear();
      if (!co_await link.receive(batch)) break;
      const auto now = Clock::now();
      bool end = false;
      for (auto& e : batch) {
        if (auto* t = std::get_if<protocol::msg::Token>(&e->message)) {
          bytes += t->text.size();
          ++result.token_messages;
          arrivals.emplace_back(now, bytes);
        } else if (std::holds_alternative<protocol::msg::StreamEnd>(e->message) ||
                   std::holds_alternative<protocol::msg::StreamError>(e->message)) {
          t1 = now;
          end = true;
        }
      }
      if (end) break;
    }
    if (shape.same_thread) sio.stop();
  }, asio::detached);
  sio.run();
  result.conductor_cpu_s = thread_cpu_seconds(conductor_clock) - conductor_cpu0;
  if (!shape.same_thread) result.surface_cpu_s = thread_cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - surface_cpu0;
  result.merged = link.merged_tokens();
  link.close();
  guard.reset();
  conductor.stop(std::nullopt);
  conductor_io.stop();
  if (conductor_thread.joinable()) conductor_thread.join();

  result.lines = stamps.lines;
  result.seconds = std::chrono::duration<double>(t1 - t0).count();
  const auto lat = bench::sorted_latencies_us(stamps, arrivals);
  if (!lat.empty()) {
    result.p50_us = bench::percentile(lat, 50);
    result.p99_us = bench::percentile(lat, 99);
    result.max_us = lat.back();
  }
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t tokens = 2'000'000;
  std::size_t rate = 0;  // tokens/s from ollama-sim; 0 = as fast as possible
  int runs = 3;
  std::string out = "token_relay.json";
  std::string surface = "both";  // thread | loop | both
  bool spare = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--tokens") tokens = std::stoul(argv[i + 1]);
    else if (a == "--runs") runs = std::stoi(argv[i + 1]);
    else if (a == "--out") out = argv[i + 1];
    else if (a == "--rate") rate = std::stoul(argv[i + 1]);
    else if (a == "--surface") surface = argv[i + 1];
    else if (a == "--spare-backend") spare = std::string(argv[i + 1]) == "yes";
  }
  core::disable_logging();  // the spare backend is down on purpose: no warning per run
  bench::SimChild sim(bench::seeded_stream(tokens, rate));
  std::ofstream json(out);
  json << "{\"tokens\":" << tokens << ",\"rate\":" << rate << ",\"runs\":[";
  // Every run: the raw baseline, then the relay in each shape, one after the other on the same sim.
  std::vector<Shape> shapes;
  if (surface != "loop") shapes.push_back({false, false});
  if (surface != "thread") shapes.push_back({true, false});
  if (spare) {
    if (surface != "loop") shapes.push_back({false, true});
    if (surface != "thread") shapes.push_back({true, true});
  }
  for (int r = 0; r < runs; ++r) {
    RawResult raw = run_raw(sim.port());
    const double raw_tps = static_cast<double>(raw.lines) / raw.seconds;
    std::printf("run %d: raw %.0f lines/s (%zu lines, %.3f s) | CPU per line %.0f ns\n", r + 1, raw_tps, raw.lines,
                raw.seconds, 1e9 * raw.cpu_s / static_cast<double>(raw.lines));
    json << (r ? "," : "") << "{\"raw_lines_per_s\":" << raw_tps << ",\"raw_cpu_s\":" << raw.cpu_s << ",\"relay\":[";
    for (std::size_t k = 0; k < shapes.size(); ++k) {
      RelayResult relay = run_relay(sim.port(), tokens, shapes[k]);
      const double relay_tps = static_cast<double>(relay.lines) / relay.seconds;
      std::printf(
          "  relay, %-27s %.0f tokens/s (%zu tokens, %zu Token msgs, %zu merged, %.3f s) = %.0f%% of raw | "
          "added latency p50 %.1f us p99 %.1f us max %.1f us | CPU per token: Conductor %.0f ns, surface %.0f ns\n",
          (std::string(shapes[k].name()) + ":").c_str(), relay_tps, relay.lines, relay.token_messages, relay.merged,
          relay.seconds, 100.0 * relay_tps / raw_tps, relay.p50_us, relay.p99_us, relay.max_us,
          1e9 * relay.conductor_cpu_s / static_cast<double>(relay.lines),
          1e9 * relay.surface_cpu_s / static_cast<double>(relay.lines));
      json << (k ? "," : "") << "{\"shape\":\"" << shapes[k].name() << "\",\"tokens_per_s\":" << relay_tps
           << ",\"percent_of_raw\":" << 100.0 * relay_tps / raw_tps << ",\"token_messages\":" << relay.token_messages
           << ",\"merged\":" << relay.merged << ",\"p50_us\":" << relay.p50_us << ",\"p99_us\":" << relay.p99_us
           << ",\"max_us\":" << relay.max_us << ",\"conductor_cpu_s\":" << relay.conductor_cpu_s
           << ",\"surface_cpu_s\":" << relay.surface_cpu_s << "}";
    }
    json << "]}";
  }
  json << "]}\n";
  return 0;
}
