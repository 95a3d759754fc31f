// Counters of one kind of surface connection (unix, websocket, http) for /metrics: plain relaxed
// atomics bumped where the transport already does the work, read only when someone scrapes.
#pragma once

#include <atomic>
#include <cstdint>

namespace yollayah::transport {

struct SurfaceCounters {
  std::atomic<std::uint64_t> opened{0};        // connections accepted
  std::atomic<std::uint64_t> closed{0};        // connections gone (open = opened - closed)
  std::atomic<std::uint64_t> refused{0};       // refused: token, a cap, a deadline
  std::atomic<std::uint64_t> messages_in{0};   // readable messages from surfaces
  std::atomic<std::uint64_t> messages_out{0};  // messages written to surfaces

  static void add(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) { c.fetch_add(n, std::memory_order_relaxed); }
  static std::uint64_t get(const std::atomic<std::uint64_t>& c) { return c.load(std::memory_order_relaxed); }
};

}  // namespace yollayah::transport
