#include "headless/prompt_text.hpp"

namespace yollayah::headless {

std::string join_words(const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out.push_back(' ');
    out.append(words[i]);
  }
  return out;
}

}  // namespace yollayah::headless
