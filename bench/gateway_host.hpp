// What the gateway's surface benchmarks share: a Conductor with the Unix socket and the HTTP gateway
// (WebSocket /ws and the APIs) on one thread of their own, over ollama-sim through a CountingBackend
// that stamps when each piece reached the Conductor; and percentiles.
#pragma once

#include "bench_support.hpp"
#include "counting_backend.hpp"
#include "fanout_setup.hpp"

#include "backend/ollama_backend.hpp"
#include "conductor/conductor.hpp"
#include "gateway/gateway.hpp"
#include "protocol/json_codec.hpp"
#include "transport/unix_server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace yollayah::bench {

inline const std::string kGatewayToken = "bench-token";

struct ConductorHost {
  ConductorHost(std::uint16_t sim_port, std::size_t surfaces, gateway::GatewayOptions go = {}) {
    backend::OllamaConfig cfg;
    cfg.endpoint = backend::parse_ollama_host("127.0.0.1:" + std::to_string(sim_port));
    counting = std::make_shared<CountingBackend>(std::make_shared<backend::OllamaBackend>(io.get_executor(), cfg));
    conductor.emplace(io.get_executor(), counting, stream_session());
    const auto so = fanout_server_options(dir.path, surfaces);
    socket_path = so.socket_path;
    server.emplace(io.get_executor(), *conductor, so);
    if (auto err = server->listen()) throw std::runtime_error(err->message);
    server->start();
    go.tokens = {kGatewayToken};
    go.max_ws_connections = surfaces + 8;
    go.heartbeat_interval = std::chrono::milliseconds(0);
    go.rate_per_second = 0;
    gw.emplace(io.get_executor(), *conductor, go);
    if (auto err = gw->listen()) throw std::runtime_error(*err);
    gw->start();
    thread = std::thread([this] { io.run(); });
    pthread_getcpuclockid(thread.native_handle(), &clock);
  }
  ~ConductorHost() {
    work.reset();
    conductor->stop(std::nullopt);
    io.stop();
    thread.join();
  }
  ConductorHost(const ConductorHost&) = delete;
  ConductorHost& operator=(const ConductorHost&) = delete;

  TempDir dir;
  boost::asio::io_context io{1};
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work{
      boost::asio::make_work_guard(io)};
  std::shared_ptr<CountingBackend> counting;
  std::optional<conductor::Conductor> conductor;
  std::optional<transport::UnixServer> server;
  std::optional<gateway::Gateway> gw;
  std::string socket_path;
  std::thread thread;
  clockid_t clock{};  // the thread's CPU time
};

// Delivery latency of every token, in µs: a surface's arrival time minus the piece's stamp.
struct Latencies {
  // A surface received text up to `bytes` of the chat's answer, now.
  void arrived(const PieceStamps& stamps, std::uint64_t bytes, std::size_t& next_stamp) {
    const auto now = std::chrono::steady_clock::now();
    for (const auto n = stamps.count(); next_stamp < n && stamps[next_stamp].first <= bytes; ++next_stamp)
      us.push_back(std::chrono::duration<double, std::micro>(now - stamps[next_stamp].second).count());
  }
  double percentile(double p) {
    if (us.empty()) return 0;
    const auto k = std::min(us.size() - 1, static_cast<std::size_t>(p * static_cast<double>(us.size())));
    std::nth_element(us.begin(), us.begin() + static_cast<std::ptrdiff_t>(k), us.end());
    return us[k];
  }
  double max() const { return us.empty() ? 0 : *std::max_element(us.begin(), us.end()); }
  std::vector<double> us;
};

inline protocol::ev::Handshake bench_hello(std::optional<std::string> token) {
  return protocol::ev::Handshake{"evt_hello", 2, {protocol::SurfaceType::Kind::Headless, {}},
                                 protocol::SurfaceCapabilities::headless(), std::move(token)};
}

}  // namespace yollayah::bench
