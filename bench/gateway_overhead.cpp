// The gateway's cost, in one run: the same streaming chat asked of ollama-sim directly and through
// conductord's gateway (the router, the API's encoder, the HTTP listener), for the Ollama API
// (/api/chat, NDJSON) and the OpenAI one (/v1/chat/completions, SSE). Then many streaming API
// requests at once through the gateway: whether all complete, and how late the loops ran.
//
//   gateway_overhead [--requests N] [--tokens N] [--throughput-tokens N] [--rate R] [--concurrent N] [--out FILE]
//                    [--api ollama|openai]  (one API only: for profiling its encoder) [--record DIR]
//
// --record DIR: the gateway runs with [gateway] record on, into a history in DIR (what recording
// costs the token path).
//
// Added latency per token: ollama-sim paces tokens at R/s from the request, so token i is due at
// about i/R; its lateness is when the client parsed it minus that. The p50 lateness through the
// gateway minus the p50 lateness direct is what the gateway adds to each token. Throughput: the
// same requests unpaced, tokens per second of wall time, gateway against direct. The lateness
// includes the request's one-off cost (parsing, routing, the backend request), which the time to
// first token shows apart. **Transit** of a token leaves that cost out: the paced ollama-sim runs
// with --stamp-tokens (each token's text is its steady clock, in ns, when written), and the
// client subtracts it from when it parsed the token (one machine, one clock); its p50 through the
// gateway minus its p50 direct is what the gateway's relay adds to each token. The unpaced requests are longer (--throughput-tokens), so that the
// figure is not a few milliseconds' worth. CPU time per token of the gateway's thread, the client's
// thread and ollama-sim, in that phase, is the figure a loaded 2-core machine does not distort:
// through the gateway three processes share the cores where direct has two.
#include "bench_support.hpp"

#include "backend/factory.hpp"
#include "conductor/conductor.hpp"
#include "core/config.hpp"
#include "core/log.hpp"
#include "core/stall_monitor.hpp"
#include "gateway/gateway.hpp"
#include "store/history_store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using namespace yollayah;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
const std::string kToken = "bench-token";
const std::string kModel = "sim";

enum class Api { Ollama, OpenAi };

std::string request_body(Api api) {
  if (api == Api::Ollama) return R"({"model":"sim","messages":[{"role":"user","content":"hi"}]})";
  return R"({"model":"sim","stream":true,"messages":[{"role":"user","content":"hi"}]})";
}

// How many tokens one streamed line carries (0 for framing, role-only and final lines).
int tokens_in_line(Api api, std::string_view line) {
  if (api == Api::Ollama) {
    if (line.empty() || line.front() != '{') return 0;
    return line.find("\"done\":false") != std::string_view::npos ? 1 : 0;
  }
  if (!line.starts_with("data: {")) return 0;
  const auto at = line.find("\"content\":\"");
  return at != std::string_view::npos && line.substr(at + 11, 1) != "\"" ? 1 : 0;
}

struct Stream {
  bool ok = false;
  std::size_t tokens = 0;
  double seconds = 0;                 // request written → last byte
  double ttft_us = -1;                // request written → first token parsed
  std::vector<double> lateness_us;    // per token: arrival − (due i/rate), paced runs only
  std::vector<double> transit_us;     // per token: arrival − the sim's stamp in its text, paced runs only
};

// The stamp of a --stamp-tokens token (its text: steady-clock ns, a space), or nothing.
std::optional<std::int64_t> token_stamp(std::string_view line) {
  const auto at = line.find("\"content\":\"");
  if (at == std::string_view::npos) return std::nullopt;
  std::int64_t ns = 0;
  std::size_t i = at + 11;
  const std::size_t digits_from = i;
  for (; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i) ns = ns * 10 + (line[i] - '0');
  if (i == digits_from) return std::nullopt;
  return ns;
}

