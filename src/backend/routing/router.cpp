#include "backend/routing/router.hpp"

#include "backend/routing/model_pattern.hpp"
#include "core/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <set>

namespace yollayah::backend::routing {

namespace {

using Clock = CircuitBreaker::Clock;
using Kind = BackendError::Kind;

// What one failed (or finished) request says about the backend's health.
enum class Verdict : std::uint8_t { Healthy, Neutral, Failed, Cooling };

Verdict judge(const BackendError& e) {
  switch (e.kind) {
    case Kind::Cancelled:
    case Kind::Unavailable: return Verdict::Neutral;
    case Kind::Http:
      if (e.http_status == 429) return Verdict::Cooling;
      if (e.http_status >= 500 || e.http_status == 408) return Verdict::Failed;
      return Verdict::Neutral;  // "model not found", a bad request: the server itself is fine
    case Kind::Unreachable:
    case Kind::Timeout:
    case Kind::Server:
    case Kind::Protocol: return Verdict::Failed;
  }
  return Verdict::Failed;
}

std::string shortened(std::string_view text, std::size_t max = 160) {
  if (text.size() <= max) return std::string(text);
  while (max > 0 && (static_cast<unsigned char>(text[max]) & 0xC0) == 0x80) --max;
  return std::string(text.substr(0, max)) + "…";
}

std::string seconds_text(Clock::duration d) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  if (ms < 1000) return std::to_string(ms) + " ms";
  return std::to_string((ms + 500) / 1000) + " s";
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : std::string(sep)) + i;
  return out;
}

}  // namespace

struct Router::Upstream {
  Upstream(UpstreamSpec s, const CircuitBreaker::Options& breaker_options)
      : spec(std::move(s)),
        name(spec.backend->name()),
        breaker(breaker_options),
        limit(spec.max_concurrent, spec.max_queue) {}

  UpstreamSpec spec;
  std::string name;
  std::size_t index = 0;  // in upstreams_, for the observer
  // Guarded by Router::mutex_:
  CircuitBreaker breaker;
  LatencyWindow first_token;
  std::uint64_t requests = 0;
  std::uint64_t failures = 0;
  std::string last_error;
  // Thread-safe on its own:
  ConcurrencyLimit limit;
};

// Sits between a backend and the caller's sink for the whole answer, across backends: it keeps
// the text so far (what a backend taking over mid-answer must continue) and times the first token.
class Router::RelaySink final : public ChatSink {
 public:
  RelaySink(ChatSink& out, bool keep_text, RouterObserver* observer)
      : out_(out), keep_text_(keep_text), observer_(observer), started_(Clock::now()) {}

  void on_content(std::string_view text) override {
    ++batch_pieces_;
    if (!segment_has_content_) {
      segment_has_content_ = true;
      segment_first_token_ = Clock::now();
      if (!any_content_) first_token_ = segment_first_token_;
      any_content_ = true;
    }
    if (keep_text_) text_.append(text);
    ++segment_pieces_;
    out_.on_content(text);
  }
  void on_batch_end() override {
    report_batch();
    out_.on_batch_end();
  }
  bool backlogged() const override { return out_.backlogged(); }
  asio::awaitable<void> drained() override { return out_.drained(); }
  void on_loading(std::string_view model) override { out_.on_loading(model); }
  void on_switch(std::string_view text) override { out_.on_switch(text); }

  void begin_segment(std::size_t upstream) {
    upstream_ = upstream;
    batch_pieces_ = 0;
    segment_has_batch_ = false;
    segment_has_content_ = false;
    segment_pieces_ = 0;
    segment_started_ = Clock::now();
  }

  // The pieces since the last batch go to the observer: one clock read per read of the answer,
  // not per token. Also called when an attempt ends (a last line parsed at the end of the body).
  void report_batch() {
    if (batch_pieces_ == 0) return;
    if (observer_) {
      const auto t = std::chrono::steady_clock::now();
      observer_->on_tokens(upstream_, batch_pieces_,
                           segment_has_batch_ ? std::optional<std::chrono::nanoseconds>(t - last_batch_) : std::nullopt);
      last_batch_ = t;
      segment_has_batch_ = true;
    }
    batch_pieces_ = 0;
  }

