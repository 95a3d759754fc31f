// The agents a `[yolla:task start <agent> …]` tag may name, defined in one place: the ten built-in
// specialists with their family names and personas (anchor-core "Tasks"), the [[agent]] entries of
// conductor.toml and CONDUCTOR_ADDITIONAL_AGENTS. Immutable once built; share as shared_ptr<const Agents>.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace yollayah::conductor {

struct AgentInfo {
  std::string id;            // e.g. "backend-engineer"
  std::string display_name;  // e.g. "Uncle Marco"
  std::string persona;       // its system prompt: who it is and what it is good at
  std::string model;         // its own model; empty: the conversation's
  std::uint32_t max_tokens = 0;  // 0: Agents::kDefaultMaxTokens
};

class Agents {
 public:
  static constexpr std::size_t kMaxIdLength = 100;
  static constexpr std::uint32_t kDefaultMaxTokens = 1024;

  // The ten built-in agents.
  Agents();

  // The built-in set, shared by everything that needs no additional agents.
  static std::shared_ptr<const Agents> builtin();

  // The built-in set plus a comma-separated list (the value of CONDUCTOR_ADDITIONAL_AGENTS; the
  // caller reads the environment). Invalid entries are skipped; see add_from_list.
  static std::shared_ptr<const Agents> with_additional(std::string_view comma_separated);

  // Adds each entry of a comma-separated list. Entries are trimmed and lower-cased; empty entries
  // are ignored; an entry that is not 1–100 characters of [a-z0-9_-] is skipped and returned, so the
  // caller can warn about it. Additional agents show as their title-cased id ("data-scientist" →
  // "Data Scientist") and get a generic persona.
  std::vector<std::string> add_from_list(std::string_view comma_separated);

  // Adds or replaces (same id) a fully described agent, e.g. from [[agent]]. Empty fields get
  // defaults: the title-cased id as name, a generic persona. Returns false for an invalid id.
  bool add(AgentInfo agent);

  // True if `id` is on the allowlist (exact match; ids are lower case).
  bool contains(std::string_view id) const;
  const AgentInfo* find(std::string_view id) const;

  // The family name of a known agent; for an unknown id, its words title-cased
  // ("my-agent" → "My Agent").
  std::string display_name(std::string_view id) const;
  std::uint32_t max_tokens(std::string_view id) const;

  const std::vector<AgentInfo>& all() const { return agents_; }

  // True if `id` could be an agent id: 1–100 characters of [a-z0-9_-].
  static bool valid_id(std::string_view id);

 private:
  std::vector<AgentInfo> agents_;
};

// "data-scientist" → "Data Scientist".
std::string title_case_id(std::string_view id);

// The persona of an agent that was given none: a specialist in what its name says.
std::string generic_persona(std::string_view display_name, std::string_view id);

}  // namespace yollayah::conductor
