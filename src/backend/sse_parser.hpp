// Parses a Server-Sent Events byte stream (the WHATWG "event stream" format) into events, for
// OpenAI-compatible streaming. Lines end in "\n", "\r\n" or "\r", wherever reads cut them; comment
// lines and id/retry/unknown fields are ignored; data lines are joined with "\n"; an event is
// dispatched on its blank line. An event that arrived within one read is handed out as a view
// into that read's bytes: the common one-line event is never copied.
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace yollayah::backend {

struct SseEvent {
  std::string_view data;  // the data lines, joined with "\n"
  std::string_view type;  // the `event:` field ("" when absent, which means "message")
};

class SseParser {
 public:
  // Events whose data is larger than max_event are dropped and counted, and so are lines larger
  // than max_event that a read cut (a line within one read is not copied, whatever its length); a
  // data line dropped that way drops its event with it, rather than hand out the rest of its data.
  explicit SseParser(std::size_t max_event = 8u << 20) : max_event_(max_event) {}

  // Calls on_event(const SseEvent&) -> bool for each event that has data; views are valid only
  // during the call. Returns false as soon as on_event does (the rest is dropped).
  template <class OnEvent>
  bool feed(std::string_view bytes, OnEvent&& on_event) {
    if (at_start_) bytes = skip_bom(bytes);
    while (!bytes.empty()) {
      if (skip_lf_) {  // the "\n" of a "\r\n" that a read cut in two
        skip_lf_ = false;
        if (bytes.front() == '\n') {
          bytes.remove_prefix(1);
          continue;
        }
      }
      const std::size_t end = line_end(bytes);
      if (end == bytes.size()) {
        keep(bytes);
        break;
      }
      skip_lf_ = bytes[end] == '\r';
      const SseEvent* event = nullptr;
      if (tail_.empty() && !discarding_) {
        event = line(bytes.substr(0, end), true);
      } else {
        keep(bytes.substr(0, end));
        if (discarding_) {
          discarding_ = false;
          drop_line(tail_);
        } else {
          event = line(tail_, false);
        }
        tail_.clear();  // keeps its capacity
      }
      bytes.remove_prefix(end + 1);
      if (event && !on_event(*event)) {
        end_of_read();
        return false;
      }
    }
    end_of_read();
    return true;
  }

  // The stream ended. Unlike a browser, a last event whose blank line never came is still
  // dispatched (some servers end with "data: [DONE]\n").
  template <class OnEvent>
  bool finish(OnEvent&& on_event) {
    bool go = true;
    if (discarding_) {
      drop_line(tail_);
    } else if (!tail_.empty()) {
      const std::string last = std::move(tail_);
      if (const auto* event = line(last, false)) go = on_event(*event);
    }
    tail_.clear();
    discarding_ = skip_lf_ = false;
    if (go && (data_lines_ > 0 || event_oversized_)) {
      if (const auto* event = line({}, false)) go = on_event(*event);
    }
    reset_event();
    return go;
  }

  // Events or lines dropped because they exceeded max_event.
  std::size_t oversized_events() const { return oversized_; }
  bool has_partial_event() const { return !tail_.empty() || discarding_ || data_lines_ > 0; }

 private:
  // Handles one complete line; returns the event it completes, if any. `stable` says whether
  // the line's bytes stay valid until the end of this read (a view into the read's bytes) or
  // not (the reassembly buffer).
  const SseEvent* line(std::string_view text, bool stable);
  // Where the first "\n" or "\r" is, or bytes.size(). Two memchr calls (vectorised) rather than a
  // loop over every byte: most of a stream's bytes are chunk JSON.
  static std::size_t line_end(std::string_view bytes) {
    const char* p = bytes.data();
    const auto* lf = static_cast<const char*>(std::memchr(p, '\n', bytes.size()));
    const std::size_t until = lf ? static_cast<std::size_t>(lf - p) : bytes.size();
    const auto* cr = static_cast<const char*>(std::memchr(p, '\r', until));
    return cr ? static_cast<std::size_t>(cr - p) : until;
  }
  void keep(std::string_view part);
  // A line dropped for its length, known by its first bytes (kHead of them).
  void drop_line(std::string_view head);
  std::string_view skip_bom(std::string_view bytes);
  void end_of_read();  // a pending event's data that is still a view is copied
  void reset_event();

  std::size_t max_event_;
  std::string tail_;          // a line cut by a read; while discarding, its first kHead bytes
  bool discarding_ = false;   // the cut line grew past max_event
  static constexpr std::size_t kHead = 5;  // "data:"
  bool skip_lf_ = false;
  bool at_start_ = true;      // a UTF-8 BOM may open the stream
  std::size_t bom_seen_ = 0;
  std::size_t oversized_ = 0;

  // The event being read.
  std::size_t data_lines_ = 0;
  std::string_view data_view_;  // the only data line, still in the read's bytes
  bool data_in_buffer_ = false;
  std::string data_;
  std::string type_;
  bool event_oversized_ = false;
  bool dispatched_ = false;  // event_ was handed out: the event's state is reset before the next line
  SseEvent event_;
};

}  // namespace yollayah::backend