  bool any_content() const { return any_content_; }
  const std::string& text() const { return text_; }
  std::uint32_t segment_pieces() const { return segment_pieces_; }
  // This backend's own time to first token, when it produced one.
  std::optional<std::uint64_t> segment_first_token_ms() const {
    if (!segment_has_content_) return std::nullopt;
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(segment_first_token_ - segment_started_).count());
  }
  std::optional<std::chrono::nanoseconds> segment_first_token() const {
    if (!segment_has_content_) return std::nullopt;
    return std::chrono::duration_cast<std::chrono::nanoseconds>(segment_first_token_ - segment_started_);
  }
  // The caller's time to first token: from the start of routing, waits and failed tries included.
  std::uint64_t first_token_ns() const {
    if (!any_content_) return 0;
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(first_token_ - started_).count());
  }

 private:
  ChatSink& out_;
  bool keep_text_;
  RouterObserver* observer_;
  std::size_t upstream_ = 0;
  std::chrono::steady_clock::time_point last_batch_{};
  std::uint32_t batch_pieces_ = 0;  // content pieces since the last report_batch()
  bool segment_has_batch_ = false;
  std::string text_;
  Clock::time_point started_, first_token_{}, segment_started_{}, segment_first_token_{};
  bool any_content_ = false;
  bool segment_has_content_ = false;
  std::uint32_t segment_pieces_ = 0;
};

std::string UpstreamStatus::state_text() const {
  std::string s;
  switch (breaker) {
    case CircuitBreaker::State::Closed: s = consecutive_failures > 0 ? "healthy (" + std::to_string(consecutive_failures) + " recent failure" + (consecutive_failures == 1 ? ")" : "s)") : "healthy"; break;
    case CircuitBreaker::State::HalfOpen: s = "half-open (probing)"; break;
    case CircuitBreaker::State::Open:
      s = open_for.count() > 0 ? "open for " + seconds_text(open_for) : "open (a probe may go)";
      s += " after " + std::to_string(consecutive_failures) + " failure" + (consecutive_failures == 1 ? "" : "s");
      break;
  }
  if (cooling_for.count() > 0) s += ", cooling down " + seconds_text(cooling_for) + " (the server asked to wait)";
  return s;
}

Router::Router(std::vector<UpstreamSpec> upstreams, RouterOptions options) : options_(std::move(options)) {
  for (auto& spec : upstreams) {
    upstreams_.push_back(std::make_unique<Upstream>(std::move(spec), options_.breaker));
    upstreams_.back()->index = upstreams_.size() - 1;
  }
}

Router::~Router() = default;

Clock::time_point Router::now() const { return options_.clock ? options_.clock() : Clock::now(); }

std::string Router::endpoint() const { return upstreams_.empty() ? std::string() : upstreams_.front()->spec.backend->endpoint(); }

std::string Router::name() const { return upstreams_.size() == 1 ? upstreams_.front()->name : std::string("router"); }

std::string Router::resolve(std::string_view model) const {
  if (auto it = options_.aliases.find(model); it != options_.aliases.end()) return it->second;
  return std::string(model);
}

std::vector<Router::Upstream*> Router::candidates(std::string_view model) const {
  std::vector<std::pair<Upstream*, std::size_t>> found;  // with its streams in flight
  for (const auto& u : upstreams_)
    if (serves_model(u->spec.models, model)) found.emplace_back(u.get(), u->limit.active());
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    if (a.first->spec.priority != b.first->spec.priority) return a.first->spec.priority < b.first->spec.priority;
    return a.second < b.second;
  });
  std::vector<Upstream*> out;
  for (auto& [u, in_flight] : found) out.push_back(u);
  return out;
}

void Router::record(Upstream& u, const Result<ChatStats>& r, std::optional<std::uint64_t> first_token_ms) {
  std::lock_guard lock(mutex_);
  ++u.requests;
  if (r) {
    u.breaker.record_success();
    if (first_token_ms) u.first_token.add(*first_token_ms);
    return;
  }
  const auto& e = r.error();
  switch (judge(e)) {
    case Verdict::Healthy: u.breaker.record_success(); break;
    case Verdict::Neutral: u.breaker.record_neutral(); break;
    case Verdict::Cooling: {
      const auto wait = e.retry_after.count() > 0 ? e.retry_after : options_.default_retry_after;
      u.breaker.record_neutral();
      u.breaker.cool_down(now() + wait);
      ++u.failures;
      u.last_error = e.message;
      break;
    }
    case Verdict::Failed:
      u.breaker.record_failure(now());
      if (e.retry_after.count() > 0) u.breaker.cool_down(now() + e.retry_after);
      ++u.failures;
      u.last_error = e.message;
      break;
  }
}

