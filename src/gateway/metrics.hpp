// /metrics for conductord in the Prometheus text format: per backend (requests, failures by kind,
// breaker state, in flight, queue depth, fallbacks, time to first token and per-token latency
// histograms, tokens out), per surface kind (connections, messages), the event-loop lag, and the
// history's write latency when the history is on. Counters
// are relaxed atomics bumped where the work happens anyway; histograms have fixed buckets and never
// allocate. Nothing is computed until someone scrapes.
#pragma once

#include "backend/routing/router.hpp"
#include "backend/routing/router_observer.hpp"
#include "core/duration_histogram.hpp"
#include "core/stall_monitor.hpp"
#include "transport/surface_counters.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace yollayah::gateway {

using core::DurationHistogram;

class Metrics final : public backend::routing::RouterObserver {
 public:
  // `backends`: the router's backends, in Router::status() order.
  explicit Metrics(const std::vector<std::string>& backends);
  ~Metrics() override;

  void on_attempt(std::size_t upstream, const backend::BackendError* error,
                  std::optional<std::chrono::nanoseconds> first_token, std::uint32_t pieces) override;
  void on_fallback(std::size_t from, bool mid_stream) override;
  // The interval histogram gets one observation per token, each the batch's share of its interval.
  void on_tokens(std::size_t upstream, std::uint32_t pieces, std::optional<std::chrono::nanoseconds> since_previous) override;

  // Counted by the transports (shared_ptr: the servers hold them too).
  std::shared_ptr<transport::SurfaceCounters> unix_surfaces = std::make_shared<transport::SurfaceCounters>();
  std::shared_ptr<transport::SurfaceCounters> websocket_surfaces = std::make_shared<transport::SurfaceCounters>();
  std::shared_ptr<transport::SurfaceCounters> http_connections = std::make_shared<transport::SurfaceCounters>();
  // API requests by family, and the answers cut short because the client left.
  std::atomic<std::uint64_t> ollama_requests{0}, openai_requests{0}, client_gone{0};

  // The whole exposition. `router` for breaker state, in flight and queue depth (read under its
  // lock for a few fields); `loops` for their lag histograms; `history_writes` for the store's
  // transactions (none when the history is off).
  std::string render(const backend::routing::Router* router, const std::vector<const core::StallMonitor*>& loops,
                     const DurationHistogram* history_writes = nullptr) const;

 private:
  struct Backend;
  std::vector<std::unique_ptr<Backend>> backends_;
};

}  // namespace yollayah::gateway
