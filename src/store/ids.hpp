// Identifiers the store gives conversations and messages: UUIDv7 (RFC 9562), unique across
// processes and restarts and sorted by creation time, unlike the session's per-process msg_<n>.
#pragma once

#include <cstdint>
#include <string>

namespace yollayah::store {

// "0190a5c4-7b1e-7d3a-9f12-3c4d5e6f7a8b": 48 bits of Unix milliseconds, a counter that keeps ids
// made in the same millisecond by one thread in order, and 62 random bits. Any thread.
std::string new_id();

// Whether `text` has the shape of an id made by new_id() (any UUID, in fact).
bool looks_like_id(const std::string& text);

std::uint64_t now_ms();  // Unix milliseconds (system clock)

}  // namespace yollayah::store