asio::awaitable<Result<ChatStats>> Router::run_attempt(Upstream& u, const ChatRequest& request, RelaySink& relay) {
  relay.begin_segment(u.index);
  auto r = co_await u.spec.backend->chat(request, relay);
  relay.report_batch();
  auto first_token_ms = relay.segment_first_token_ms();
  if (observer_) {
    std::optional<BackendError> error;
    if (!r) error = r.error();
    observer_->on_attempt(u.index, error ? &*error : nullptr, relay.segment_first_token(), relay.segment_pieces());
  }
  if (r && r->first_token_ns > 0) first_token_ms = r->first_token_ns / 1'000'000;
  record(u, r, first_token_ms);
  co_return r;
}

asio::awaitable<Result<ChatStats>> Router::chat(const ChatRequest& request, ChatSink& sink) {
  // Cancellation comes back as a value from the backend (Kind::Cancelled); it must not turn into
  // an exception at our next await. The caller's setting is restored on the way out.
  const bool throw_before = co_await asio::this_coro::throw_if_cancelled();
  co_await asio::this_coro::throw_if_cancelled(false);

  ChatRequest routed = request;
  routed.model = resolve(request.model);
  const auto cands = candidates(routed.model);
  if (cands.empty()) {
    std::vector<std::string> served;
    for (const auto& u : upstreams_) served.push_back(u->name + " [" + join(u->spec.models, ", ") + "]");
    co_await asio::this_coro::throw_if_cancelled(throw_before);
    co_return BackendError{Kind::Unavailable,
                           "no backend serves the model \"" + routed.model + "\" (" + join(served, "; ") + ")",
                           endpoint(), 0,
                           "Choose another model with /model NAME (see /models), or add it to a backend's `models` "
                           "patterns in conductor.toml."};
  }

  // The text so far is only ever handed to another backend: with one candidate, keeping it would
  // cost a copy of every piece (and of the whole answer in memory) for nothing.
  RelaySink relay(sink, options_.mid_stream_fallback && cands.size() > 1, observer_.get());
  std::vector<Upstream*> tried;
  std::vector<std::string> failures;  // "laptop: cannot reach …", for the final error
  std::optional<BackendError> last_error;
  std::string last_name;
  std::uint32_t fallbacks = 0;
  std::uint32_t earlier_pieces = 0;  // content pieces from backends that failed mid-answer
  bool waited_for_cooldown = false;
  std::vector<Upstream*> asked_to_wait;  // rate-limited before answering: worth one more try after the pause
  const auto cancel_state = co_await asio::this_coro::cancellation_state;
  auto cancelled = [&] { return cancel_state.cancelled() != asio::cancellation_type::none; };

  for (;;) {
    // Pick the first backend, in order, that its breaker admits and that has (or queues for) a slot.
    Upstream* chosen = nullptr;
    ConcurrencyLimit::Permit permit;
    for (Upstream* u : cands) {
      if (std::find(tried.begin(), tried.end(), u) != tried.end()) continue;
      bool admitted = false;
      {
        std::lock_guard lock(mutex_);
        admitted = u->breaker.try_admit(now());
      }
      if (!admitted) continue;
      permit = u->limit.try_acquire();
      if (!permit) {
        // A full queue falls over to the next backend at once; otherwise wait our turn here.
        boost::system::result<ConcurrencyLimit::Permit, ConcurrencyLimit::Refusal> queued = ConcurrencyLimit::Refusal::QueueFull;
        if (!u->limit.queue_full()) queued = co_await u->limit.acquire(u->spec.queue_timeout);
        if (!queued) {
          {
            std::lock_guard lock(mutex_);
            u->breaker.record_neutral();
          }
          if (queued.error() == ConcurrencyLimit::Refusal::Cancelled || cancelled()) {
            co_await asio::this_coro::throw_if_cancelled(throw_before);
            co_return BackendError{Kind::Cancelled, "the request to " + u->name + " was cancelled", u->spec.backend->endpoint(), 0};
          }
          const bool full = queued.error() == ConcurrencyLimit::Refusal::QueueFull;
          tried.push_back(u);
          last_name = u->name;
          last_error = BackendError{Kind::Unavailable,
                                    u->name + " is busy: " + std::to_string(u->limit.max_active()) +
                                        " streams run and " +
                                        (full ? "its queue is full" : "the queue did not move within " + seconds_text(u->spec.queue_timeout)),
                                    u->spec.backend->endpoint(), 0, "Try again in a moment, or raise max_concurrent for it in conductor.toml."};
          failures.push_back(last_error->message);
          continue;
        }
        permit = std::move(*queued);
      }
      chosen = u;
      break;
    }

    if (!chosen) {
      // Nothing admitted us. Cool-downs the servers asked for are waited out when short; breakers
      // that fenced every remaining backend give way to one probe (better than refusing).
      std::vector<Upstream*> fenced;
      for (Upstream* u : cands)
        if (std::find(tried.begin(), tried.end(), u) == tried.end()) fenced.push_back(u);
      if (fenced.empty()) break;
      Upstream* soonest = nullptr;
      Clock::time_point soonest_at{};
      bool cooling = false;
      {
        std::lock_guard lock(mutex_);
        const auto t = now();
        for (Upstream* u : fenced) {
          const auto at = u->breaker.available_at(t);
          if (!soonest || at < soonest_at) {
            soonest = u;
            soonest_at = at;
            cooling = u->breaker.cooldown_until() > t;
          }
        }
        if (!cooling) soonest->breaker.force_probe();
      }
      if (cooling) {
        const auto wait = soonest_at - now();
        if (waited_for_cooldown || wait > options_.max_cooldown_wait) {
          last_name = soonest->name;
          last_error = BackendError{Kind::Unavailable,
                                    soonest->name + " asked to wait " + seconds_text(wait) + " before the next request",
                                    soonest->spec.backend->endpoint(), 429, "Try again then."};
          failures.push_back(last_error->message);
          break;
        }
        waited_for_cooldown = true;
        relay.on_switch(soonest->name + " is rate-limited; waiting " + seconds_text(wait) + " as it asked");
        asio::steady_timer timer(co_await asio::this_coro::executor, wait);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (cancelled()) {
          co_await asio::this_coro::throw_if_cancelled(throw_before);
          co_return BackendError{Kind::Cancelled, "the request was cancelled", soonest->spec.backend->endpoint(), 0};
        }
      }
      continue;  // the fenced one now admits its probe (or its cool-down is over)
    }

    if (last_error) {
      ++fallbacks;
      const bool mid = relay.any_content();
      if (observer_ && !tried.empty()) observer_->on_fallback(tried.back()->index, mid);
      relay.on_switch(last_name + (mid ? " stopped mid-answer (" : " failed (") + shortened(last_error->message) + "); " +
                      chosen->name + (mid ? " continues the answer" : " takes over"));
      core::log().warn("router: {} failed ({}); {} {}", last_name, last_error->message, chosen->name,
                       mid ? "continues the answer" : "takes over");
    }
    ChatRequest attempt = routed;
    if (relay.any_content()) {
      // The next model continues the text so far: it is the start of the assistant's reply.
      attempt.messages.push_back({ChatMessage::Role::Assistant, relay.text()});
    }
    auto r = co_await run_attempt(*chosen, attempt, relay);
    permit.release();
    tried.push_back(chosen);
    if (r) {
      ChatStats stats = std::move(*r);
      stats.backend = chosen->name;
      stats.fallbacks = fallbacks;
      stats.eval_count += earlier_pieces;
      if (fallbacks > 0 || stats.first_token_ns == 0) stats.first_token_ns = relay.first_token_ns();
      co_await asio::this_coro::throw_if_cancelled(throw_before);
      co_return stats;
    }
    if (r.error().kind == Kind::Cancelled || cancelled()) {
      co_await asio::this_coro::throw_if_cancelled(throw_before);
      co_return r.error();
    }
    last_error = r.error();
    last_name = chosen->name;
    failures.push_back(chosen->name + ": " + shortened(r.error().message));
    if (judge(r.error()) == Verdict::Cooling && !relay.any_content() &&
        std::find(asked_to_wait.begin(), asked_to_wait.end(), chosen) == asked_to_wait.end()) {
      asked_to_wait.push_back(chosen);  // it asked us to come back: it may be tried again once its pause ends
      std::erase(tried, chosen);
    }
    if (relay.any_content() && !options_.mid_stream_fallback) break;
    earlier_pieces += relay.segment_pieces();
  }

  co_await asio::this_coro::throw_if_cancelled(throw_before);
  BackendError e = last_error ? *last_error
                              : BackendError{Kind::Unavailable, "no backend could take the request", endpoint(), 0, {}};
  if (failures.size() > 1) e.message = "no backend could answer (" + join(failures, "; ") + ")";
  co_return e;
}

