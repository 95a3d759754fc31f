// A bounded log of rejected model commands, kept for diagnostics (anchor-core "security.rs": the
// last 100 rejections). The oldest entry goes first when the log is full.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

namespace yollayah::conductor {

class RejectionLog {
 public:
  static constexpr std::size_t kDefaultCapacity = 100;

  explicit RejectionLog(std::size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  void add(std::string reason) {
    ++total_;
    if (capacity_ == 0) return;
    if (entries_.size() == capacity_) entries_.pop_front();
    entries_.push_back(std::move(reason));
  }

  const std::deque<std::string>& entries() const { return entries_; }
  std::uint64_t total() const { return total_; }  // every rejection ever added, not only those kept

 private:
  std::size_t capacity_;
  std::deque<std::string> entries_;
  std::uint64_t total_ = 0;
};

}  // namespace yollayah::conductor
