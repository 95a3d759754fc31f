// The prompt of `yollayah ask` as it comes from the command line or stdin, made fit to send:
// bytes that are not UTF-8 cannot go into a JSON request, so they are replaced, and the user told.
#pragma once

#include "protocol/utf8.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace yollayah::headless {

// The prompt's repair is protocol's (the same as every other layer's that must send valid UTF-8).
using protocol::replace_invalid_utf8;
using protocol::Utf8Repair;

// The one stderr line that tells what replace_invalid_utf8 did, e.g. "the prompt is not valid
// UTF-8 (first bad byte at offset 6): 2 invalid sequences were sent as U+FFFD".
std::string describe_repair(const Utf8Repair& repair);

// The words joined by single spaces, byte for byte (empty words included).
std::string join_words(const std::vector<std::string>& words);

}  // namespace yollayah::headless