// One streaming request on a fresh connection; stamps every token as its line is parsed.
asio::awaitable<Stream> one_stream(tcp::endpoint at, Api api, double rate, bool stamp) {
  Stream s;
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  auto [cec] = co_await stream.async_connect(at, kAwait);
  if (cec) co_return s;
  http::request<http::string_body> req{http::verb::post, api == Api::Ollama ? "/api/chat" : "/v1/chat/completions", 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::authorization, "Bearer " + kToken);
  req.set(http::field::content_type, "application/json");
  req.body() = request_body(api);
  req.prepare_payload();
  const auto start = Clock::now();
  auto [wec, wn] = co_await http::async_write(stream, req, kAwait);
  if (wec) co_return s;
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  std::string pending;
  std::size_t index = 0;
  auto on_body = [&](std::uint64_t, std::string_view body, beast::error_code&) -> std::size_t {
    const auto now = Clock::now();
    pending.append(body);
    std::size_t from = 0;
    for (auto nl = pending.find('\n', from); nl != std::string::npos; nl = pending.find('\n', from)) {
      const std::string_view line = std::string_view(pending).substr(from, nl - from);
      const int n = tokens_in_line(api, line);
      if (n > 0 && stamp && rate > 0) {
        if (const auto sent = token_stamp(line)) {
          const auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
          s.transit_us.push_back(static_cast<double>(now_ns - *sent) / 1e3);
        }
      }
      for (int k = 0; k < n; ++k) {
        if (s.ttft_us < 0) s.ttft_us = std::chrono::duration<double, std::micro>(now - start).count();
        if (stamp && rate > 0) {
          const double due_us = 1e6 * static_cast<double>(index) / rate;
          s.lateness_us.push_back(std::chrono::duration<double, std::micro>(now - start).count() - due_us);
        }
        ++index;
      }
      from = nl + 1;
    }
    pending.erase(0, from);
    return body.size();
  };
  parser.on_chunk_body(on_body);
  beast::flat_buffer buffer;
  auto [rec, rn] = co_await http::async_read(stream, buffer, parser, kAwait);
  if (rec) co_return s;
  if (!parser.chunked()) on_body(0, parser.get().body(), rec);  // not streamed in chunks
  s.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  s.tokens = index;
  s.ok = parser.get().result() == http::status::ok;
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  co_return s;
}

template <class T>
T run_on(asio::io_context& io, asio::awaitable<T> a) {
  std::optional<T> out;
  asio::co_spawn(io, std::move(a), [&](std::exception_ptr e, T v) {
    if (e) std::rethrow_exception(e);
    out = std::move(v);
  });
  io.restart();
  io.run();
  return std::move(*out);
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

struct Side {
  double p50_lateness_us = 0, p99_lateness_us = 0, tokens_per_sec = 0, p50_ttft_us = 0;
  double p50_transit_us = 0, p99_transit_us = 0;
  std::size_t transit_samples = 0;
  // CPU time per token in the unpaced phase: the machine-independent cost of each process.
  double client_cpu_ns_per_token = 0, sim_cpu_ns_per_token = 0, gateway_cpu_ns_per_token = 0;
  std::size_t failures = 0;
};

// CPU time of every thread of a process, in seconds (/proc/PID/task/*/schedstat: ns on a CPU).
double process_cpu_seconds(pid_t pid) {
  double total = 0;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream in(task.path() / "schedstat");
    double ns = 0;
    if (in >> ns) total += ns / 1e9;
  }
  return total;
}

