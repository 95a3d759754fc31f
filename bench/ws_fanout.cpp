// bench/ws_fanout: one conversation streamed to N WebSocket surfaces (conductord's /ws, PROTOCOL.md
// "WebSocket framing") against the same to N Unix-socket surfaces (bench/fanout's shape). ollama-sim
// → OllamaBackend → Conductor + UnixServer + Gateway on one thread → N surfaces on this thread.
// Per transport, two runs: paced (ollama-sim at --rate tokens/s) for the per-token delivery
// latency, from the moment the backend handed the piece to the Conductor (stamped in the
// CountingBackend) to the moment a surface decoded the message holding its last byte, p50/p99 over
// every token at every surface; and unpaced for throughput (surfaces × model tokens / stream time).
// Every surface must get the whole text with no Resync, else the run counts as incomplete.
//
//   build/bin/ws_fanout [--surfaces N] [--tokens N] [--rate R] [--throughput-tokens N] [--json FILE]
#include "gateway_host.hpp"

#include "core/log.hpp"
#include "transport/unix_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace yollayah;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

enum class Transport { Unix, WebSocket };
const char* name_of(Transport t) { return t == Transport::Unix ? "unix" : "websocket"; }

struct Result {
  Transport transport{};
  std::size_t surfaces = 0;
  double rate = 0;
  bool complete = false;
  std::uint64_t model_tokens = 0;
  double seconds = 0, aggregate_tokens_per_s = 0;
  double p50_us = 0, p99_us = 0, max_us = 0;
  double conductor_cpu_ns_per_delivered_token = 0;
  std::size_t resyncs = 0, short_text = 0;
};

// What every surface tracks of the stream, whatever its transport.
struct Surface {
  std::uint64_t bytes = 0;
  std::size_t next_stamp = 0, resyncs = 0;
  bool done = false;
};

struct Run {
  Transport transport;
  std::size_t surfaces;
  std::chrono::seconds budget;
};

