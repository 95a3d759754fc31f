// The prompt of `yollayah ask` as it comes from the command line or stdin, made fit to send:
// bytes that are not UTF-8 cannot go into a JSON request, so they are replaced, and the user told.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace yollayah::headless {

struct Utf8Repair {
  std::string text;           // valid UTF-8
  std::size_t replaced = 0;   // how many invalid sequences became U+FFFD
  std::size_t first_bad = 0;  // byte offset of the first one in the input (when replaced > 0)
};

// Replaces each maximal invalid subsequence with one U+FFFD, as the Unicode Standard recommends
// (and as Python's errors="replace", browsers and Go's JSON encoder, hence Ollama, do).
Utf8Repair replace_invalid_utf8(std::string_view input);

// The one stderr line that tells what replace_invalid_utf8 did, e.g. "the prompt is not valid
// UTF-8 (first bad byte at offset 6): 2 invalid sequences were sent as U+FFFD".
std::string describe_repair(const Utf8Repair& repair);

// The words joined by single spaces, byte for byte (empty words included).
std::string join_words(const std::vector<std::string>& words);

}  // namespace yollayah::headless
