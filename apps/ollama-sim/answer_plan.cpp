#include "answer_plan.hpp"

#include "json_text.hpp"

namespace yollayah::sim {

AnswerPlan::AnswerPlan(const TokenSource& source, std::string_view prefill, std::optional<std::size_t> cap)
    : cursor_(source.cursor(source.count())) {
  std::size_t remaining = source.count();
  if (!prefill.empty()) {
    // Walk a copy of the cursor over the prefill; on a mismatch the original starts from the top.
    auto probe = cursor_;
    std::size_t matched = 0, consumed = 0;
    std::string_view tail;
    bool mismatch = false;
    while (matched < prefill.size() && consumed < source.count()) {
      probe.next();
      ++consumed;
      auto raw = probe.raw();
      auto want = prefill.substr(matched);
      if (raw.size() <= want.size()) {
        if (want.substr(0, raw.size()) != raw) mismatch = true;
        matched += raw.size();
      } else {
        if (raw.substr(0, want.size()) != want) mismatch = true;
        tail = raw.substr(want.size());
        matched = prefill.size();
      }
      if (mismatch) break;
    }
    if (!mismatch && matched == prefill.size()) {
      continues_ = true;
      cursor_ = probe;
      remaining = source.count() - consumed;
      if (!tail.empty()) {
        head_ = json_escaped(tail);
        has_head_ = true;
        ++remaining;
      }
    }
  }
  count_ = remaining;
  if (cap && *cap < remaining) {
    count_ = *cap;
    cut_short_ = true;
  }
}

std::string_view AnswerPlan::next() {
  if (given_ >= count_) return {};
  ++given_;
  if (has_head_) {
    has_head_ = false;
    return head_;
  }
  return cursor_.next();
}

}  // namespace yollayah::sim
