// The settings the fan-out benchmarks share (bench/fanout, bench/ws_fanout, bench/gateway_chaos): a
// session for one long streamed answer, and a Unix server that lets every surface in at once.
#pragma once

#include "conductor/conductor.hpp"
#include "transport/unix_server.hpp"

#include <chrono>
#include <string>

namespace yollayah::bench {

inline conductor::SessionConfig stream_session() {
  conductor::SessionConfig sc;
  sc.model = "sim";
  sc.greet = false;
  sc.max_answer_bytes = std::size_t{1} << 30;  // one long answer: the benchmark measures the stream, not the cap
  return sc;
}

inline transport::UnixServerOptions fanout_server_options(const std::string& dir, std::size_t surfaces) {
  transport::UnixServerOptions so;
  so.socket_path = dir + "/run/conductor.sock";
  so.max_connections = surfaces + 8;
  // All the surfaces connect at once and say Handshake after: let them all wait (the default
  // budget of 32 unauthenticated connections would refuse some of the 100 and the run would hang).
  so.max_waiting_connections = surfaces + 8;
  so.heartbeat_interval = std::chrono::milliseconds(0);
  so.rate_per_second = 0;
  return so;
}

}  // namespace yollayah::bench
