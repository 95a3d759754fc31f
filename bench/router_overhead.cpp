// bench/router_overhead: what the router costs and what its fallback gives, in one run.
//
// 1. Overhead: the same ollama-sim stream read by OllamaBackend straight into a counting sink
//    ("direct") and through a Router in front of the same backend ("routed"), alternating, with the
//    backend's own sink stamping one parsed line in eight: tokens/s of each, and the per-token
//    latency the router adds (stamp → the counting sink holds it).
// 2. Fallback: the time from sending a request whose first backend refuses the connection to the
//    first token from the second, against the second backend's own time to first token.
// 3. SSE against NDJSON: the same stream read through the router by the OpenAI-compatible backend
//    (/v1/chat/completions, Server-Sent Events) and by the Ollama one (/api/chat, NDJSON).
//
//   build/bin/router_overhead [--tokens N] [--runs R] [--fallback-runs F] [--json FILE]
#include "bench_support.hpp"
#include "relay_stamps.hpp"
#include "backend/ollama_backend.hpp"
#include "backend/openai_backend.hpp"
#include "backend/routing/router.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <optional>

namespace asio = boost::asio;
using namespace yollayah;
using bench::Clock;

namespace {

// Counts what reaches the end of the path and when, like a surface would.
class CountingSink final : public backend::ChatSink {
 public:
  explicit CountingSink(bench::Arrivals& arrivals) : arrivals_(arrivals) {}
  void on_content(std::string_view text) override {
    bytes_ += text.size();
    ++pieces_;
    if (first_ == Clock::time_point{}) first_ = Clock::now();
    arrivals_.emplace_back(Clock::now(), bytes_);
  }
  std::uint64_t pieces() const { return pieces_; }
  Clock::time_point first() const { return first_; }

