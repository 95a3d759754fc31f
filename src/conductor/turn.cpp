#include "conductor/turn.hpp"

#include "protocol/utf8.hpp"

namespace yollayah::conductor {

Turn::Turn(Options options)
    : kind_(options.kind),
      id_(std::move(options.id)),
      depth_(options.depth),
      max_answer_bytes_(options.max_answer_bytes),
      parser_(std::move(options.agents)) {}

bool Turn::feed(std::string_view chunk) {
  ++chunks_;
  if (cut()) return false;  // the cap was reached: the rest is dropped while the request stops
  // The clean text goes straight onto what the next Token carries: one copy per model token.
  const std::size_t before = pending_.size();
  parser_.feed(chunk, pending_, commands_);
  const std::size_t added = pending_.size() - before;
  bytes_ += added;
  bool reached_cap = false;
  if (bytes_ > max_answer_bytes_) {
    // An endless stream must not grow without bound: keep what fits.
    const std::size_t over = bytes_ - max_answer_bytes_;
    const std::string_view fresh = std::string_view(pending_).substr(before);
    pending_.resize(before + protocol::utf8_prefix(fresh, added - std::min(over, added)).size());
    reached_cap = true;
  }
  ++pending_lines_;
  return reached_cap;
}

void Turn::finish() {
  parser_.finish(pending_, commands_);
  if (cut()) {
    pending_ += "\n\n*(The answer was cut here: it reached " + std::to_string(max_answer_bytes_ / 1024) +
                " KiB, the limit set by max_answer_bytes in conductor.toml.)*";
  }
}

std::string Turn::take_pending() {
  pending_lines_ = 0;
  if (is_agent()) text_ += pending_;  // a main turn's text is in the history already
  const std::size_t size = pending_.size();
  std::string out = std::move(pending_);
  // The text moved out with its buffer: one allocation of the last Token's size now, instead of
  // the string doubling its way up again token by token.
  pending_ = std::string();
  pending_.reserve(size);
  return out;
}

void Turn::stop(TurnStop reason) {
  if (ended_) return;
  if (stop_reason_ == TurnStop::None) stop_reason_ = reason;
  signal_.emit(boost::asio::cancellation_type::terminal);
}

std::chrono::milliseconds Turn::elapsed(Clock::time_point now) const {
  if (!started_) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(now - *started_);
}

std::string summarise(std::string_view answer, std::size_t max_bytes) {
  while (!answer.empty() && (answer.front() == '\n' || answer.front() == ' ' || answer.front() == '#'))
    answer.remove_prefix(1);
  const auto para = answer.find("\n\n");
  std::string_view first = answer.substr(0, para);
  std::string out;
  for (const char c : first) out.push_back(c == '\n' ? ' ' : c);
  if (out.size() > max_bytes) {
    out.resize(protocol::utf8_prefix(out, max_bytes).size());
    out += "…";
  } else if (para != std::string_view::npos && para + 2 < answer.size()) {
    out += " …";
  }
  return out;
}

std::string last_line(std::string_view text, std::size_t max_bytes) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  const auto nl = text.rfind('\n');
  std::string_view line = nl == std::string_view::npos ? text : text.substr(nl + 1);
  if (line.size() <= max_bytes) return std::string(line);
  // The end of a long line is what is being written now; start it on a character boundary.
  line = line.substr(line.size() - max_bytes);
  while (!line.empty() && (static_cast<unsigned char>(line.front()) & 0xC0) == 0x80) line.remove_prefix(1);
  return "…" + std::string(line);
}

}  // namespace yollayah::conductor
