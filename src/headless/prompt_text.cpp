#include "headless/prompt_text.hpp"

namespace yollayah::headless {

std::string describe_repair(const Utf8Repair& repair) {
  const auto n = repair.replaced;
  return "the prompt is not valid UTF-8 (first bad byte at offset " + std::to_string(repair.first_bad) + "): " +
         std::to_string(n) + (n == 1 ? " invalid sequence was" : " invalid sequences were") + " sent as U+FFFD";
}

std::string join_words(const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out.push_back(' ');
    out.append(words[i]);
  }
  return out;
}

}  // namespace yollayah::headless
