// The prompt of `yollayah ask` as it comes from the command line or stdin.
#pragma once

#include <string>
#include <vector>

namespace yollayah::headless {

// The words joined by single spaces, byte for byte (empty words included).
std::string join_words(const std::vector<std::string>& words);

}  // namespace yollayah::headless