Result run_once(std::uint16_t sim_port, double rate, const Run& run) {
  bench::ConductorHost host(sim_port, run.surfaces);
  bench::PieceStamps stamps(1 << 20);
  host.counting->stamps = &stamps;
  asio::io_context surface_io(1);
  std::vector<Surface> per(run.surfaces);
  bench::Latencies latency;
  std::size_t ready = 0, done = 0;
  Clock::time_point t0, t1;
  double cpu0 = 0, cpu1 = 0;
  std::function<void()> say_go;  // the first surface asks; every surface gets the answer

  const auto handle = [&](std::size_t i, const protocol::ConductorMessage& m) {
    auto& me = per[i];
    if (const auto* t = std::get_if<protocol::msg::Token>(&m)) {
      me.bytes += t->text.size();
      latency.arrived(stamps, me.bytes, me.next_stamp);
    } else if (std::holds_alternative<protocol::msg::Resync>(m)) {
      ++me.resyncs;
    } else if (std::holds_alternative<protocol::msg::HandshakeAck>(m)) {
      if (++ready == run.surfaces) {
        t0 = Clock::now();
        cpu0 = bench::cpu_seconds(host.clock);
        say_go();
      }
    } else if (std::holds_alternative<protocol::msg::StreamEnd>(m) || std::holds_alternative<protocol::msg::StreamError>(m)) {
      me.done = true;
      if (++done == run.surfaces) {
        t1 = Clock::now();
        cpu1 = bench::cpu_seconds(host.clock);
      }
    }
  };

  std::vector<std::unique_ptr<transport::UnixLink>> links;
  std::vector<std::unique_ptr<websocket::stream<beast::tcp_stream>>> sockets;
  const auto go_event = protocol::ev::UserMessage{"evt_go", "go"};
  // A message to the WebSocket surface i, written beside its pending read.
  const auto send = [&](std::size_t i, std::string text) {
    asio::co_spawn(surface_io, [&, i, text = std::move(text)]() -> asio::awaitable<void> {
      sockets[i]->text(true);
      co_await sockets[i]->async_write(asio::buffer(text), kAwait);
    }, asio::detached);
  };
  if (run.transport == Transport::Unix) {
    for (std::size_t i = 0; i < run.surfaces; ++i)
      links.push_back(std::make_unique<transport::UnixLink>(surface_io.get_executor()));
    say_go = [&] { links[0]->send(go_event); };
    for (std::size_t i = 0; i < run.surfaces; ++i) {
      asio::co_spawn(surface_io, [&, i]() -> asio::awaitable<void> {
        auto& link = *links[i];
        if (auto ec = co_await link.connect(host.socket_path)) co_return;
        link.send(bench::bench_hello(std::nullopt));
        std::vector<protocol::EnvelopePtr> batch;
        while (!per[i].done) {
          batch.clear();
          if (!co_await link.receive(batch)) co_return;
          for (auto& e : batch) handle(i, e->message);
        }
      }, asio::detached);
    }
  } else {
    const tcp::endpoint at(asio::ip::make_address("127.0.0.1"), host.gw->port());
    for (std::size_t i = 0; i < run.surfaces; ++i)
      sockets.push_back(std::make_unique<websocket::stream<beast::tcp_stream>>(surface_io.get_executor()));
    say_go = [&] { send(0, protocol::encode(protocol::SurfaceEvent{go_event})); };
    for (std::size_t i = 0; i < run.surfaces; ++i) {
      asio::co_spawn(surface_io, [&, i]() -> asio::awaitable<void> {
        auto& ws = *sockets[i];
        auto [cec] = co_await beast::get_lowest_layer(ws).async_connect(at, kAwait);
        if (cec) co_return;
        auto [hec] = co_await ws.async_handshake("127.0.0.1:" + std::to_string(at.port()), "/ws", kAwait);
        if (hec) co_return;
        send(i, protocol::encode(protocol::SurfaceEvent{bench::bench_hello(bench::kGatewayToken)}));
        auto buffer = std::make_unique<beast::flat_buffer>();
        while (!per[i].done) {
          auto [rec, n] = co_await ws.async_read(*buffer, kAwait);
          if (rec) co_return;
          const auto data = buffer->cdata();
          auto m = protocol::decode_message(std::string_view(static_cast<const char*>(data.data()), data.size()));
          buffer->consume(n);
          if (m) handle(i, *m);
        }
      }, asio::detached);
    }
  }
  const auto deadline = Clock::now() + run.budget;
  while (done < run.surfaces && Clock::now() < deadline) surface_io.run_one_for(deadline - Clock::now());

  Result r;
  r.transport = run.transport;
  r.surfaces = run.surfaces;
  r.rate = rate;
  r.complete = done == run.surfaces;
  r.model_tokens = host.counting->tokens.load();
  for (const auto& p : per) {
    r.resyncs += p.resyncs;
    if (p.bytes != host.counting->bytes.load()) ++r.short_text;
  }
  if (r.complete) {
    r.seconds = std::chrono::duration<double>(t1 - t0).count();
    const double delivered = static_cast<double>(r.model_tokens * run.surfaces);
    r.aggregate_tokens_per_s = delivered / r.seconds;
    r.conductor_cpu_ns_per_delivered_token = (cpu1 - cpu0) * 1e9 / delivered;
    r.p50_us = latency.percentile(0.5);
    r.p99_us = latency.percentile(0.99);
    r.max_us = latency.max();
  }

  for (auto& l : links) l->close();
  for (auto& s : sockets) beast::get_lowest_layer(*s).close();
  surface_io.restart();
  surface_io.run_for(std::chrono::milliseconds(300));
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t surfaces = 100, tokens = 2000, fast_tokens = 20000;
  double rate = 500;
  std::string json_path;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--surfaces") surfaces = std::stoul(v);
    else if (a == "--tokens") tokens = std::stoul(v);
    else if (a == "--rate") rate = std::stod(v);
    else if (a == "--throughput-tokens") fast_tokens = std::stoul(v);
    else if (a == "--json") json_path = v;
    else {
      std::fprintf(stderr, "usage: ws_fanout [--surfaces N] [--tokens N] [--rate R] [--throughput-tokens N] [--json FILE]\n");
      return 2;
    }
  }
  ::signal(SIGPIPE, SIG_IGN);
  core::log().set_level(spdlog::level::warn);
  bench::SimChild paced(bench::seeded_stream(tokens, static_cast<std::size_t>(rate)));
  bench::SimChild fast(bench::seeded_stream(fast_tokens));
  std::vector<Result> results;
  bool ok = true;
  for (Transport t : {Transport::Unix, Transport::WebSocket}) {
    for (bool paced_run : {true, false}) {
      Result r = run_once(paced_run ? paced.port() : fast.port(), paced_run ? rate : 0,
                          Run{t, surfaces, std::chrono::seconds(120)});
      std::printf("%-9s %zu surfaces, %s: %s%llu model tokens in %.3f s -> %.0f tokens/s delivered | latency p50 %.0f us, "
                  "p99 %.0f us, max %.0f us | Conductor thread CPU %.0f ns per delivered token | resyncs %zu, surfaces "
                  "missing text %zu\n",
                  name_of(t), surfaces, paced_run ? "paced" : "unpaced", r.complete ? "" : "INCOMPLETE ",
                  static_cast<unsigned long long>(r.model_tokens), r.seconds, r.aggregate_tokens_per_s, r.p50_us, r.p99_us,
                  r.max_us, r.conductor_cpu_ns_per_delivered_token, r.resyncs, r.short_text);
      std::fflush(stdout);
      ok = ok && r.complete && r.short_text == 0 && r.resyncs == 0;
      results.push_back(r);
    }
  }
  if (!json_path.empty()) {
    std::ofstream json(json_path);
    json << "{\"surfaces\":" << surfaces << ",\"runs\":[";
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      json << (i ? "," : "") << "{\"transport\":\"" << name_of(r.transport) << "\",\"rate\":" << r.rate
           << ",\"complete\":" << (r.complete ? "true" : "false") << ",\"model_tokens\":" << r.model_tokens
           << ",\"seconds\":" << r.seconds << ",\"aggregate_tokens_per_s\":" << r.aggregate_tokens_per_s
           << ",\"latency_p50_us\":" << r.p50_us << ",\"latency_p99_us\":" << r.p99_us << ",\"latency_max_us\":" << r.max_us
           << ",\"conductor_cpu_ns_per_delivered_token\":" << r.conductor_cpu_ns_per_delivered_token
           << ",\"resyncs\":" << r.resyncs << ",\"surfaces_missing_text\":" << r.short_text << "}";
    }
    json << "]}\n";
  }
  return ok ? 0 : 1;
}