 private:
  bench::Arrivals& arrivals_;
  std::uint64_t bytes_ = 0;
  std::uint64_t pieces_ = 0;
  Clock::time_point first_{};
};

backend::ChatRequest request() {
  backend::ChatRequest r;
  r.model = "sim";
  r.messages.push_back({backend::ChatMessage::Role::User, "go"});
  return r;
}

// CPU time this thread has used: unlike wall time, other processes on the machine do not move it.
double thread_cpu_seconds() {
  struct rusage u {};
  ::getrusage(RUSAGE_THREAD, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct StreamResult {
  std::uint64_t tokens = 0;
  double seconds = 0;
  double cpu_seconds = 0;  // of the reading thread
  double cpu_ns_per_token() const { return tokens ? cpu_seconds * 1e9 / static_cast<double>(tokens) : 0; }
  double p50_us = 0, p99_us = 0;
  double tokens_per_s() const { return seconds > 0 ? static_cast<double>(tokens) / seconds : 0; }
};

// One chat through `b` (a plain backend or a router), into a counting sink.
StreamResult stream_once(asio::io_context& io, backend::Backend& b, bench::Stamps* stamps, std::size_t expected) {
  bench::Arrivals arrivals;
  arrivals.reserve(expected + 16);
  CountingSink sink(arrivals);
  StreamResult out;
  const auto req = request();  // the coroutine reads it after co_spawn returns: it must outlive the chat
  const double cpu0 = thread_cpu_seconds();
  const auto t0 = Clock::now();
  Clock::time_point t1;
  asio::co_spawn(io, b.chat(req, sink), [&](std::exception_ptr e, backend::Result<backend::ChatStats> r) {
    t1 = Clock::now();
    if (e || !r) std::fprintf(stderr, "chat failed: %s\n", e ? "exception" : r.error().message.c_str());
  });
  io.restart();
  io.run();
  out.cpu_seconds = thread_cpu_seconds() - cpu0;
  out.tokens = sink.pieces();
  out.seconds = std::chrono::duration<double>(t1 - t0).count();
  if (stamps) {
    const auto lat = bench::sorted_latencies_us(*stamps, arrivals);
    out.p50_us = bench::percentile(lat, 50);
    out.p99_us = bench::percentile(lat, 99);
  }
  return out;
}

backend::OllamaConfig ollama_config(std::uint16_t port) {
  backend::OllamaConfig c;
  c.name = "sim";
  c.endpoint = backend::parse_ollama_host("127.0.0.1:" + std::to_string(port));
  return c;
}

backend::OpenAiConfig openai_config(std::uint16_t port) {
  backend::OpenAiConfig c;
  c.name = "sim-v1";
  c.endpoint = *backend::parse_backend_url("http://127.0.0.1:" + std::to_string(port) + "/v1");
  return c;
}

std::shared_ptr<backend::routing::Router> router_of(std::vector<std::shared_ptr<backend::Backend>> backends) {
  std::vector<backend::routing::UpstreamSpec> specs;
  int priority = 1;
  for (auto& b : backends) {
    backend::routing::UpstreamSpec s;
    s.backend = std::move(b);
    s.priority = priority++;
    specs.push_back(std::move(s));
  }
  return std::make_shared<backend::routing::Router>(std::move(specs));
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double p95(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, v.size() * 95 / 100)];
}

// Milliseconds from the start of a chat to its first token.
double first_token_ms(asio::io_context& io, backend::Backend& b) {
  bench::Arrivals arrivals;
  CountingSink sink(arrivals);
  const auto req = request();
  const auto t0 = Clock::now();
  asio::co_spawn(io, b.chat(req, sink), [](std::exception_ptr, backend::Result<backend::ChatStats>) {});
  io.restart();
  io.run();
  return std::chrono::duration<double, std::milli>(sink.first() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t tokens = 1'000'000;
  int runs = 5;
  int fallback_runs = 30;
  std::string json_path = "router_overhead.json";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--tokens") tokens = std::stoul(argv[i + 1]);
    else if (a == "--runs") runs = std::stoi(argv[i + 1]);
    else if (a == "--fallback-runs") fallback_runs = std::stoi(argv[i + 1]);
    else if (a == "--json") json_path = argv[i + 1];
  }

  bench::SimChild sim(bench::seeded_stream(tokens));
  asio::io_context io(1);
  std::ofstream json(json_path);
  json << "{\"tokens\":" << tokens << ",\"overhead\":[";

  // 1. Direct against routed, alternating, the stamping decorator in both.
  std::vector<double> direct_tps, routed_tps, direct_cpu, routed_cpu;
  for (int r = 0; r < runs; ++r) {
    for (bool routed : {false, true}) {
      bench::Stamps stamps;
      stamps.at.reserve(tokens / 8 + 16);
      stamps.end_byte.reserve(tokens / 8 + 16);
      auto ollama = std::make_shared<backend::OllamaBackend>(io.get_executor(), ollama_config(sim.port()));
      auto stamping = std::make_shared<bench::StampingBackend>(ollama, stamps, 8);
      auto router = router_of({stamping});
      auto result = routed ? stream_once(io, *router, &stamps, tokens) : stream_once(io, *stamping, &stamps, tokens);
      (routed ? routed_tps : direct_tps).push_back(result.tokens_per_s());
      (routed ? routed_cpu : direct_cpu).push_back(result.cpu_ns_per_token());
      std::printf("run %d %-6s: %9.0f tokens/s (%llu tokens, %.3f s), CPU %.1f ns/token, sink latency p50 %.2f us "
                  "p99 %.2f us\n",
                  r + 1, routed ? "routed" : "direct", result.tokens_per_s(),
                  static_cast<unsigned long long>(result.tokens), result.seconds, result.cpu_ns_per_token(),
                  result.p50_us, result.p99_us);
      json << (r || routed ? "," : "") << "{\"run\":" << r + 1 << ",\"path\":\"" << (routed ? "routed" : "direct")
           << "\",\"tokens_per_s\":" << result.tokens_per_s() << ",\"cpu_ns_per_token\":" << result.cpu_ns_per_token()
           << ",\"p50_us\":" << result.p50_us
           << ",\"p99_us\":" << result.p99_us << "}";
    }
  }
  const double slower = 100.0 * (1.0 - median(routed_tps) / median(direct_tps));
  const double cpu_more = 100.0 * (median(routed_cpu) / median(direct_cpu) - 1.0);
  std::printf("median: direct %.0f tokens/s, routed %.0f tokens/s: the router is %.1f %% slower; CPU per token "
              "direct %.1f ns, routed %.1f ns (+%.1f %%)\n",
              median(direct_tps), median(routed_tps), slower, median(direct_cpu), median(routed_cpu), cpu_more);
  json << "],\"direct_median\":" << median(direct_tps) << ",\"routed_median\":" << median(routed_tps)
       << ",\"router_slower_percent\":" << slower << ",\"direct_cpu_ns_per_token\":" << median(direct_cpu)
       << ",\"routed_cpu_ns_per_token\":" << median(routed_cpu) << ",\"router_cpu_more_percent\":" << cpu_more;

  // 2. A refused primary: time to the fallback's first token, against that backend's own.
  bench::SimChild small(bench::seeded_stream(16));
  std::vector<double> own, via_fallback;
  for (int r = 0; r < fallback_runs; ++r) {
    auto direct = std::make_shared<backend::OllamaBackend>(io.get_executor(), ollama_config(small.port()));
    own.push_back(first_token_ms(io, *direct));
    backend::OllamaConfig refused = ollama_config(1);  // nothing listens on port 1
    refused.name = "refused";
    auto router = router_of({std::make_shared<backend::OllamaBackend>(io.get_executor(), refused),
                             std::make_shared<backend::OllamaBackend>(io.get_executor(), ollama_config(small.port()))});
    via_fallback.push_back(first_token_ms(io, *router));
  }
  std::printf("first token: the fallback alone %.2f ms median (p95 %.2f); after a refused primary %.2f ms median "
              "(p95 %.2f): +%.2f ms\n",
              median(own), p95(own), median(via_fallback), p95(via_fallback), median(via_fallback) - median(own));
  json << ",\"fallback\":{\"own_ttft_ms_median\":" << median(own) << ",\"own_ttft_ms_p95\":" << p95(own)
       << ",\"after_refused_primary_ms_median\":" << median(via_fallback)
       << ",\"after_refused_primary_ms_p95\":" << p95(via_fallback) << "}";

  // 3. SSE against NDJSON through the router.
  std::vector<double> ndjson_tps, sse_tps;
  for (int r = 0; r < runs; ++r) {
    auto ndjson = router_of({std::make_shared<backend::OllamaBackend>(io.get_executor(), ollama_config(sim.port()))});
    auto sse = router_of({std::make_shared<backend::OpenAiBackend>(io.get_executor(), openai_config(sim.port()))});
    const auto n = stream_once(io, *ndjson, nullptr, tokens);
    const auto s = stream_once(io, *sse, nullptr, tokens);
    ndjson_tps.push_back(n.tokens_per_s());
    sse_tps.push_back(s.tokens_per_s());
    std::printf("run %d: NDJSON %9.0f tokens/s, SSE %9.0f tokens/s (%llu / %llu tokens)\n", r + 1, n.tokens_per_s(),
                s.tokens_per_s(), static_cast<unsigned long long>(n.tokens), static_cast<unsigned long long>(s.tokens));
  }
  std::printf("median: NDJSON %.0f tokens/s, SSE %.0f tokens/s (%.0f %% of NDJSON)\n", median(ndjson_tps),
              median(sse_tps), 100.0 * median(sse_tps) / median(ndjson_tps));
  json << ",\"ndjson_median\":" << median(ndjson_tps) << ",\"sse_median\":" << median(sse_tps) << "}\n";
  return 0;
}
