// Text the store derives from messages: titles and first lines, the full-text query built from
// what the user typed, and highlighted snippets. Pure functions, UTF-8 safe.
#pragma once

#include "store/records.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace yollayah::store {

// The first non-empty line, whitespace runs folded to one space, cut at `max_chars` characters (at
// a word boundary when one is near) with "…" added when cut.
std::string first_line(std::string_view text, std::size_t max_chars);

// A title from the first user message (first_line at 60 characters).
std::string title_from(std::string_view first_message);

// An FTS5 MATCH expression for what the user typed: every word must appear (each one quoted, so
// FTS5 syntax in the text is taken literally); a word ending in * (2 characters or more before it)
// matches the words it begins. Prefixes are asked for, never implied: over a million messages a
// short one merges the entries of thousands of words (hundreds of milliseconds; BENCHMARKS.md).
// Nothing when the text holds no word.
std::optional<std::string> fts_query(std::string_view typed);

// Markers snippet() puts around matches; bytes that cannot occur in stored text (the Conductor
// rejects control characters other than tab and newline).
inline constexpr char kMarkOpen = '\x02';
inline constexpr char kMarkClose = '\x03';

// Strips the markers, recording the byte range of each highlighted part.
void split_highlights(std::string_view marked, SearchHit& hit);

// The hit's snippet on one line (line breaks become spaces), each highlighted part between `open`
// and `close`.
std::string marked_snippet(const SearchHit& hit, std::string_view open, std::string_view close);

// Cuts `text` to at most `max_bytes` bytes without splitting a UTF-8 character.
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

}  // namespace yollayah::store
