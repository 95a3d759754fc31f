#include "backend/ollama_chat_stream.hpp"

#include "core/log.hpp"

namespace yollayah::backend {
namespace {

std::uint32_t clamp32(std::uint64_t v) { return v > 0xffffffffu ? 0xffffffffu : static_cast<std::uint32_t>(v); }

}  // namespace

bool OllamaChatStream::on_body(std::string_view bytes) {
  const bool more = lines_.feed(bytes, [this](std::string_view line) { return on_line(line); });
  sink_.on_batch_end();
  return more;
}

void OllamaChatStream::finish() {
  lines_.finish([this](std::string_view line) { return on_line(line); });
  stats_.malformed_lines += clamp32(lines_.oversized_lines());
  if (stats_.malformed_lines > 1) {
    core::log().warn("{}: skipped {} malformed NDJSON lines", masked(url_, secret_), stats_.malformed_lines);
  }
}

bool OllamaChatStream::on_line(std::string_view line) {
  if (error_) return false;
  if (!parser_.parse(line)) {
    if (++stats_.malformed_lines == 1) {  // one warning per stream; finish() logs the total
      core::log().warn("{}", masked(url_ + ": skipping a line that is not valid JSON: " + std::string(line.substr(0, 200)),
                                    secret_));
    }
    return true;
  }
  const auto& l = parser_.line();
  if (l.has_error) {
    error_ = BackendError{BackendError::Kind::Server, l.error.empty() ? "Ollama reported an error" : l.error, url_, 0};
    return false;
  }
  if (l.has_content && !l.content.empty()) {
    deadlines_.on_content();
    sink_.on_content(l.content);
  }
  if (l.done) {
    done_ = true;
    stats_.model = l.model;
    stats_.done_reason = l.done_reason;
    stats_.eval_count = clamp32(l.eval_count);
    stats_.eval_duration_ns = l.eval_duration;
    stats_.total_duration_ns = l.total_duration;
    stats_.prompt_eval_count = clamp32(l.prompt_eval_count);
    stats_.prompt_eval_duration_ns = l.prompt_eval_duration;
    stats_.load_duration_ns = l.load_duration;
    stats_.first_token_ns = deadlines_.first_token_ns();
  }
  return true;
}

}  // namespace yollayah::backend