asio::awaitable<std::vector<BackendModels>> Router::models_by_backend() {
  auto ex = co_await asio::this_coro::executor;
  std::vector<BackendModels> out(upstreams_.size());
  using Op = decltype(asio::co_spawn(ex, std::declval<asio::awaitable<void>>(), asio::deferred));
  std::vector<Op> ops;
  for (std::size_t i = 0; i < upstreams_.size(); ++i) {
    out[i].backend = upstreams_[i]->name;
    auto fill = [](Upstream& u, BackendModels& slot) -> asio::awaitable<void> {
      auto models = co_await u.spec.backend->list_models();
      if (models) std::erase_if(*models, [&](const ModelInfo& m) { return !serves_model(u.spec.models, m.name); });
      slot.models = std::move(models);
    };
    ops.push_back(asio::co_spawn(ex, fill(*upstreams_[i], out[i]), asio::deferred));
  }
  if (!ops.empty()) {
    co_await asio::experimental::make_parallel_group(std::move(ops))
        .async_wait(asio::experimental::wait_for_all(), asio::as_tuple(asio::use_awaitable));
  }
  co_return out;
}

asio::awaitable<std::vector<BackendProbe>> Router::probe_each() {
  auto ex = co_await asio::this_coro::executor;
  std::vector<BackendProbe> out(upstreams_.size());
  using Op = decltype(asio::co_spawn(ex, std::declval<asio::awaitable<void>>(), asio::deferred));
  std::vector<Op> ops;
  for (std::size_t i = 0; i < upstreams_.size(); ++i) {
    auto& u = *upstreams_[i];
    out[i].name = u.name;
    out[i].kind = u.spec.kind;
    out[i].url = u.spec.backend->endpoint();
    out[i].patterns = u.spec.models;
    out[i].tls_insecure = u.spec.tls_insecure;
    auto probe = [](Upstream& up, BackendProbe& slot) -> asio::awaitable<void> {
      slot.version = co_await up.spec.backend->version();
      if (!slot.version) {
        slot.models = slot.version.error();
        co_return;
      }
      auto models = co_await up.spec.backend->list_models();
      if (models) std::erase_if(*models, [&](const ModelInfo& m) { return !serves_model(up.spec.models, m.name); });
      slot.models = std::move(models);
    };
    ops.push_back(asio::co_spawn(ex, probe(u, out[i]), asio::deferred));
  }
  if (!ops.empty()) {
    co_await asio::experimental::make_parallel_group(std::move(ops))
        .async_wait(asio::experimental::wait_for_all(), asio::as_tuple(asio::use_awaitable));
  }
  co_return out;
}

