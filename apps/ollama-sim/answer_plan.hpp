// The tokens one request streams: its script, after an assistant prefill only what continues it,
// cut short by the request's own token limit (num_predict, max_tokens).
#pragma once

#include "token_source.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace yollayah::sim {

class AnswerPlan {
 public:
  // `prefill`: the content of a final assistant message. When the answer's text starts with it,
  // only the rest is sent (its first token may be the tail of a script token); otherwise the whole
  // answer is. `cap`: the most tokens the request lets the model send.
  AnswerPlan(const TokenSource& source, std::string_view prefill, std::optional<std::size_t> cap);

  std::size_t count() const { return count_; }       // tokens this answer sends
  bool cut_short() const { return cut_short_; }      // the cap ended it: done_reason "length"
  bool continues() const { return continues_; }      // the prefill matched

  // The next escaped token; an empty view after count() of them.
  std::string_view next();

 private:
  TokenSource::Cursor cursor_;
  std::string head_;        // escaped tail of the token the prefill ended inside
  bool has_head_ = false;
  bool continues_ = false;
  bool cut_short_ = false;
  std::size_t count_ = 0;
  std::size_t given_ = 0;
};

}  // namespace yollayah::sim
