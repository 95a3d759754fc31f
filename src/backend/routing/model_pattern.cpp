#include "backend/routing/model_pattern.hpp"

namespace yollayah::backend::routing {

// Linear-time wildcard matching: on a mismatch, go back to just after the last `*` and let it
// swallow one more character. No recursion, so a hostile pattern cannot blow the stack.
bool glob_match(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0;
  std::size_t star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool serves_model(const std::vector<std::string>& patterns, std::string_view model) {
  for (const auto& pattern : patterns)
    if (glob_match(pattern, model)) return true;
  return false;
}

}  // namespace yollayah::backend::routing
