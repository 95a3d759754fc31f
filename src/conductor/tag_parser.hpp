// The streaming parser for avatar tags `[yolla:<command> <args…>]` in model output
// (PROTOCOL.md "Avatar tags inside model output"). It removes every tag from the text, whichever
// token boundaries split it, and turns the recognised ones into TagCommands.
#pragma once

#include "conductor/agents.hpp"
#include "conductor/rejection_log.hpp"
#include "conductor/tag_command.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace yollayah::conductor {

// One parser per response; reset() it before the next one.
//
// Rules, byte for byte, so the output never depends on how the text is chunked:
// - A tag is `[yolla:` (exact, lower case), a body with no '[', ']' or newline, then ']': at most
//   kMaxTagBytes bytes in all. The body's grammar is in tag_grammar.hpp.
// - Text that could still become a tag is held back; everything else is released at once. `[1]`
//   and `[link](x)` come out as soon as the byte after '[' rules out `[yolla:`.
// - A held `[yolla:…` that meets '[' or a newline, or grows past kMaxTagBytes without ']', is not a
//   tag: it is released as plain text and parsing resumes after it (a '[' that ended it may start
//   the next tag).
// - A recognised tag is removed. An unknown command is dropped silently; a known command with bad
//   arguments, and any command past kMaxCommands, is dropped and logged in rejections().
// - finish() at the end of the stream drops a held `[yolla:…` (a tag cut off by the end of the
//   response) and logs it; a held partial prefix such as `[yo` is released as text.
//
// Since a tag is at most 256 bytes, a description in `[yolla:task start <agent> …]` is at most
// 237 bytes minus the agent id (225 for qa-engineer), well below the 1000-byte description limit.
//
// If every chunk fed is valid UTF-8, every piece of text appended is valid UTF-8 too: held text
// starts with '[', and text is only split at ASCII bytes.
class TagParser {
 public:
  static constexpr std::string_view kPrefix = "[yolla:";
  static constexpr std::size_t kMaxTagBytes = 256;  // the most text ever held back
  static constexpr std::size_t kMaxCommands = 10;   // per response

  explicit TagParser(std::shared_ptr<const Agents> agents = Agents::builtin());

  // Appends the text of `chunk` with tags removed to `clean_out`, and the recognised commands to
  // `commands_out`. A chunk without '[' while nothing is held costs one append.
  void feed(std::string_view chunk, std::string& clean_out, std::vector<TagCommand>& commands_out) {
    if (held_.empty() && chunk.find('[') == std::string_view::npos) {
      clean_out.append(chunk);
      return;
    }
    feed_slow(chunk, clean_out, commands_out);
  }

  // End of stream: releases or drops whatever is held (see the class comment).
  void finish(std::string& clean_out, std::vector<TagCommand>& commands_out);

  // Ready for a new response: drops held text and the command count. The rejection log stays.
  void reset();

  // The last 100 rejections, oldest first, e.g. "[yolla:point 150 20] point: X and Y must be 0-100…".
  const std::deque<std::string>& rejections() const { return rejections_.entries(); }
  std::uint64_t rejection_count() const { return rejections_.total(); }  // all, not only the kept ones
  std::uint64_t unknown_count() const { return unknown_; }               // tags dropped as unknown
  std::size_t command_count() const { return commands_; }                // emitted since reset()
  std::uint64_t over_limit_count() const { return over_limit_; }         // dropped past kMaxCommands since reset()
  std::uint64_t over_limit_task_starts() const { return over_limit_starts_; }  // of those, `task start`s
  std::size_t held_bytes() const { return held_.size(); }

 private:
  void feed_slow(std::string_view chunk, std::string& clean_out, std::vector<TagCommand>& commands_out);
  void complete_tag(std::vector<TagCommand>& commands_out);
  void release(std::string& clean_out);

  std::shared_ptr<const Agents> agents_;
  std::string held_;  // empty, or a prefix of kPrefix, or kPrefix + body; capacity kMaxTagBytes
  std::size_t commands_ = 0;
  std::uint64_t over_limit_ = 0;
  std::uint64_t over_limit_starts_ = 0;
  std::uint64_t unknown_ = 0;
  RejectionLog rejections_;
};

}  // namespace yollayah::conductor
