#include "gateway/metrics.hpp"

#include <algorithm>
#include <cstdio>

namespace yollayah::gateway {
namespace {

using Kind = backend::BackendError::Kind;
constexpr std::size_t kKinds = 7;
constexpr std::array<std::string_view, kKinds> kKindNames{"unreachable", "timeout",   "http",       "server",
                                                          "protocol",    "cancelled", "unavailable"};

using core::ms_bounds;

const std::vector<std::uint64_t>& first_token_bounds() {
  static const auto b = ms_bounds({5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000});
  return b;
}
const std::vector<std::uint64_t>& token_bounds() {
  static const auto b = ms_bounds({0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000});
  return b;
}

void append_number(std::string& out, double v) {
  char buf[64];
  const int n = std::snprintf(buf, sizeof buf, "%.9g", v);
  out.append(buf, static_cast<std::size_t>(n));
}

void append_u64(std::string& out, std::uint64_t v) { out += std::to_string(v); }

// A label value with \, " and newlines escaped, as the format requires.
std::string label_value(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void head(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void sample(std::string& out, std::string_view name, std::string_view labels, double v) {
  out.append(name);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  out += ' ';
  append_number(out, v);
  out += '\n';
}

std::uint64_t get(const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); }

// Appends `name_bucket{labels,le=…}`, `name_sum` and `name_count` lines.
void render_histogram(std::string& out, std::string_view name, std::string_view labels, const DurationHistogram& h) {
  std::uint64_t cumulative = 0;
  const std::string sep = labels.empty() ? "" : ",";
  for (std::size_t i = 0; i <= h.bounds(); ++i) {
    cumulative += h.count(i);
    out.append(name).append("_bucket{").append(labels).append(sep).append("le=\"");
    if (i == h.bounds()) out.append("+Inf");
    else append_number(out, static_cast<double>(h.bound_ns(i)) / 1e9);
    out.append("\"} ");
    append_u64(out, cumulative);
    out += '\n';
  }
  sample(out, std::string(name) + "_sum", labels, static_cast<double>(h.sum_ns()) / 1e9);
  sample(out, std::string(name) + "_count", labels, static_cast<double>(cumulative));
}

}  // namespace

struct Metrics::Backend {
  explicit Backend(std::string n) : name(std::move(n)), label("backend=\"" + label_value(name) + "\"") {}
  std::string name, label;
  std::atomic<std::uint64_t> attempts{0}, fallbacks_before{0}, fallbacks_mid{0}, tokens{0};
  std::array<std::atomic<std::uint64_t>, kKinds> failures{};
  DurationHistogram first_token{first_token_bounds()};
  DurationHistogram token_gap{token_bounds()};
};

Metrics::Metrics(const std::vector<std::string>& backends) {
  for (const auto& b : backends) backends_.push_back(std::make_unique<Backend>(b));
}

Metrics::~Metrics() = default;

void Metrics::on_attempt(std::size_t upstream, const backend::BackendError* error,
                         std::optional<std::chrono::nanoseconds> first_token, std::uint32_t) {
  if (upstream >= backends_.size()) return;
  auto& b = *backends_[upstream];
  b.attempts.fetch_add(1, std::memory_order_relaxed);
  if (error) b.failures[static_cast<std::size_t>(error->kind)].fetch_add(1, std::memory_order_relaxed);
  if (first_token) b.first_token.observe(*first_token);
}

void Metrics::on_fallback(std::size_t from, bool mid_stream) {
  if (from >= backends_.size()) return;
  (mid_stream ? backends_[from]->fallbacks_mid : backends_[from]->fallbacks_before).fetch_add(1, std::memory_order_relaxed);
}

void Metrics::on_tokens(std::size_t upstream, std::uint32_t pieces, std::optional<std::chrono::nanoseconds> since_previous) {
  if (upstream >= backends_.size() || pieces == 0) return;
  auto& b = *backends_[upstream];
  b.tokens.fetch_add(pieces, std::memory_order_relaxed);
  // An attempt's first token has no interval; those that came with it in the same read, none to
  // speak of.
  if (!since_previous) b.token_gap.observe(std::chrono::nanoseconds(0), pieces - 1, std::chrono::nanoseconds(0));
  else b.token_gap.observe(*since_previous / pieces, pieces, *since_previous);
}

std::string Metrics::render(const backend::routing::Router* router, const std::vector<const core::StallMonitor*>& loops,
                            const DurationHistogram* history_writes) const {
  std::string out;
  out.reserve(8192 + backends_.size() * 4096);
  std::vector<backend::routing::UpstreamStatus> status;
  if (router) status = router->status();

  head(out, "yollayah_backend_requests_total", "counter", "Requests sent to each backend (one per attempt, fallbacks included).");
  for (const auto& b : backends_) sample(out, "yollayah_backend_requests_total", b->label, static_cast<double>(get(b->attempts)));
  head(out, "yollayah_backend_failures_total", "counter", "Failed attempts per backend, by kind of failure.");
  for (const auto& b : backends_)
    for (std::size_t k = 0; k < kKinds; ++k)
      sample(out, "yollayah_backend_failures_total", b->label + ",kind=\"" + std::string(kKindNames[k]) + "\"",
             static_cast<double>(get(b->failures[k])));
  head(out, "yollayah_backend_fallbacks_total", "counter",
       "Times the router left a backend for another, before the first token or mid-answer.");
  for (const auto& b : backends_) {
    sample(out, "yollayah_backend_fallbacks_total", b->label + ",when=\"before_first_token\"", static_cast<double>(get(b->fallbacks_before)));
    sample(out, "yollayah_backend_fallbacks_total", b->label + ",when=\"mid_stream\"", static_cast<double>(get(b->fallbacks_mid)));
  }
  head(out, "yollayah_backend_output_tokens_total", "counter", "Content pieces (tokens) streamed from each backend.");
  for (const auto& b : backends_) sample(out, "yollayah_backend_output_tokens_total", b->label, static_cast<double>(get(b->tokens)));
  if (!status.empty()) {
    head(out, "yollayah_backend_breaker_state", "gauge", "Circuit breaker of each backend: 0 closed, 1 half-open, 2 open.");
    for (const auto& s : status) {
      const double v = s.breaker == backend::routing::CircuitBreaker::State::Closed     ? 0
                       : s.breaker == backend::routing::CircuitBreaker::State::HalfOpen ? 1
                                                                                         : 2;
      sample(out, "yollayah_backend_breaker_state", "backend=\"" + label_value(s.name) + "\"", v);
    }
    head(out, "yollayah_backend_in_flight_requests", "gauge", "Streams running on each backend now.");
    for (const auto& s : status)
      sample(out, "yollayah_backend_in_flight_requests", "backend=\"" + label_value(s.name) + "\"", static_cast<double>(s.in_flight));
    head(out, "yollayah_backend_queued_requests", "gauge", "Requests waiting for a stream slot of each backend.");
    for (const auto& s : status)
      sample(out, "yollayah_backend_queued_requests", "backend=\"" + label_value(s.name) + "\"", static_cast<double>(s.queued));
  }
  head(out, "yollayah_backend_first_token_seconds", "histogram", "Time from sending a request to its first token, per backend.");
  for (const auto& b : backends_) render_histogram(out, "yollayah_backend_first_token_seconds", b->label, b->first_token);
  head(out, "yollayah_backend_token_interval_seconds", "histogram", "Time between consecutive output tokens, per backend (tokens read at once share their read's interval).");
  for (const auto& b : backends_) render_histogram(out, "yollayah_backend_token_interval_seconds", b->label, b->token_gap);

  const std::array<std::pair<std::string_view, const transport::SurfaceCounters*>, 3> kinds{
      {{"unix", unix_surfaces.get()}, {"websocket", websocket_surfaces.get()}, {"http", http_connections.get()}}};
  using SC = transport::SurfaceCounters;
  head(out, "yollayah_surface_connections", "gauge", "Connections open now, per surface kind.");
  for (auto [kind, c] : kinds)
    sample(out, "yollayah_surface_connections", "kind=\"" + std::string(kind) + "\"",
           static_cast<double>(SC::get(c->opened) - std::min(SC::get(c->opened), SC::get(c->closed))));
  head(out, "yollayah_surface_connections_total", "counter", "Connections accepted, per surface kind.");
  for (auto [kind, c] : kinds)
    sample(out, "yollayah_surface_connections_total", "kind=\"" + std::string(kind) + "\"", static_cast<double>(SC::get(c->opened)));
  head(out, "yollayah_surface_refused_total", "counter", "Connections or hellos refused (token, a cap, a deadline), per surface kind.");
  for (auto [kind, c] : kinds)
    sample(out, "yollayah_surface_refused_total", "kind=\"" + std::string(kind) + "\"", static_cast<double>(SC::get(c->refused)));
  head(out, "yollayah_surface_messages_received_total", "counter", "Messages (requests, for http) received, per surface kind.");
  for (auto [kind, c] : kinds)
    sample(out, "yollayah_surface_messages_received_total", "kind=\"" + std::string(kind) + "\"", static_cast<double>(SC::get(c->messages_in)));
  head(out, "yollayah_surface_messages_sent_total", "counter", "Messages (responses, for http) sent, per surface kind.");
  for (auto [kind, c] : kinds)
    sample(out, "yollayah_surface_messages_sent_total", "kind=\"" + std::string(kind) + "\"", static_cast<double>(SC::get(c->messages_out)));
  head(out, "yollayah_api_requests_total", "counter", "Requests to the model API, per API family.");
  sample(out, "yollayah_api_requests_total", "api=\"ollama\"", static_cast<double>(get(ollama_requests)));
  sample(out, "yollayah_api_requests_total", "api=\"openai\"", static_cast<double>(get(openai_requests)));
  head(out, "yollayah_api_client_gone_total", "counter", "API answers cancelled because the client went away.");
  sample(out, "yollayah_api_client_gone_total", "", static_cast<double>(get(client_gone)));

  if (history_writes) {
    head(out, "yollayah_history_write_seconds", "histogram",
         "Time each write transaction of the conversation history took on the store's thread.");
    render_histogram(out, "yollayah_history_write_seconds", "", *history_writes);
  }

  if (!loops.empty())
    head(out, "yollayah_event_loop_lag_seconds", "histogram",
         "How late each event loop ran its probe while busy (the sum uses bucket upper bounds).");
  for (const auto* loop : loops) {
    // Re-bucketed from the monitor's own fine histogram at scrape time.
    static constexpr std::array<std::uint64_t, 11> kBoundsUs{50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000};
    const auto& h = loop->histogram();
    std::array<std::uint64_t, kBoundsUs.size() + 1> counts{};
    std::uint64_t total = 0;
    double sum_us = 0;
    for (std::size_t i = 0; i < core::LagHistogram::kBuckets; ++i) {
      const auto n = h.bucket_count(i);
      if (n == 0) continue;
      const auto upper = core::LagHistogram::bucket_upper(i);
      const auto at = static_cast<std::size_t>(std::lower_bound(kBoundsUs.begin(), kBoundsUs.end(), upper) - kBoundsUs.begin());
      counts[at] += n;
      total += n;
      sum_us += static_cast<double>(n) * static_cast<double>(upper);
    }
    const std::string labels = "loop=\"" + label_value(loop->name()) + "\"";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= kBoundsUs.size(); ++i) {
      cumulative += counts[i];
      out.append("yollayah_event_loop_lag_seconds_bucket{").append(labels).append(",le=\"");
      if (i == kBoundsUs.size()) out.append("+Inf");
      else append_number(out, static_cast<double>(kBoundsUs[i]) / 1e6);
      out.append("\"} ");
      append_u64(out, cumulative);
      out += '\n';
    }
    sample(out, "yollayah_event_loop_lag_seconds_sum", labels, sum_us / 1e6);
    sample(out, "yollayah_event_loop_lag_seconds_count", labels, static_cast<double>(total));
  }
  return out;
}

}  // namespace yollayah::gateway
