#include "backend/openai_chat_stream.hpp"

#include "core/log.hpp"

#include <algorithm>
#include <limits>

namespace yollayah::backend {
namespace {

constexpr std::chrono::milliseconds kAfterDone{2000};

std::uint32_t clamp32(std::uint64_t v) { return v > 0xffffffffu ? 0xffffffffu : static_cast<std::uint32_t>(v); }

// A server's milliseconds as nanoseconds; past 2^64 (1e300, inf) the cast would be undefined: saturate.
std::uint64_t ns_of(double ms) {
  if (!(ms > 0)) return 0;
  const double ns = ms * 1e6;
  return ns < 0x1p64 ? static_cast<std::uint64_t>(ns) : std::numeric_limits<std::uint64_t>::max();
}

std::uint64_t ns_between(ChatDeadlines::Clock::time_point a, ChatDeadlines::Clock::time_point b) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count();
  return ns > 0 ? static_cast<std::uint64_t>(ns) : 0;
}

}  // namespace

bool OpenAiChatStream::on_body(std::string_view bytes) {
  const bool more = events_.feed(bytes, [this](const SseEvent& e) { return on_event(e); });
  sink_.on_batch_end();
  return more;
}

std::chrono::milliseconds OpenAiChatStream::read_timeout(std::chrono::milliseconds) const {
  return saw_done_ ? std::min(kAfterDone, deadlines_.read_timeout()) : deadlines_.read_timeout();
}

void OpenAiChatStream::finish() {
  if (!error_) events_.finish([this](const SseEvent& e) { return on_event(e); });
  stats_.malformed_lines += clamp32(events_.oversized_events());
  if (stats_.malformed_lines > 1) {
    core::log().warn("{}: skipped {} malformed stream events", masked(url_, secret_), stats_.malformed_lines);
  }
  const auto end = ChatDeadlines::Clock::now();
  if (!usage_) stats_.eval_count = counted_;
  stats_.first_token_ns = deadlines_.first_token_ns();
  stats_.total_duration_ns = ns_between(deadlines_.sent_at(), end);
  stats_.eval_duration_ns = predicted_ms_ >= 0 ? ns_of(predicted_ms_)
                            : deadlines_.got_content() ? ns_between(deadlines_.first_content_at(), end)
                                                       : 0;
  if (prompt_ms_ >= 0) stats_.prompt_eval_duration_ns = ns_of(prompt_ms_);
}

bool OpenAiChatStream::on_event(const SseEvent& event) {
  if (error_) return false;
  if (event.data == "[DONE]") {
    saw_done_ = true;
    return true;  // read on to the end of the body, so the connection can be kept
  }
  const bool parsed = parser_.parse(event.data);
  if (event.type == "error" || (parsed && parser_.chunk().has_error)) {
    std::string text = parsed ? parser_.chunk().error : std::string(event.data.substr(0, 300));
    if (text.empty()) text = where_ + " reported an error mid-answer";
    error_ = BackendError{BackendError::Kind::Server, std::move(text), url_, 0};
    return false;
  }
  if (!parsed) {
    if (++stats_.malformed_lines == 1) {  // one warning per stream; finish() logs the total
      core::log().warn("{}", masked(url_ + ": skipping an event that is not valid JSON: " +
                                        std::string(event.data.substr(0, 200)),
                                    secret_));
    }
    return true;
  }
  const auto& c = parser_.chunk();
  if (c.has_content && !c.content.empty()) {
    deadlines_.on_content();
    ++counted_;
    sink_.on_content(c.content);
  }
  if (!c.finish_reason.empty()) stats_.done_reason = c.finish_reason;
  if (stats_.model.empty() && !c.model.empty()) stats_.model = c.model;
  if (c.has_usage) {
    usage_ = true;
    stats_.eval_count = clamp32(c.completion_tokens);
    stats_.prompt_eval_count = clamp32(c.prompt_tokens);
  }
  if (c.has_timings) {
    predicted_ms_ = c.predicted_ms;
    prompt_ms_ = c.prompt_ms;
  }
  return true;
}

}  // namespace yollayah::backend
