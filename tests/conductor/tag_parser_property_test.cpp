// Property tests for the tag parser: random text with tags, cut into random chunks, must give the
// same result as one feed, and the clean text must match a non-streaming model of the rules.
#include "conductor/tag_parser.hpp"

#include "tag_test_util.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace yollayah::conductor {
namespace {

using namespace testing_util;

const std::vector<std::string> kFragments = {
    "Hello ",
    "world",
    " ",
    "\n",
    "¡Hola!",
    "🦎",
    "día",
    "ñ",
    "[",
    "]",
    "[1]",
    "[link](x)",
    "[yo",
    "[yolla",
    "[yolla:",
    "[yolla:wave]",
    "[yolla:mood happy]",
    "[yolla:point 150 5]",
    "[yolla:frobnicate]",
    "[yolla:task start qa-engineer \"Run tests\"]",
    "[[yolla:nod]",
    "[yolla:mo",
    "od calm]",
    "[Yolla:wave]",
    "[yolla:react lol]",
    "[yolla:move tl]",
    "[yolla:]",
    ":",
    "yolla",
    "[yolla:peek\n]",
};

std::string random_text(std::mt19937& rng) {
  std::uniform_int_distribution<int> count(0, 40), pick(0, static_cast<int>(kFragments.size())), run(0, 300);
  std::string text;
  for (int n = count(rng); n > 0; --n) {
    const auto i = pick(rng);
    if (i == static_cast<int>(kFragments.size())) {
      text += std::string(static_cast<std::size_t>(run(rng)), 'x');  // long runs probe the 256-byte limit
    } else {
      text += kFragments[static_cast<std::size_t>(i)];
    }
  }
  return text;
}

std::vector<std::size_t> random_cuts(std::mt19937& rng, std::size_t size, bool char_boundaries_only,
                                     std::string_view text) {
  if (size < 2) return {};
  std::uniform_int_distribution<std::size_t> count(0, std::min<std::size_t>(size - 1, 30)), at(1, size - 1);
  std::vector<std::size_t> cuts;
  for (auto n = count(rng); n > 0; --n) {
    auto cut = at(rng);
    if (char_boundaries_only) {
      while (cut < size && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) ++cut;  // not mid-character
      if (cut >= size) continue;
    }
    cuts.push_back(cut);
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  return cuts;
}

// The rules of tag_parser.hpp restated without streaming, as a scan over the whole text: a tag is
// `[yolla:`, at most 248 bytes with no '[', ']' or newline, then ']'; a `[yolla:…` that the text
// ends inside is dropped; everything else is text.
std::string model_clean_text(std::string_view text) {
  constexpr std::string_view kPrefix = "[yolla:";
  constexpr std::size_t kMaxBody = 256 - kPrefix.size() - 1;
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.substr(i).starts_with(kPrefix)) {
      const auto body = i + kPrefix.size();
      auto j = body;
      while (j < text.size() && j - body <= kMaxBody && text[j] != '[' && text[j] != ']' && text[j] != '\n') ++j;
      if (j - body <= kMaxBody) {
        if (j == text.size()) break;  // cut off by the end of the text
        if (text[j] == ']') {
          i = j + 1;
          continue;
        }
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    const std::size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xe ? 3 : (b >> 3) == 0x1e ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    i += len;
  }
  return true;
}

TEST(TagParserProperty, RandomChunkingGivesTheSameResultAsOneFeed) {
  std::mt19937 rng(20240521);
  for (int round = 0; round < 400; ++round) {
    const auto text = random_text(rng);
    SCOPED_TRACE("round " + std::to_string(round) + ": " + text);
    const auto whole = parse_whole(text);
    for (int k = 0; k < 5; ++k) {
      const auto chunked = parse_chunks(split_at(text, random_cuts(rng, text.size(), false, text)));
      ASSERT_EQ(chunked.clean, whole.clean);
      ASSERT_EQ(described(chunked.commands), described(whole.commands));
      ASSERT_EQ(chunked.rejections, whole.rejections);
    }
  }
}

TEST(TagParserProperty, CleanTextMatchesAWholeTextModelOfTheRules) {
  std::mt19937 rng(7);
  for (int round = 0; round < 400; ++round) {
    const auto text = random_text(rng);
    SCOPED_TRACE("round " + std::to_string(round) + ": " + text);
    ASSERT_EQ(parse_whole(text).clean, model_clean_text(text));
  }
}

TEST(TagParserProperty, ValidUtf8ChunksGiveValidUtf8Pieces) {
  std::mt19937 rng(99);
  for (int round = 0; round < 300; ++round) {
    const auto text = random_text(rng);
    SCOPED_TRACE("round " + std::to_string(round) + ": " + text);
    TagParser parser;
    std::vector<TagCommand> commands;
    for (const auto chunk : split_at(text, random_cuts(rng, text.size(), true, text))) {
      ASSERT_TRUE(valid_utf8(chunk));
      std::string piece;
      parser.feed(chunk, piece, commands);
      ASSERT_TRUE(valid_utf8(piece)) << piece;
    }
    std::string rest;
    parser.finish(rest, commands);
    ASSERT_TRUE(valid_utf8(rest));
  }
}

}  // namespace
}  // namespace yollayah::conductor
