// The grammar of one avatar tag: turns the text between `[yolla:` and `]` into a validated
// TagCommand, with every alias and limit of anchor-core.md ("Avatar commands inside LLM output",
// "security.rs"). TagParser finds the tags in a stream; this file knows what they mean.
#pragma once

#include "conductor/agents.hpp"
#include "conductor/tag_command.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace yollayah::conductor {

inline constexpr std::size_t kMaxTaskRefLength = 100;
inline constexpr std::size_t kMaxTaskDescriptionBytes = 1000;
inline constexpr std::size_t kMaxTaskFailReasonBytes = 1000;
inline constexpr std::size_t kMaxSpriteLength = 100;
inline constexpr std::string_view kDefaultFailReason = "Unknown error";

struct TagParse {
  enum class Status : std::uint8_t {
    Command,   // `command` holds the validated command
    Unknown,   // not a command we know: drop the tag silently
    Rejected,  // a known command with bad arguments: drop it and log `reason`
  };
  Status status = Status::Unknown;
  TagCommand command;
  std::string reason;
};

// Parses a tag body such as "move 50 75" or "task start qa-engineer \"Run the tests\"".
// - Words are split on ASCII whitespace; extra words after the ones a command takes are ignored.
// - Command words, keywords (positions, moods, sizes, directions, reactions) and agent ids are
//   matched case-insensitively; task refs and free text keep their case.
// - Numbers are decimal integers with an optional trailing '%'.
TagParse parse_tag_body(std::string_view body, const Agents& agents);

}  // namespace yollayah::conductor