// `requests` paced streams (lateness) then `requests` unpaced ones (throughput), one at a time.
Side measure(asio::io_context& client, tcp::endpoint at, Api api, int requests, std::size_t tokens,
             std::size_t fast_tokens, double rate,
             bench::SimChild& paced_sim, bench::SimChild& fast_sim, bool through_gateway, tcp::endpoint gw_paced,
             tcp::endpoint gw_fast, std::optional<clockid_t> gateway_clock) {
  Side side;
  std::vector<double> lateness, ttft, transit;
  for (int i = 0; i < requests; ++i) {
    auto s = run_on(client, one_stream(through_gateway ? gw_paced : tcp::endpoint(at.address(), paced_sim.port()), api,
                                       rate, true));
    if (!s.ok || s.tokens != tokens) ++side.failures;
    lateness.insert(lateness.end(), s.lateness_us.begin(), s.lateness_us.end());
    transit.insert(transit.end(), s.transit_us.begin(), s.transit_us.end());
    ttft.push_back(s.ttft_us);
  }
  double secs = 0;
  std::size_t total = 0;
  const double client0 = bench::cpu_seconds(CLOCK_THREAD_CPUTIME_ID), sim0 = process_cpu_seconds(fast_sim.pid());
  const double gw0 = gateway_clock ? bench::cpu_seconds(*gateway_clock) : 0;
  for (int i = 0; i < requests; ++i) {
    auto s = run_on(client, one_stream(through_gateway ? gw_fast : tcp::endpoint(at.address(), fast_sim.port()), api, 0,
                                       false));
    if (!s.ok || s.tokens != fast_tokens) ++side.failures;
    secs += s.seconds;
    total += s.tokens;
  }
  const auto per_token = [&](double seconds) { return total > 0 ? seconds * 1e9 / static_cast<double>(total) : 0; };
  side.client_cpu_ns_per_token = per_token(bench::cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - client0);
  side.sim_cpu_ns_per_token = per_token(process_cpu_seconds(fast_sim.pid()) - sim0);
  if (gateway_clock) side.gateway_cpu_ns_per_token = per_token(bench::cpu_seconds(*gateway_clock) - gw0);
  side.p50_lateness_us = percentile(lateness, 0.5);
  side.p99_lateness_us = percentile(lateness, 0.99);
  side.p50_ttft_us = percentile(ttft, 0.5);
  side.transit_samples = transit.size();
  side.p50_transit_us = percentile(transit, 0.5);
  side.p99_transit_us = percentile(transit, 0.99);
  side.tokens_per_sec = secs > 0 ? static_cast<double>(total) / secs : 0;
  return side;
}

// A Conductor and a Gateway on a thread of their own, routing to one ollama-sim with room for
// `concurrent` streams.
struct GatewayHost {
  // `thread_name`: what perf and top call the gateway's thread (`perf report --comm gw-fast`).
  GatewayHost(const bench::SimChild& sim, std::size_t concurrent, const char* thread_name,
              const std::string& record_dir = {}) {
    core::Config config;
    core::BackendEntry b;
    b.name = "sim";
    b.url = "http://" + sim.host();
    b.max_concurrent = static_cast<std::uint32_t>(concurrent);
    b.max_queue = static_cast<std::uint32_t>(concurrent);
    b.idle_timeout = std::chrono::milliseconds(60000);
    config.backends.push_back(b);
    config.model = kModel;
    config.greet = false;
    auto router = backend::make_router(io.get_executor(), config);
    if (!router) throw std::runtime_error(router.error());
    conductor.emplace(io.get_executor(), *router, conductor::SessionConfig::from(config));
    gateway::GatewayOptions o;
    o.tokens = {kToken};
    o.max_connections = concurrent + 100;
    o.max_answer_bytes = 64 * 1024 * 1024;
    if (!record_dir.empty()) {
      store::HistoryStore::Options so;
      so.path = record_dir + "/history-" + std::to_string(sim.port()) + ".db";
      history = std::make_unique<store::HistoryStore>(std::move(so));
      o.record = true;
      o.history = history.get();
    }
    metrics = std::make_shared<gateway::Metrics>(std::vector<std::string>{"sim"});
    conductor->router().set_observer(metrics);
    gw.emplace(io.get_executor(), *conductor, o, metrics);
    if (auto err = gw->listen()) throw std::runtime_error(*err);
    gw->start();
    thread = std::thread([this] { io.run(); });
    pthread_getcpuclockid(thread.native_handle(), &clock);
    pthread_setname_np(thread.native_handle(), thread_name);
  }
  ~GatewayHost() {
    work.reset();
    io.stop();
    thread.join();
  }
  tcp::endpoint endpoint() const { return {asio::ip::make_address("127.0.0.1"), gw->port()}; }

