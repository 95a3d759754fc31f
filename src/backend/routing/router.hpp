// The router: one Backend in front of many. A chat for model M goes to the backends whose `models`
// patterns match M, by priority, then by fewest streams in flight; each backend is fenced by its
// own circuit breaker and concurrency limit. A backend that fails before the first token hands the
// same request to the next one at once; one that dies, errors or stalls mid-answer hands the text
// so far to the next one, which continues it (the caller's sink sees one answer that goes on).
// Each switch is reported through ChatSink::on_switch. With every breaker closed and nothing in
// flight, the router holds no timer and does no work.
#pragma once

#include "backend/backend.hpp"
#include "backend/routing/circuit_breaker.hpp"
#include "backend/routing/concurrency_limit.hpp"
#include "backend/routing/latency_window.hpp"
#include "backend/routing/router_observer.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace yollayah::backend::routing {

// One backend as the router sees it: the client, and the [[backend]] settings that place it.
struct UpstreamSpec {
  std::shared_ptr<Backend> backend;
  std::string kind = "ollama";                // "ollama" or "openai", for /backends
  std::vector<std::string> models{"*"};       // glob patterns of the model names it serves
  int priority = 1;                           // lower is tried first
  std::size_t max_concurrent = 4;             // streams at once
  std::size_t max_queue = 16;                 // requests waiting for a stream slot
  std::chrono::milliseconds queue_timeout{30000};
  bool tls_insecure = false;                  // shown as a warning in /backends
};

struct RouterOptions {
  bool mid_stream_fallback = true;                     // continue a broken answer on the next backend
  std::map<std::string, std::string, std::less<>> aliases;  // "fast" → "qwen2:0.5b"
  CircuitBreaker::Options breaker;
  std::chrono::milliseconds default_retry_after{5000};  // a 429 without Retry-After
  std::chrono::milliseconds max_cooldown_wait{10000};   // wait this long for a cooling backend, not longer
  std::function<CircuitBreaker::Clock::time_point()> clock;  // tests: a fake clock; default steady_clock
};

// What /backends shows for one backend.
struct UpstreamStatus {
  std::string name, kind, url;
  std::vector<std::string> models;
  int priority = 1;
  CircuitBreaker::State breaker = CircuitBreaker::State::Closed;
  std::chrono::milliseconds open_for{0};      // Open: how long until a probe may go
  std::chrono::milliseconds cooling_for{0};   // a Retry-After pause still running
  unsigned consecutive_failures = 0;
  std::size_t in_flight = 0, queued = 0, max_concurrent = 0;
  std::optional<std::uint64_t> first_token_p50_ms;
  std::uint64_t requests = 0, failures = 0;
  std::string last_error;                     // "" when none yet
  bool tls_insecure = false;

  std::string state_text() const;  // "healthy", "open for 12 s (3 failures)", "half-open", …
};

// What /models shows: the models one backend lists (those its patterns allow), or why it could not.
struct BackendModels {
  std::string backend;
  Result<std::vector<ModelInfo>> models = std::vector<ModelInfo>{};
};

// What `yollayah backends` shows for one backend: does it answer, and what does it serve.
struct BackendProbe {
  std::string name, kind, url;
  std::vector<std::string> patterns;
  Result<std::string> version = std::string();
  Result<std::vector<ModelInfo>> models = std::vector<ModelInfo>{};  // those its patterns allow
  bool tls_insecure = false;
};

class Router final : public Backend {
 public:
  Router(std::vector<UpstreamSpec> upstreams, RouterOptions options = {});
  ~Router() override;

  std::string endpoint() const override;  // the first backend's, for messages
  std::string name() const override;      // "router" with several backends; the one's name otherwise

  asio::awaitable<Result<ChatStats>> chat(const ChatRequest& request, ChatSink& sink) override;
  // Every model any backend lists (and its patterns allow), each name once.
  asio::awaitable<Result<std::vector<ModelInfo>>> list_models() override;
  // Probes every backend at once: fine when one answers; the error lists each one's failure.
  asio::awaitable<Result<std::string>> version() override;
  asio::awaitable<Result<ModelDetails>> show(std::string model) override;
  bool same_model(std::string_view listed, std::string_view asked) const override;
  std::string missing_model_advice(std::string_view model) const override;

  // The model name behind an alias (or the name itself).
  std::string resolve(std::string_view model) const;
  // Each backend's model list, asked of all at once (probe timeouts bound the wait).
  asio::awaitable<std::vector<BackendModels>> models_by_backend();
  // Whether some backend serves `model`: the name of the first that lists it, or an error that
  // lists what is available and how to get the model.
  asio::awaitable<Result<std::string>> find_model(std::string model);
  std::vector<UpstreamStatus> status() const;
  // Asks every backend at once for its version and its models.
  asio::awaitable<std::vector<BackendProbe>> probe_each();
  std::size_t size() const { return upstreams_.size(); }
  // Metrics hook: set before the first request (not thread-safe against running chats).
  void set_observer(std::shared_ptr<RouterObserver> observer) { observer_ = std::move(observer); }

 private:
  struct Upstream;
  class RelaySink;
  struct Attempt;

  CircuitBreaker::Clock::time_point now() const;
  // The backends serving `model`, in the order to try them.
  std::vector<Upstream*> candidates(std::string_view model) const;
  asio::awaitable<Result<ChatStats>> run_attempt(Upstream& u, const ChatRequest& request, RelaySink& relay);
  void record(Upstream& u, const Result<ChatStats>& r, std::optional<std::uint64_t> first_token_ms);

  std::vector<std::unique_ptr<Upstream>> upstreams_;
  RouterOptions options_;
  std::shared_ptr<RouterObserver> observer_;
  mutable std::mutex mutex_;  // breakers and counters; never held across an await
};

// Builds the router around one backend (no [[backend]] in the config): it matches every model.
std::shared_ptr<Router> single_backend_router(std::shared_ptr<Backend> backend, std::string kind = "ollama",
                                              RouterOptions options = {});

}  // namespace yollayah::backend::routing
