#include "completion.hpp"

#include "chunked_writer.hpp"
#include "json_text.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <limits>

namespace yollayah::sim {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kNever = std::numeric_limits<std::size_t>::max();

std::uint64_t ns_between(Clock::time_point a, Clock::time_point b) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
}

// Builds Ollama's lines from fixed pieces so a token line is five appends and no allocation.
class LineComposer {
 public:
  explicit LineComposer(const CompletionRequest& req) : api_(req.api) {
    prefix_ = "{\"model\":\"" + json_escaped(req.model) + "\",\"created_at\":\"";
    if (api_ == CompletionRequest::Api::Chat) {
      content_key_ = "\",\"message\":{\"role\":\"assistant\",\"content\":\"";
      close_content_ = "\"}";
    } else {
      content_key_ = "\",\"response\":\"";
      close_content_ = "\"";
    }
  }

  void token(std::string& out, std::string_view ts, std::string_view escaped) const {
    out.append(prefix_);
    out.append(ts);
    out.append(content_key_);
    out.append(escaped);
    out.append(close_content_);
    out.append(",\"done\":false}\n");
  }

  void done(std::string& out, std::string_view ts, const CompletionRequest& req, std::size_t eval_count,
            Clock::time_point first_token) const {
    auto now = Clock::now();
    out.append(prefix_);
    out.append(ts);
    out.append(content_key_);
    out.append(close_content_);
    out.append(",\"done\":true,\"done_reason\":\"");
    out.append(req.limited_by_request ? "length" : "stop");
    out.append("\",\"total_duration\":");
    append_number(out, ns_between(req.received, now));
    out.append(",\"load_duration\":1250000,\"prompt_eval_count\":");
    append_number(out, req.prompt_tokens);
    out.append(",\"prompt_eval_duration\":");
    append_number(out, req.prompt_tokens * 150'000);
    out.append(",\"eval_count\":");
    append_number(out, eval_count);
    out.append(",\"eval_duration\":");
    append_number(out, ns_between(first_token, now));
    out.append("}\n");
  }

  void malformed(std::string& out) const {
    out.append(prefix_);
    out.append(content_key_);
    out.append("this line is not json\n");  // the content string never closes
  }

 private:
  CompletionRequest::Api api_;
  std::string prefix_, content_key_, close_content_;
};

// When token `i` is due under --tokens-per-sec.
Clock::time_point due(Clock::time_point first, std::size_t i, double rate) {
  if (rate <= 0) return first;
  return first + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(double(i) / rate));
}

asio::awaitable<void> wait_until(asio::steady_timer& timer, Clock::time_point t) {
  timer.expires_at(t);
  co_await timer.async_wait(kAwait);
}

// --stall-after: keep the connection open and silent until the client gives up.
asio::awaitable<void> wait_for_peer_close(tcp::socket& socket) {
  char sink[512];
  for (;;) {
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(sink), kAwait);
    if (ec) break;
  }
}

void drop(tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

struct Faults {
  std::size_t fail_at, stall_at, malformed_every;
};

Faults faults_of(const SimOptions& o) {
  return {o.fail_after.value_or(kNever), o.stall_after.value_or(kNever), o.malformed_every};
}

asio::awaitable<bool> stream_answer(tcp::socket& socket, const SimContext& ctx, const CompletionRequest& req) {
  const auto& opt = ctx.options;
  const Faults f = faults_of(opt);
  const LineComposer lines(req);
  ChunkedWriter writer(socket, "application/x-ndjson", req.keep_alive);
  std::string& buf = writer.buffer();
  Timestamp ts;
  asio::steady_timer timer(socket.get_executor());
  std::size_t line_no = 0;
  auto maybe_malformed = [&] {
    if (f.malformed_every >= 2 && (line_no + 1) % f.malformed_every == 0) {
      lines.malformed(buf);
      ++line_no;
    }
  };

  if (opt.ttft_ms > 0) co_await wait_until(timer, req.received + std::chrono::milliseconds(opt.ttft_ms));
  const auto first = Clock::now();
  auto cursor = ctx.tokens.cursor(req.limit);
  std::size_t sent = 0;
  for (;;) {
    const auto now = Clock::now();
    while (sent < req.limit && sent != f.fail_at && sent != f.stall_at && !writer.wants_flush() &&
           due(first, sent, opt.tokens_per_sec) <= now) {
      maybe_malformed();
      lines.token(buf, ts.view(), cursor.next());
      ++line_no;
      ++sent;
    }
    if (sent == f.fail_at || sent == f.stall_at) {
      if (co_await writer.flush()) co_return false;
      if (sent == f.stall_at) co_await wait_for_peer_close(socket);
      drop(socket);
      co_return false;
    }
    if (sent == req.limit) {
      maybe_malformed();
      lines.done(buf, ts.view(), req, sent, first);
      auto ec = co_await writer.flush(true);
      co_return !ec && req.keep_alive;
    }
    if (!buf.empty() && (writer.wants_flush() || opt.tokens_per_sec > 0)) {
      if (co_await writer.flush()) co_return false;
      ts.refresh();
    }
    auto next = due(first, sent, opt.tokens_per_sec);
    if (next > Clock::now()) co_await wait_until(timer, next);
  }
}

asio::awaitable<bool> whole_answer(tcp::socket& socket, const SimContext& ctx, const CompletionRequest& req) {
  const auto& opt = ctx.options;
  const Faults f = faults_of(opt);
  const std::size_t produced = std::min({req.limit, f.fail_at, f.stall_at});
  auto start = req.received + std::chrono::milliseconds(opt.ttft_ms);
  asio::steady_timer timer(socket.get_executor());
  co_await wait_until(timer, due(start, produced, opt.tokens_per_sec));
  if (produced != req.limit) {
    if (produced == f.stall_at) co_await wait_for_peer_close(socket);
    drop(socket);
    co_return false;
  }

  std::string content;
  auto cursor = ctx.tokens.cursor(req.limit);
  for (auto t = cursor.next(); !t.empty(); t = cursor.next()) content.append(t);

  const LineComposer lines(req);
  std::string body;
  Timestamp ts;
  lines.done(body, ts.view(), req, req.limit, start);
  // The done object with the whole answer spliced in as its content.
  const std::string_view key = req.api == CompletionRequest::Api::Chat ? "\"content\":\"" : "\"response\":\"";
  body.insert(body.find(key) + key.size(), content);
  body.pop_back();  // the NDJSON newline

  http::response<http::string_body> res{http::status::ok, 11};
  res.set(http::field::content_type, "application/json; charset=utf-8");
  res.keep_alive(req.keep_alive);
  res.body() = std::move(body);
  res.prepare_payload();
  auto [ec, n] = co_await http::async_write(socket, res, kAwait);
  co_return !ec && req.keep_alive;
}

}  // namespace

asio::awaitable<bool> serve_completion(tcp::socket& socket, const SimContext& ctx, const CompletionRequest& request) {
  if (request.stream) co_return co_await stream_answer(socket, ctx, request);
  co_return co_await whole_answer(socket, ctx, request);
}

}  // namespace yollayah::sim