asio::awaitable<Result<std::vector<ModelInfo>>> Router::list_models() {
  auto lists = co_await models_by_backend();
  std::vector<ModelInfo> out;
  std::set<std::string, std::less<>> seen;
  std::optional<BackendError> error;
  bool any = false;
  for (auto& l : lists) {
    if (!l.models) {
      if (!error) error = l.models.error();
      continue;
    }
    any = true;
    for (auto& m : *l.models)
      if (seen.insert(m.name).second) out.push_back(std::move(m));
  }
  if (!any && error) co_return *error;
  co_return out;
}

asio::awaitable<Result<std::string>> Router::version() {
  auto ex = co_await asio::this_coro::executor;
  std::vector<Result<std::string>> results(upstreams_.size(), BackendError{});
  using Op = decltype(asio::co_spawn(ex, std::declval<asio::awaitable<void>>(), asio::deferred));
  std::vector<Op> ops;
  for (std::size_t i = 0; i < upstreams_.size(); ++i) {
    auto probe = [](Backend& b, Result<std::string>& slot) -> asio::awaitable<void> { slot = co_await b.version(); };
    ops.push_back(asio::co_spawn(ex, probe(*upstreams_[i]->spec.backend, results[i]), asio::deferred));
  }
  if (!ops.empty()) {
    co_await asio::experimental::make_parallel_group(std::move(ops))
        .async_wait(asio::experimental::wait_for_all(), asio::as_tuple(asio::use_awaitable));
  }
  std::vector<std::string> down;
  std::size_t up = 0;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i]) {
      ++up;
    } else {
      down.push_back(upstreams_[i]->name + ": " + shortened(results[i].error().message));
    }
  }
  if (upstreams_.size() == 1) co_return results.front();
  if (up == 0) {
    BackendError e = results.empty() ? BackendError{Kind::Unavailable, "no backend is configured", {}, 0, {}}
                                     : results.front().error();
    e.message = "no backend answers (" + join(down, "; ") + ")";
    co_return e;
  }
  if (!down.empty()) core::log().warn("router: {} of {} backends answer; down: {}", up, results.size(), join(down, "; "));
  co_return std::to_string(up) + " of " + std::to_string(results.size()) + " backends answer";
}

