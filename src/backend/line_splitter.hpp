// Splits a byte stream into '\n'-terminated lines (NDJSON, SSE). Lines wholly inside one chunk are
// handed out as views into it; only a line split across chunks is copied, into one reused buffer.
// Splitting on '\n' alone keeps multi-byte UTF-8 intact: no UTF-8 byte is ever '\n'.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace yollayah::backend {

class LineSplitter {
 public:
  explicit LineSplitter(std::size_t max_line = 8u << 20) : max_line_(max_line) {}

  // Calls on_line(std::string_view) -> bool for each complete line, without its "\n" or "\r\n";
  // empty lines are skipped. Returns false as soon as on_line does (the rest is dropped).
  template <class OnLine>
  bool feed(std::string_view bytes, OnLine&& on_line) {
    while (!bytes.empty()) {
      auto nl = bytes.find('\n');
      if (nl == std::string_view::npos) {
        keep(bytes);
        return true;
      }
      auto piece = bytes.substr(0, nl);
      bytes.remove_prefix(nl + 1);
      if (discarding_) {  // the end of a line that grew past max_line
        discarding_ = false;
        ++oversized_;
        continue;
      }
      if (!tail_.empty()) {
        keep(piece);
        if (discarding_) {
          discarding_ = false;
          ++oversized_;
          continue;
        }
        bool go = emit(tail_, on_line);
        tail_.clear();  // keeps its capacity
        if (!go) return false;
      } else if (!emit(piece, on_line)) {
        return false;
      }
    }
    return true;
  }

  // The stream ended: hands out an unterminated last line, if any.
  template <class OnLine>
  bool finish(OnLine&& on_line) {
    bool go = discarding_ ? true : emit(tail_, on_line);
    if (discarding_) ++oversized_;
    discarding_ = false;
    tail_.clear();
    return go;
  }

  // Lines dropped because they exceeded max_line.
  std::size_t oversized_lines() const { return oversized_; }
  bool has_partial_line() const { return !tail_.empty() || discarding_; }

 private:
  void keep(std::string_view part) {
    if (discarding_) return;
    if (tail_.size() + part.size() > max_line_) {
      discarding_ = true;
      tail_.clear();
      return;
    }
    tail_.append(part);
  }

  template <class OnLine>
  static bool emit(std::string_view line, OnLine& on_line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return true;
    return on_line(line);
  }

  std::size_t max_line_;
  std::string tail_;
  bool discarding_ = false;
  std::size_t oversized_ = 0;
};

}  // namespace yollayah::backend
