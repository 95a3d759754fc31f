#include "gateway/answer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace yollayah::gateway {
namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
using backend::BackendError;
using Kind = BackendError::Kind;

// Formatted bytes waiting for the client past which the chat stops reading the backend until the
// writer takes them: a client slower than the backend holds the backend back rather than the
// answer piling up here (and the buffer stays small enough to be reused, not mapped afresh).
constexpr std::size_t kBacklog = 64 * 1024;

// Shared by the chat (producer) and the writer (this coroutine), both on the connection's strand.
struct Relay {
  explicit Relay(const asio::any_io_executor& ex) : wake(ex), drain(ex) {}
  void notify() {
    if (waiting) wake.cancel();
  }
  // The writer took `pending`: a chat waiting for room goes on.
  void taken() {
    if (chat_waiting) drain.cancel();
  }
  asio::steady_timer wake;
  bool waiting = false;
  asio::steady_timer drain;
  bool chat_waiting = false;
  std::string pending;  // formatted, not yet written
  std::string text;     // the whole answer, when not streaming or when recorded
  bool keep_text = false;
  std::size_t answer_bytes = 0;
  bool done = false;
  bool cut = false;      // max_answer_bytes reached: the answer ends there
  bool overrun = false;  // the client did not take the bytes
  backend::Result<backend::ChatStats> result = BackendError{};
};

class RelaySink final : public backend::ChatSink {
 public:
  RelaySink(Relay& r, AnswerFormat& f, bool stream, const AnswerLimits& limits, asio::cancellation_signal& cancel)
      : r_(r), f_(f), stream_(stream), limits_(limits), cancel_(cancel) {}

  void on_content(std::string_view text) override {
    if (r_.cut || r_.overrun) return;
    if (r_.answer_bytes + text.size() > limits_.max_answer_bytes) {
      text = text.substr(0, limits_.max_answer_bytes - r_.answer_bytes);
      r_.cut = true;
    }
    r_.answer_bytes += text.size();
    if (stream_) {
      if (!text.empty()) f_.piece(r_.pending, text);
      if (r_.pending.size() > limits_.max_pending_bytes) r_.overrun = true;
    }
    if (r_.keep_text) r_.text.append(text);
    if (r_.cut || r_.overrun) cancel_.emit(asio::cancellation_type::terminal);
  }
  void on_batch_end() override {
    f_.batch_end();
    r_.notify();
  }
  bool backlogged() const override { return r_.pending.size() >= kBacklog; }
  asio::awaitable<void> drained() override {
    const auto cs = co_await asio::this_coro::cancellation_state;
    while (r_.pending.size() >= kBacklog && cs.cancelled() == asio::cancellation_type::none) {
      r_.chat_waiting = true;
      r_.drain.expires_after(std::chrono::hours(24));
      co_await r_.drain.async_wait(kAwait);  // taken() or the chat's cancellation ends it
      r_.chat_waiting = false;
    }
  }

 private:
  Relay& r_;
  AnswerFormat& f_;
  bool stream_;
  const AnswerLimits& limits_;
  asio::cancellation_signal& cancel_;
};

}  // namespace

http::status status_of(const BackendError& e) {
  if (e.http_status >= 400 && e.http_status < 600) {
    if (e.http_status == 404 || e.http_status == 400 || e.http_status == 429 || e.http_status == 413)
      return static_cast<http::status>(e.http_status);
    return http::status::bad_gateway;  // the backend's own 5xx (or 401: its key, not the client's)
  }
  switch (e.kind) {
    case Kind::Unavailable:
      // The router found no backend serving the model: the client asked for something unknown.
      if (e.message.starts_with("no backend serves")) return http::status::not_found;
      return http::status::service_unavailable;
    case Kind::Timeout: return http::status::gateway_timeout;
    case Kind::Cancelled: return http::status::service_unavailable;
    case Kind::Unreachable:
    case Kind::Http:
    case Kind::Server:
    case Kind::Protocol: return http::status::bad_gateway;
  }
  return http::status::bad_gateway;
}

asio::awaitable<void> relay_answer(Exchange& ex, backend::routing::Router& router, backend::ChatRequest request,
                                   AnswerFormat& format, bool stream, AnswerLimits limits, Metrics* metrics,
                                   AnswerTap* tap) {
  auto strand = co_await asio::this_coro::executor;
  Relay r(strand);
  r.keep_text = !stream || tap;
  if (tap) tap->answer_started(r.text);
  asio::cancellation_signal cancel;
  RelaySink sink(r, format, stream, limits, cancel);
  bool aborted = false;
  // Once per answer, whichever notices first: the watch on the connection, or a write that failed
  // (a client that resets with our bytes unread is often seen by the write).
  bool counted_gone = false;
  auto client_gone = [&] {
    if (metrics && !counted_gone) metrics->client_gone.fetch_add(1, std::memory_order_relaxed);
    counted_gone = true;
  };
  ex.watch_peer([&] {
    client_gone();
    cancel.emit(asio::cancellation_type::terminal);
    r.notify();
  });
  ex.set_abort([&] {
    aborted = true;
    cancel.emit(asio::cancellation_type::terminal);
  });
  auto chat = [&]() -> asio::awaitable<void> { r.result = co_await router.chat(request, sink); };
  asio::co_spawn(strand, chat(), asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr) {
                   r.done = true;
                   r.waiting = true;  // make sure the writer hears it
                   r.notify();
                 }));

  std::string out;
  for (;;) {
    if (stream && !r.pending.empty() && !ex.peer_gone()) {
      if (!ex.begun()) ex.begin(http::status::ok, format.content_type(true));
      out.swap(r.pending);
      r.taken();
      const bool ok = co_await ex.write(out);
      out.clear();
      if (!ok) {  // the client stopped taking bytes
        client_gone();
        cancel.emit(asio::cancellation_type::terminal);
      }
      continue;
    }
    if (r.done) break;
    r.waiting = true;
    r.wake.expires_after(std::chrono::hours(24));
    co_await r.wake.async_wait(kAwait);
    r.waiting = false;
  }
  ex.set_abort(nullptr);
  co_await ex.stop_watching();

  // A cut answer is a complete one (done_reason "length"); so is one cancelled for its size.
  backend::Result<backend::ChatStats> result = std::move(r.result);
  if (!result && r.cut) {
    backend::ChatStats stats;
    stats.model = request.model;
    stats.done_reason = "length";
    result = stats;
  }
  if (r.overrun) ex.close_after();
  if (result && r.cut) result->done_reason = "length";
  if (result && result->model.empty()) result->model = request.model;
  if (aborted && !result) {
    result = BackendError{Kind::Cancelled, "the gateway is shutting down; the answer was cut here"};
  }
  if (tap) tap->answer_ended(stream ? std::move(r.text) : r.text, result, ex.peer_gone());
  if (ex.peer_gone()) {
    ex.close_after();
    co_return;
  }

  if (!stream) {
    if (result) {
      co_await ex.send(http::status::ok, format.content_type(false), format.whole(r.text, *result));
    } else {
      auto [status, body] = format.error(result.error());
      co_await ex.send(status, "application/json", std::move(body));
    }
    co_return;
  }
  if (!ex.begun()) {
    if (!result) {
      auto [status, body] = format.error(result.error());
      co_await ex.send(status, "application/json", std::move(body));
      co_return;
    }
    ex.begin(http::status::ok, format.content_type(true));
  }
  std::string tail;
  if (result) format.done(tail, *result);
  else format.error_in_stream(tail, result.error());
  co_await ex.end(tail);
  if (aborted) ex.close_after();
}

}  // namespace yollayah::gateway