asio::awaitable<Result<ModelDetails>> Router::show(std::string model) {
  const std::string name = resolve(model);
  std::optional<BackendError> error;
  for (Upstream* u : candidates(name)) {
    auto r = co_await u->spec.backend->show(name);
    if (r) co_return r;
    if (!error) error = r.error();
  }
  if (error) co_return *error;
  co_return BackendError{Kind::Unavailable, "no backend serves the model \"" + name + "\"", endpoint(), 0, {}};
}

bool Router::same_model(std::string_view listed, std::string_view asked) const {
  const std::string name = resolve(asked);
  auto cands = candidates(name);
  if (cands.empty()) return listed == name;
  return cands.front()->spec.backend->same_model(listed, name);
}

std::string Router::missing_model_advice(std::string_view model) const {
  const std::string name = resolve(model);
  auto cands = candidates(name);
  return cands.empty() ? std::string() : cands.front()->spec.backend->missing_model_advice(name);
}

asio::awaitable<Result<std::string>> Router::find_model(std::string model) {
  const std::string name = resolve(model);
  const auto cands = candidates(name);
  if (cands.empty()) {
    std::vector<std::string> served;
    for (const auto& u : upstreams_) served.push_back(u->name + " [" + join(u->spec.models, ", ") + "]");
    co_return BackendError{Kind::Unavailable, "no backend serves a model named \"" + name + "\" (" + join(served, "; ") + ")",
                           endpoint(), 0, "Add it to a backend's `models` patterns in conductor.toml."};
  }
  auto lists = co_await models_by_backend();
  std::vector<std::string> available;
  std::optional<BackendError> error;
  for (Upstream* u : cands) {
    for (auto& l : lists) {
      if (l.backend != u->name) continue;
      if (!l.models) {
        if (!error) error = l.models.error();
        continue;
      }
      for (const auto& m : *l.models) {
        if (u->spec.backend->same_model(m.name, name)) co_return u->name;
        available.push_back(m.name);
      }
    }
  }
  if (available.empty() && error) co_return *error;
  co_return BackendError{Kind::Http,
                         "no backend has the model \"" + name + "\". Available: " +
                             (available.empty() ? std::string("none") : join(available, ", ")),
                         cands.front()->spec.backend->endpoint(), 404, cands.front()->spec.backend->missing_model_advice(name)};
}

std::vector<UpstreamStatus> Router::status() const {
  std::vector<UpstreamStatus> out;
  std::lock_guard lock(mutex_);
  const auto t = now();
  for (const auto& u : upstreams_) {
    UpstreamStatus s;
    s.name = u->name;
    s.kind = u->spec.kind;
    s.url = u->spec.backend->endpoint();
    s.models = u->spec.models;
    s.priority = u->spec.priority;
    s.breaker = u->breaker.state();
    if (s.breaker == CircuitBreaker::State::Open && u->breaker.open_until() > t)
      s.open_for = std::chrono::duration_cast<std::chrono::milliseconds>(u->breaker.open_until() - t);
    if (u->breaker.cooldown_until() > t)
      s.cooling_for = std::chrono::duration_cast<std::chrono::milliseconds>(u->breaker.cooldown_until() - t);
    s.consecutive_failures = u->breaker.consecutive_failures();
    s.in_flight = u->limit.active();
    s.queued = u->limit.queued();
    s.max_concurrent = u->limit.max_active();
    s.first_token_p50_ms = u->first_token.median();
    s.requests = u->requests;
    s.failures = u->failures;
    s.last_error = u->last_error;
    s.tls_insecure = u->spec.tls_insecure;
    out.push_back(std::move(s));
  }
  return out;
}

std::shared_ptr<Router> single_backend_router(std::shared_ptr<Backend> backend, std::string kind, RouterOptions options) {
  UpstreamSpec spec;
  spec.backend = std::move(backend);
  spec.kind = std::move(kind);
  spec.max_concurrent = 64;  // one local server, many sessions: its own queueing decides
  spec.max_queue = 256;
  std::vector<UpstreamSpec> specs;
  specs.push_back(std::move(spec));
  return std::make_shared<Router>(std::move(specs), std::move(options));
}

}  // namespace yollayah::backend::routing
