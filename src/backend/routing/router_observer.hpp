// What the router tells a watcher (conductord's /metrics) about each attempt, fallback and token.
// Called on the request's executor, on the token path for on_token: implementations only bump
// atomics. Optional: a router without one does none of this work.
#pragma once

#include "backend/backend.hpp"

#include <chrono>
#include <cstddef>
#include <optional>

namespace yollayah::backend::routing {

class RouterObserver {
 public:
  virtual ~RouterObserver() = default;
  // One attempt on backend `upstream` (its index in Router::status()) ended; `error` is null when
  // it answered. `first_token`: from the attempt's start, when it produced content.
  virtual void on_attempt(std::size_t upstream, const BackendError* error,
                          std::optional<std::chrono::nanoseconds> first_token, std::uint32_t pieces) = 0;
  // The router left `from` for another backend, before the first token or mid-answer.
  virtual void on_fallback(std::size_t from, bool mid_stream) = 0;
  // A piece of content from `upstream`, `gap` after the previous one of the same attempt.
  virtual void on_token(std::size_t upstream, std::chrono::nanoseconds gap) = 0;
};

}  // namespace yollayah::backend::routing
