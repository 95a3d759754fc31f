// Where the simulated model's tokens come from: a script file, a seeded word generator, or the
// default greeting. Tokens are JSON-escaped once, up front, so streaming them is a plain copy; the
// raw text is kept beside them for matching an assistant prefill (answer_plan.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace yollayah::sim {

class TokenSource {
 public:
  // Reads a script: one token per line, the two characters "\n" stand for a newline. Throws on
  // an unreadable or empty file (start-up only). `count` cycles the script to that many tokens.
  static TokenSource from_script(const std::string& path, std::optional<std::size_t> count);
  static TokenSource from_seed(std::uint64_t seed, std::size_t count);
  static TokenSource greeting(std::optional<std::size_t> count = std::nullopt);  // cycles like a script
  // Tokens given as they are (raw text; the demo persona splits its answers itself).
  static TokenSource from_tokens(const std::vector<std::string>& tokens);

  std::size_t count() const { return count_; }

  // Walks the tokens of one answer; each answer replays the same sequence.
  class Cursor {
   public:
    // The next escaped token, or an empty view once `limit` tokens were produced.
    std::string_view next();
    // The unescaped text of the token next() returned last.
    std::string_view raw() const { return source_->raw_[last_]; }

   private:
    friend class TokenSource;
    Cursor(const TokenSource& source, std::size_t limit);
    std::size_t next_generated();

    const TokenSource* source_;
    std::size_t index_ = 0;
    std::size_t last_ = 0;
    std::size_t limit_;
    std::uint64_t rng_;
    enum class Pending : std::uint8_t { None, Period, Comma };
    int words_left_ = 0;        // words before the current sentence ends
    bool sentence_start_ = true;
    bool line_start_ = true;    // no leading space before the next word
    Pending pending_ = Pending::None;
  };

  Cursor cursor(std::size_t limit) const { return Cursor(*this, limit); }

 private:
  void add(std::string raw);

  std::vector<std::string> escaped_;  // script tokens, or the generator's word forms
  std::vector<std::string> raw_;      // the same, unescaped
  std::size_t count_ = 0;
  std::optional<std::uint64_t> seed_;
};

}  // namespace yollayah::sim
