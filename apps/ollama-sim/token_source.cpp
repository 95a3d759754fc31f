#include "token_source.hpp"

#include "json_text.hpp"

#include <array>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace yollayah::sim {
namespace {

constexpr std::array kWords = {
    "the",      "axolotl",  "water",   "light",    "river",   "small",    "quiet",   "bright",
    "morning",  "garden",   "stone",   "friend",   "story",   "question", "answer",  "simple",
    "always",   "often",    "never",   "today",    "because", "while",    "under",   "over",
    "through",  "between",  "gentle",  "curious",  "little",  "warm",     "cool",    "green",
    "blue",     "golden",   "ancient", "lake",     "city",    "market",   "song",    "dream",
    "thought",  "idea",     "path",    "window",   "door",    "table",    "book",    "letter",
    "word",     "sentence", "reason",  "moment",   "hour",    "season",   "summer",  "winter",
    "we",       "you",      "they",    "it",       "is",      "are",      "was",     "will",
    "can",      "should",   "might",   "find",     "make",    "take",     "see",     "know",
    "think",    "build",    "carry",   "follow",   "listen",  "remember", "explain", "learn",
    "and",      "or",       "but",     "with",     "from",    "into",     "about",   "around",
    "a",        "an",       "this",    "that",     "every",   "some",     "many",    "few",
    "slowly",   "quickly",  "together", "again",   "here",    "there",    "nearly",  "perhaps",
    "code",     "program",  "terminal", "screen",  "token",   "model",    "message", "signal",
};
constexpr std::size_t kForms = 4;  // " word", "word", " Word", "Word"

std::uint64_t next_random(std::uint64_t& state) {  // splitmix64
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::string unescape_newlines(const std::string& line) {
  std::string out;
  out.reserve(line.size());
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == 'n') {
      out.push_back('\n');
      ++i;
    } else {
      out.push_back(line[i]);
    }
  }
  return out;
}

}  // namespace

TokenSource TokenSource::from_script(const std::string& path, std::optional<std::size_t> count) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read script " + path);
  TokenSource source;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    source.add(unescape_newlines(line));
  }
  if (source.escaped_.empty()) throw std::runtime_error("script " + path + " has no tokens");
  source.count_ = count.value_or(source.escaped_.size());
  return source;
}

TokenSource TokenSource::from_seed(std::uint64_t seed, std::size_t count) {
  TokenSource source;
  source.seed_ = seed;
  source.count_ = count;
  source.escaped_.reserve(kWords.size() * kForms + 3);
  source.raw_.reserve(kWords.size() * kForms + 3);
  for (std::string_view word : kWords) {
    std::string cap(word);
    cap[0] = static_cast<char>(cap[0] - 'a' + 'A');
    source.add(" " + std::string(word));
    source.add(std::string(word));
    source.add(" " + cap);
    source.add(cap);
  }
  source.add(".");
  source.add(",");
  source.add("\n\n");
  return source;
}

TokenSource TokenSource::greeting(std::optional<std::size_t> count) {
  TokenSource source;
  for (std::string_view t : {"¡Hola", "!", " [yol", "la:wave]", " I'm", " Yollayah", ",", " your",
                             " axolotl", " companion", ".", " [yolla:mood", " happy]", " What",
                             " shall", " we", " explore", " today", "?"}) {
    source.add(std::string(t));
  }
  source.count_ = count.value_or(source.escaped_.size());
  return source;
}

TokenSource TokenSource::from_tokens(const std::vector<std::string>& tokens) {
  TokenSource source;
  for (const auto& t : tokens) source.add(t);
  source.count_ = source.escaped_.size();
  return source;
}

void TokenSource::add(std::string raw) {
  escaped_.push_back(json_escaped(raw));
  raw_.push_back(std::move(raw));
}

TokenSource::Cursor::Cursor(const TokenSource& source, std::size_t limit)
    : source_(&source), limit_(limit), rng_(source.seed_.value_or(0)) {}

std::string_view TokenSource::Cursor::next() {
  if (index_ >= limit_) return {};
  if (source_->seed_) {
    ++index_;
    last_ = next_generated();
  } else {
    last_ = index_++ % source_->escaped_.size();
  }
  return source_->escaped_[last_];
}

// Returns the index of the next word form.
std::size_t TokenSource::Cursor::next_generated() {
  const std::size_t punct = kWords.size() * kForms;  // ".", ",", "\n\n" follow the words
  if (pending_ != Pending::None) {
    auto p = pending_;
    pending_ = Pending::None;
    if (p == Pending::Period) sentence_start_ = true;
    return punct + (p == Pending::Period ? 0 : 1);
  }
  if (sentence_start_ && !line_start_ && next_random(rng_) % 6 == 0) {
    line_start_ = true;
    return punct + 2;  // a paragraph break
  }
  if (sentence_start_) words_left_ = 5 + static_cast<int>(next_random(rng_) % 12);
  std::size_t word = next_random(rng_) % kWords.size();
  std::size_t form = (sentence_start_ ? 2 : 0) + (line_start_ ? 1 : 0);
  sentence_start_ = false;
  line_start_ = false;
  if (--words_left_ == 0) {
    pending_ = Pending::Period;
  } else if (words_left_ > 2 && next_random(rng_) % 10 == 0) {
    pending_ = Pending::Comma;
  }
  return word * kForms + form;
}

}  // namespace yollayah::sim
