#include "backend/sse_parser.hpp"

namespace yollayah::backend {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

}  // namespace

const SseEvent* SseParser::line(std::string_view text, bool stable) {
  if (dispatched_) reset_event();
  if (text.empty()) {  // the blank line: dispatch
    if (data_lines_ == 0 && !event_oversized_) {
      type_.clear();
      return nullptr;
    }
    if (event_oversized_) {
      ++oversized_;
      reset_event();
      return nullptr;
    }
    event_ = {data_in_buffer_ ? std::string_view(data_) : data_view_, type_};
    dispatched_ = true;
    return &event_;
  }
  if (text.front() == ':') return nullptr;  // a comment (": keep-alive")

  std::string_view field = text, value;
  if (auto colon = text.find(':'); colon != std::string_view::npos) {
    field = text.substr(0, colon);
    value = text.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    if (event_oversized_) return nullptr;
    const std::size_t size =
        data_lines_ == 0 ? value.size() : (data_in_buffer_ ? data_.size() : data_view_.size()) + 1 + value.size();
    if (size > max_event_) {
      event_oversized_ = true;
      data_.clear();
      data_view_ = {};
      return nullptr;
    }
    if (data_lines_ == 0 && stable) {
      data_view_ = value;
    } else {
      if (!data_in_buffer_) {
        data_.assign(data_view_);
        data_in_buffer_ = true;
      }
      if (data_lines_ > 0) data_.push_back('\n');
      data_.append(value);
    }
    ++data_lines_;
  } else if (field == "event") {
    type_.assign(value);
  }
  // "id", "retry" and unknown fields: nothing we use.
  return nullptr;
}

void SseParser::keep(std::string_view part) {
  if (!discarding_ && tail_.size() + part.size() > max_event_) {
    discarding_ = true;
    if (tail_.size() > kHead) tail_.resize(kHead);  // enough to tell a data line
  }
  if (discarding_) {
    if (tail_.size() < kHead) tail_.append(part.substr(0, kHead - tail_.size()));
    return;
  }
  tail_.append(part);
}

void SseParser::drop_line(std::string_view head) {
  if (dispatched_) reset_event();
  if (head.starts_with("data:") || head == "data") {
    event_oversized_ = true;  // counted once, when the event ends
    data_.clear();
    data_view_ = {};
  } else {
    ++oversized_;
  }
}

std::string_view SseParser::skip_bom(std::string_view bytes) {
  while (!bytes.empty() && bom_seen_ < kBom.size()) {
    if (bytes.front() != kBom[bom_seen_]) {
      tail_.append(kBom.substr(0, bom_seen_));  // not a BOM after all: those bytes are text
      at_start_ = false;
      return bytes;
    }
    bytes.remove_prefix(1);
    ++bom_seen_;
  }
  if (bom_seen_ == kBom.size()) at_start_ = false;
  return bytes;
}

void SseParser::end_of_read() {
  if (dispatched_) reset_event();
  if (data_lines_ > 0 && !data_in_buffer_) {
    data_.assign(data_view_);  // the view dies with this read's bytes
    data_in_buffer_ = true;
  }
}

void SseParser::reset_event() {
  data_lines_ = 0;
  data_view_ = {};
  data_in_buffer_ = false;
  data_.clear();
  type_.clear();
  event_oversized_ = false;
  dispatched_ = false;
}

}  // namespace yollayah::backend
