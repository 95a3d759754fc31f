// Helpers shared by the tag parser tests: run text through a TagParser, print TagCommands.
#pragma once

#include "conductor/tag_command.hpp"
#include "conductor/tag_parser.hpp"

#include <deque>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace yollayah::conductor {
namespace tag {

// GoogleTest finds these by ADL for failure messages.
inline void PrintTo(const TagCommand& c, std::ostream* os) { *os << describe(c); }

}  // namespace tag

namespace testing_util {

struct Parsed {
  std::string clean;
  std::vector<TagCommand> commands;
  std::deque<std::string> rejections;
};

inline std::vector<std::string> described(const std::vector<TagCommand>& commands) {
  std::vector<std::string> out;
  for (const auto& c : commands) out.push_back(describe(c));
  return out;
}

// Feeds each chunk in turn, then finishes the stream.
inline Parsed parse_chunks(const std::vector<std::string_view>& chunks, TagParser parser = TagParser()) {
  Parsed p;
  for (const auto chunk : chunks) parser.feed(chunk, p.clean, p.commands);
  parser.finish(p.clean, p.commands);
  p.rejections = parser.rejections();
  return p;
}

inline Parsed parse_whole(std::string_view text) { return parse_chunks({text}); }

// Splits `text` before each offset in `cuts` (ascending).
inline std::vector<std::string_view> split_at(std::string_view text, const std::vector<std::size_t>& cuts) {
  std::vector<std::string_view> chunks;
  std::size_t from = 0;
  for (const auto cut : cuts) {
    chunks.push_back(text.substr(from, cut - from));
    from = cut;
  }
  chunks.push_back(text.substr(from));
  return chunks;
}

inline std::vector<std::string_view> one_byte_chunks(std::string_view text) {
  std::vector<std::string_view> chunks;
  for (std::size_t i = 0; i < text.size(); ++i) chunks.push_back(text.substr(i, 1));
  return chunks;
}

}  // namespace testing_util
}  // namespace yollayah::conductor
