// A conversation as Markdown (`/export`, `yollayah history export`), and the pieces the CLI shares:
// an answer's meta line and dates in local time.
#pragma once

#include "store/records.hpp"

#include <cstdint>
#include <string>

namespace yollayah::store {

// "llama3.2 on gpu-box · 1.2 s to first token · 31.0 tok/s · 4.0 s · 812 tokens · answer 2/3 ·
// interrupted": the TUI's meta line, plus what the history knows besides.
std::string meta_line(const StoredMessage& message);

std::string local_time(std::uint64_t unix_ms);  // "2026-11-22 10:30"

// Title, start date, model and id; then each message of the branch with its role and time, and
// under each answer its meta line in italics.
std::string to_markdown(const Conversation& conversation);

}  // namespace yollayah::store
