// The demo persona (ollama-sim --demo): picks a scripted answer from the conversation a chat request
// carries. The answers and the keywords that pick them are data files in a demo directory.
//
// The directory (apps/ollama-sim/demo, see its README.md) holds match.txt, the rules, and one
// Markdown file per answer kind: greeting.md, thanks.md, who.md, joke.md, table.md, plan.md,
// delegate.md, report.md, report-stopped.md, fallback.md, code/<language>.md for every language
// match.txt names, agents/<agent-id>.md (agents/default.md for the others). An answer file may hold
// alternatives after a line "--- another" and a short form after a line "--- shorter".
#pragma once

#include "token_source.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace yollayah::sim {

struct DemoMessage {
  std::string role;  // "system", "user", "assistant"
  std::string text;
};

// What an answer is: the file it comes from, which alternative, long or short.
struct DemoChoice {
  std::string kind = "fallback";  // a rule's kind: greeting, code, table, … or "agent"
  std::string language;           // code: python, rust, cpp, javascript, go, bash
  std::string agent;              // agent: the agent id its system prompt names
  std::size_t variant = 0;        // "another one": the next alternative (cycled)
  bool shorter = false;           // "make it shorter": the short form, if the file has one

  // "code/rust", "agents/qa-engineer", "joke": the answer file without ".md".
  std::string file() const;
  bool operator==(const DemoChoice&) const = default;
};

class DemoPersona {
 public:
  // Reads match.txt and every answer file it needs. Throws std::runtime_error naming the missing
  // or malformed file (start-up only).
  static DemoPersona load(const std::string& dir);

  // Where --demo looks without a directory: the install tree's share/yollayah/demo beside the
  // binary's bin/, else the checkout's apps/ollama-sim/demo.
  static std::string default_dir();

  // The answer for a conversation: an agent's request is answered as that agent; otherwise each
  // user message is classified in turn, so a follow-up ("and in Rust?", "another one", "make it
  // shorter") builds on the turn before it.
  DemoChoice choose(std::span<const DemoMessage> messages) const;

  // The tokens of a choice (its alternative cycled, the long form when there is no short one).
  const TokenSource& answer(const DemoChoice& choice) const;

 private:
  struct Keyword {
    std::string text;  // lower case
    bool prefix = false;
  };
  using Alternative = std::vector<Keyword>;  // all of them must occur
  struct Rule {
    std::string kind;  // or "lang" with `language`
    std::string language;
    std::vector<Alternative> alternatives;  // any of them
  };
  struct Answer {
    std::vector<TokenSource> variants;
    std::vector<TokenSource> shorter;  // empty or one
  };

  void read_rules(const std::string& path);
  void read_answer(const std::string& dir, const std::string& file);
  static bool matches(const Rule& rule, std::string_view lower);
  DemoChoice classify(std::string_view text, const DemoChoice* previous) const;
  const Rule* first_match(std::string_view lower, std::string_view kind) const;
  std::string language_of(std::string_view lower) const;

  std::vector<Rule> rules_;
  std::map<std::string, Answer, std::less<>> answers_;  // by DemoChoice::file()
};

// Splits text into tokens the way a model streams them: a word with its leading spaces, long words
// in pieces of a few bytes (never inside a UTF-8 sequence), each run of newlines on its own.
std::vector<std::string> demo_tokens(std::string_view text);

}  // namespace yollayah::sim
