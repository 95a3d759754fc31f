#include "completion.hpp"

#include "answer_plan.hpp"
#include "chunked_writer.hpp"
#include "json_text.hpp"
#include "ollama_lines.hpp"
#include "openai_events.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <chrono>
#include <limits>
#include <string>

namespace yollayah::sim {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kNever = std::numeric_limits<std::size_t>::max();

// When token `i` is due under --tokens-per-sec.
Clock::time_point due(Clock::time_point first, std::size_t i, double rate) {
  if (rate <= 0) return first;
  return first + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(double(i) / rate));
}

asio::awaitable<void> wait_until(asio::steady_timer& timer, Clock::time_point t) {
  timer.expires_at(t);
  co_await timer.async_wait(kAwait);
}

// The fault knobs as they stood when the request arrived (/sim/control may change them later).
struct Faults {
  std::size_t fail_at = kNever, stall_at = kNever, reset_at = kNever, error_at = kNever;
  std::size_t malformed_every = 0;
  unsigned stall_close_ms = 0;

  std::size_t first() const { return std::min({fail_at, stall_at, reset_at, error_at}); }
};

Faults faults_of(const SimOptions& o) {
  Faults f;
  f.fail_at = o.fail_after.value_or(kNever);
  f.stall_at = o.stall_after.value_or(kNever);
  f.reset_at = o.reset_after.value_or(kNever);
  f.error_at = o.sse_error_after.value_or(kNever);
  f.malformed_every = o.malformed_every;
  f.stall_close_ms = o.stall_close_ms;
  return f;
}

// --stall-after: silent until the client gives up, or until --stall-close-ms, then closed.
asio::awaitable<void> stall(SimStream& stream, unsigned close_ms) {
  if (close_ms > 0) {
    asio::steady_timer timer(stream.get_executor(), std::chrono::milliseconds(close_ms));
    co_await timer.async_wait(kAwait);
  } else {
    co_await stream.drain_until_closed();
  }
  stream.drop();
}

// Ends a stream at `sent` tokens by the first fault due there. The connection is not reused.
template <class Lines>
asio::awaitable<bool> stream_fault(SimStream& stream, ChunkedWriter& writer, Lines& lines, const Faults& f,
                                   std::size_t sent, std::string_view next_token) {
  std::string& buf = writer.buffer();
  if (sent == f.error_at) {
    lines.error(buf);
    co_await writer.flush(true);
    co_return false;
  }
  if (sent == f.reset_at) {
    if (co_await writer.flush()) co_return false;
    Timestamp ts;
    lines.token(buf, ts.view(), next_token.empty() ? std::string_view("...") : next_token);
    co_await writer.flush_half();
    stream.reset();
    co_return false;
  }
  if (co_await writer.flush()) co_return false;
  if (sent == f.stall_at) {
    co_await stall(stream, f.stall_close_ms);
  } else {
    stream.drop();
  }
  co_return false;
}

// --stamp-tokens: the steady clock now, in ns, and a space (digits need no JSON escaping). A
// benchmark on the same machine subtracts it from when it parsed the token: the transit time.
std::string_view steady_stamp(std::string& out) {
  out = std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count());
  out += ' ';
  return out;
}

template <class Lines>
asio::awaitable<bool> stream_answer(SimStream& stream, const SimContext& ctx, const CompletionRequest& req) {
  const auto& opt = ctx.options;
  const Faults f = faults_of(opt);
  Lines lines(req, opt);
  ChunkedWriter writer(stream, Lines::kContentType, req.keep_alive);
  std::string& buf = writer.buffer();
  Timestamp ts;
  asio::steady_timer timer(stream.get_executor());
  std::size_t line_no = 0;
  auto maybe_malformed = [&] {
    if (f.malformed_every >= 2 && (line_no + 1) % f.malformed_every == 0) {
      lines.malformed(buf);
      ++line_no;
    }
  };

  const auto start = req.received + req.load;
  if (opt.ttft_ms > 0) co_await wait_until(timer, start + std::chrono::milliseconds(opt.ttft_ms));
  const auto first = Clock::now();
  AnswerPlan plan(*req.script, req.prefill, req.cap);
  const std::size_t limit = plan.count();
  const std::size_t stop_at = std::min(limit, f.first());
  const double rate = opt.tokens_per_sec;
  std::string stamp;
  std::size_t sent = 0;
  for (;;) {
    const auto now = Clock::now();
    while (sent < stop_at && !writer.wants_flush() && due(first, sent, rate) <= now) {
      maybe_malformed();
      if (opt.stamp_tokens) {
        plan.next();
        lines.token(buf, ts.view(), steady_stamp(stamp));
      } else {
        lines.token(buf, ts.view(), plan.next());
      }
      ++line_no;
      ++sent;
    }
    if (sent == f.first()) co_return co_await stream_fault(stream, writer, lines, f, sent, plan.next());
    if (sent == limit) {
      maybe_malformed();
      lines.done(buf, ts.view(), AnswerEnd{sent, plan.cut_short(), first});
      auto ec = co_await writer.flush(true);
      co_return !ec && req.keep_alive;
    }
    if (!buf.empty() && (writer.wants_flush() || rate > 0)) {
      if (co_await writer.flush()) co_return false;
      ts.refresh();
    }
    auto next = due(first, sent, rate);
    if (next > Clock::now()) co_await wait_until(timer, next);
  }
}

