// What the router tells a watcher (conductord's /metrics) about each attempt, fallback and the
// tokens. Called on the request's executor, on the token path for on_tokens (once per read of the
// backend's answer, not per token): implementations only bump atomics. Optional: a router without
// one does none of this work.
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
  // `pieces` (> 0) pieces of content from `upstream` that arrived in one read of its answer.
  // `since_previous`: the time since the previous such batch of the same attempt; none for the
  // attempt's first. The tokens of a batch are read at once, so a per-token interval is the
  // batch's share: since_previous / pieces each (a first batch's pieces after its first came 0
  // apart). A backend that streams one token per read (any real model) gives each token's own gap.
  virtual void on_tokens(std::size_t upstream, std::uint32_t pieces,
                         std::optional<std::chrono::nanoseconds> since_previous) = 0;
};

}  // namespace yollayah::backend::routing