  std::unique_ptr<store::HistoryStore> history;  // --record
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{asio::make_work_guard(io)};
  std::optional<conductor::Conductor> conductor;
  std::shared_ptr<gateway::Metrics> metrics;
  std::optional<gateway::Gateway> gw;
  std::thread thread;
  clockid_t clock{};
};

std::string loadavg() {
  std::ifstream f("/proc/loadavg");
  std::string s;
  std::getline(f, s);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  int requests = 20;
  std::size_t tokens = 500;
  std::size_t fast_tokens = 100000;
  double rate = 1000;
  std::size_t concurrent = 1000;
  std::string out_path = "gateway_overhead.json";
  std::string record_dir;
  std::string only_api;  // "ollama" or "openai": measure that API alone (profiling one encoder)
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--requests") requests = std::stoi(v);
    else if (a == "--tokens") tokens = std::stoul(v);
    else if (a == "--rate") rate = std::stod(v);
    else if (a == "--throughput-tokens") fast_tokens = std::stoul(v);
    else if (a == "--concurrent") concurrent = std::stoul(v);
    else if (a == "--out") out_path = v;
    else if (a == "--record") record_dir = v;
    else if (a == "--api") only_api = v;
  }
  core::log().set_level(spdlog::level::warn);
  json::object result;
  result["loadavg_before"] = loadavg();
  result["record"] = !record_dir.empty();
  const auto n = std::to_string(tokens);
  asio::io_context client;
  {  // the overhead hosts end before the concurrent phase, so the loop figures below are its own
    bench::SimChild paced({"--seed", "1", "--tokens", n, "--tokens-per-sec", std::to_string(rate), "--stamp-tokens"});
    bench::SimChild fast({"--seed", "1", "--tokens", std::to_string(fast_tokens), "--tokens-per-sec", "0"});
    GatewayHost gw_paced(paced, 16, "gw-paced", record_dir);
    GatewayHost gw_fast(fast, 16, "gw-fast", record_dir);
    const tcp::endpoint local(asio::ip::make_address("127.0.0.1"), 0);
    for (Api api : {Api::Ollama, Api::OpenAi}) {
      const char* name = api == Api::Ollama ? "ollama" : "openai";
      if (!only_api.empty() && only_api != name) continue;
      auto direct = measure(client, local, api, requests, tokens, fast_tokens, rate, paced, fast, false, {}, {}, std::nullopt);
      auto through = measure(client, local, api, requests, tokens, fast_tokens, rate, paced, fast, true, gw_paced.endpoint(),
                             gw_fast.endpoint(), gw_fast.clock);
      json::object o;
      o["direct_p50_lateness_us"] = direct.p50_lateness_us;
      o["gateway_p50_lateness_us"] = through.p50_lateness_us;
      o["added_p50_us_per_token"] = through.p50_lateness_us - direct.p50_lateness_us;
      o["direct_p50_transit_us"] = direct.p50_transit_us;
      o["gateway_p50_transit_us"] = through.p50_transit_us;
      o["added_p50_transit_us_per_token"] = through.p50_transit_us - direct.p50_transit_us;
      o["direct_p99_transit_us"] = direct.p99_transit_us;
      o["gateway_p99_transit_us"] = through.p99_transit_us;
      o["transit_samples"] = std::min(direct.transit_samples, through.transit_samples);
      o["direct_p50_ttft_us"] = direct.p50_ttft_us;
      o["gateway_p50_ttft_us"] = through.p50_ttft_us;
      o["direct_p99_lateness_us"] = direct.p99_lateness_us;
      o["gateway_p99_lateness_us"] = through.p99_lateness_us;
      o["direct_tokens_per_sec"] = direct.tokens_per_sec;
      o["gateway_tokens_per_sec"] = through.tokens_per_sec;
      o["throughput_ratio"] = direct.tokens_per_sec > 0 ? through.tokens_per_sec / direct.tokens_per_sec : 0;
      o["direct_client_cpu_ns_per_token"] = direct.client_cpu_ns_per_token;
      o["gateway_client_cpu_ns_per_token"] = through.client_cpu_ns_per_token;
      o["direct_sim_cpu_ns_per_token"] = direct.sim_cpu_ns_per_token;
      o["gateway_sim_cpu_ns_per_token"] = through.sim_cpu_ns_per_token;
      o["gateway_cpu_ns_per_token"] = through.gateway_cpu_ns_per_token;
      o["failures"] = direct.failures + through.failures;
      result[name] = o;
      std::cerr << name << ": added p50 " << (through.p50_lateness_us - direct.p50_lateness_us)
                << " us/token (transit " << through.p50_transit_us << " vs " << direct.p50_transit_us << " us: "
                << (through.p50_transit_us - direct.p50_transit_us) << " added), throughput "
                << through.tokens_per_sec << " vs " << direct.tokens_per_sec << " tokens/s; CPU ns/token: gateway "
                << through.gateway_cpu_ns_per_token << ", client " << through.client_cpu_ns_per_token << " vs "
                << direct.client_cpu_ns_per_token << ", sim " << through.sim_cpu_ns_per_token << " vs "
                << direct.sim_cpu_ns_per_token << "\n";
    }
    if (gw_paced.history) {
      // --record: the SQLite work the paced requests cost the store's thread (not the gateway's).
      const auto st = gw_paced.history->stats();
      result["record_paced_store"] = json::object{{"transactions", st.transactions},
                                                  {"operations", st.operations},
                                                  {"write_us", st.write_us},
                                                  {"max_write_us", st.max_write_us}};
      std::cerr << "record: the paced requests' store thread wrote " << st.operations << " operations in "
                << st.transactions << " transactions, " << st.write_us << " us (max " << st.max_write_us << ")\n";
    }
  }

  // Many streams at once: `concurrent` connections, each one paced stream of 50 tokens at 20/s.
  {
    bench::SimChild slow({"--seed", "2", "--tokens", "50", "--tokens-per-sec", "20"});
    GatewayHost host(slow, concurrent, "gw-concurrent", record_dir);
    std::atomic<std::size_t> done{0}, ok{0};
    std::size_t tokens_seen = 0;
    const auto start = Clock::now();
    for (std::size_t i = 0; i < concurrent; ++i) {
      asio::co_spawn(client, one_stream(host.endpoint(), Api::Ollama, 0, false), [&](std::exception_ptr, Stream s) {
        ++done;
        if (s.ok && s.tokens == 50) ++ok;
        tokens_seen += s.tokens;
      });
    }
    client.restart();
    client.run();
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    json::object c;
    c["requests"] = concurrent;
    c["completed"] = ok.load();
    c["ended"] = done.load();
    c["tokens"] = tokens_seen;
    c["seconds"] = secs;
    for (const auto& loop : core::StallMonitor::snapshot()) {
      if (loop.samples == 0) continue;
      json::object l;
      l["p99_us"] = std::chrono::duration<double, std::micro>(loop.p99).count();
      l["worst_us"] = std::chrono::duration<double, std::micro>(loop.worst).count();
      l["samples"] = loop.samples;
      c["loop_" + loop.name] = l;
    }
    result["concurrent"] = c;
    std::cerr << "concurrent: " << ok.load() << " of " << concurrent << " completed in " << secs << " s\n";
  }
  result["loadavg_after"] = loadavg();
  std::ofstream(out_path) << json::serialize(result) << "\n";
  std::cout << json::serialize(result) << "\n";
  return 0;
}
