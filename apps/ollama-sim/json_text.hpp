// Small text helpers for writing Ollama's JSON by hand on the hot path: escaping, numbers and the
// RFC 3339 "created_at" timestamp, all appending into a caller-owned buffer.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace yollayah::sim {

// Appends `text` as the inside of a JSON string (no quotes). UTF-8 passes through unchanged.
void append_json_escaped(std::string& out, std::string_view text);
std::string json_escaped(std::string_view text);

void append_number(std::string& out, std::uint64_t value);

// "2026-11-21T10:00:00.123456Z" for the current time. refresh() re-reads the clock; the stream
// calls it once per written chunk, not once per line.
class Timestamp {
 public:
  Timestamp() { refresh(); }
  explicit Timestamp(std::chrono::system_clock::time_point t) { set(t); }
  void refresh() { set(std::chrono::system_clock::now()); }
  void set(std::chrono::system_clock::time_point t);
  std::string_view view() const { return {text_, kSize}; }

 private:
  static constexpr std::size_t kSize = 27;
  char text_[kSize + 1] = {};
};

inline std::string rfc3339(std::chrono::system_clock::time_point t) { return std::string(Timestamp(t).view()); }

// A deterministic pseudo-digest ("sha256:" + 64 hex) derived from a name.
std::string fake_digest(std::string_view name);

}  // namespace yollayah::sim