asio::awaitable<bool> write_response(SimStream& stream, const CompletionRequest& req, http::status status,
                                     std::string body) {
  http::response<http::string_body> res{status, 11};
  res.set(http::field::content_type, "application/json; charset=utf-8");
  res.keep_alive(req.keep_alive);
  res.body() = std::move(body);
  res.prepare_payload();
  auto [ec, n] = co_await http::async_write(stream, res, kAwait);
  co_return !ec && req.keep_alive;
}

// A server that dies while writing a whole answer: the header promises the body, half follows.
asio::awaitable<void> write_half_then_reset(SimStream& stream, std::string body) {
  std::string head = "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ";
  append_number(head, body.size());
  head += "\r\n\r\n";
  head.append(body, 0, body.size() / 2);
  co_await asio::async_write(stream, asio::buffer(head), kAwait);
  stream.reset();
}

std::string error_body(CompletionRequest::Api api) {
  if (api == CompletionRequest::Api::OpenAi) {
    return R"({"error":{"message":"simulated failure","type":"server_error","param":null,"code":null}})";
  }
  return R"({"error":"simulated failure"})";
}

template <class Lines>
asio::awaitable<bool> whole_answer(SimStream& stream, const SimContext& ctx, const CompletionRequest& req) {
  const auto& opt = ctx.options;
  const Faults f = faults_of(opt);
  AnswerPlan plan(*req.script, req.prefill, req.cap);
  const std::size_t produced = std::min(plan.count(), f.first());
  auto start = req.received + req.load + std::chrono::milliseconds(opt.ttft_ms);
  asio::steady_timer timer(stream.get_executor());
  co_await wait_until(timer, due(start, produced, opt.tokens_per_sec));

  std::string content;
  for (auto t = plan.next(); !t.empty(); t = plan.next()) content.append(t);
  Lines lines(req, opt);
  Timestamp ts;
  auto body = lines.whole(ts.view(), content, AnswerEnd{plan.count(), plan.cut_short(), start});

  if (produced != plan.count()) {
    if (produced == f.error_at) {
      co_return co_await write_response(stream, req, http::status::internal_server_error, error_body(req.api));
    }
    if (produced == f.reset_at) {
      co_await write_half_then_reset(stream, std::move(body));
    } else if (produced == f.stall_at) {
      co_await stall(stream, f.stall_close_ms);
    } else {
      stream.drop();
    }
    co_return false;
  }
  co_return co_await write_response(stream, req, http::status::ok, std::move(body));
}

// A cold model: the first request for it waits --load-ms before a single byte goes out, and so
// does any request that arrives while it is still loading.
asio::awaitable<void> wait_for_load(SimStream& stream, SimContext& ctx, CompletionRequest& req) {
  auto ready = ctx.loads.ready_at(ModelRegistry::normalise(req.model), std::chrono::milliseconds(ctx.options.load_ms));
  auto now = Clock::now();
  if (ready <= now) co_return;
  req.load = std::chrono::duration_cast<std::chrono::nanoseconds>(ready - req.received);
  asio::steady_timer timer(stream.get_executor());
  co_await wait_until(timer, ready);
}

}  // namespace

asio::awaitable<bool> serve_completion(SimStream& stream, SimContext& ctx, CompletionRequest request) {
  co_await wait_for_load(stream, ctx, request);
  const bool openai = request.api == CompletionRequest::Api::OpenAi;
  if (request.stream) {
    if (openai) co_return co_await stream_answer<OpenAiEvents>(stream, ctx, request);
    co_return co_await stream_answer<OllamaLines>(stream, ctx, request);
  }
  if (openai) co_return co_await whole_answer<OpenAiEvents>(stream, ctx, request);
  co_return co_await whole_answer<OllamaLines>(stream, ctx, request);
}

}  // namespace yollayah::sim
