// The store's pure pieces: UUIDv7 ids, titles and first lines, the full-text query built from what
// the user typed, and highlighted snippets.
#include "store/ids.hpp"
#include "store/text.hpp"
#include "protocol/utf8.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace yollayah::store {
namespace {

TEST(StoreIds, AreVersion7UuidsWithTheVariantBits) {
  const std::string id = new_id();
  ASSERT_TRUE(looks_like_id(id)) << id;
  EXPECT_EQ(id[14], '7');
  EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b') << id;
}

TEST(StoreIds, StartWithTheCurrentMillisecond) {
  const std::uint64_t before = now_ms();
  const std::string id = new_id();
  const std::uint64_t after = now_ms();
  const std::string hex = id.substr(0, 8) + id.substr(9, 4);
  const std::uint64_t ms = std::stoull(hex, nullptr, 16);
  EXPECT_GE(ms, before);
  EXPECT_LE(ms, after + 1);  // a burst may borrow the next millisecond
}

TEST(StoreIds, SortInTheOrderTheyWereMadeAndNeverRepeat) {
  std::vector<std::string> ids;
  for (int i = 0; i < 20000; ++i) ids.push_back(new_id());
  for (std::size_t i = 1; i < ids.size(); ++i) ASSERT_LT(ids[i - 1], ids[i]) << "at " << i;
}

TEST(StoreIds, AreUniqueAcrossThreads) {
  std::vector<std::vector<std::string>> made(4);
  std::vector<std::thread> threads;
  for (auto& out : made)
    threads.emplace_back([&out] {
      for (int i = 0; i < 5000; ++i) out.push_back(new_id());
    });
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& out : made) all.insert(out.begin(), out.end());
  EXPECT_EQ(all.size(), 20000u);
}

TEST(StoreIds, LooksLikeIdRejectsOtherShapes) {
  EXPECT_FALSE(looks_like_id("msg_1"));
  EXPECT_FALSE(looks_like_id("0190a5c4"));
  EXPECT_FALSE(looks_like_id("0190a5c4-7b1e-7d3a-9f12-3c4d5e6f7a8g"));
  EXPECT_TRUE(looks_like_id("0190A5C4-7B1E-7D3A-9F12-3C4D5E6F7A8B"));
}

// A snippet is one line a terminal shows, never obeys: newlines, ESC, BEL and a C1 CSI become
// spaces, and the match is still marked where it was.
TEST(StoreText, AMarkedSnippetHasNoControlCharactersAndKeepsItsMarks) {
  SearchHit hit;
  hit.snippet = "a\x1b[2J\nsalty\x07\xc2\x9bsea";
  hit.highlights = {{6, 11}};  // "salty"
  EXPECT_EQ(marked_snippet(hit, "<", ">"), "a [2J <salty>   sea");
}

TEST(StoreText, FirstLineSkipsBlankLinesAndFoldsSpaces) {
  EXPECT_EQ(first_line("\n\n  why   is\tthe sea\nsalty?", 100), "why is the sea");
}

TEST(StoreText, FirstLineCutsAtAWordWithAnEllipsis) {
  EXPECT_EQ(first_line("the quick brown fox jumps over the lazy dog", 20), "the quick brown fox…");
}

TEST(StoreText, FirstLineNeverSplitsACharacter) {
  const std::string s = first_line("ééééééééééééééééééééé", 10);  // no spaces: a hard cut
  EXPECT_EQ(s, "ééééééééé…");
}

TEST(StoreText, TitleIsTheFirstLineShortened) {
  EXPECT_EQ(title_from("Hello there\nsecond line"), "Hello there");
  EXPECT_LE(title_from(std::string(500, 'x')).size(), 60u + 3);
}

TEST(StoreText, ValidUtf8KeepsCharactersAndReplacesEachBadByte) {
  // What history --json writes: protocol's repair of the serialized text.
  const auto valid_utf8 = [](std::string_view s) { return protocol::replace_invalid_utf8(s).text; };
  EXPECT_EQ(valid_utf8("héllo 🦎"), "héllo 🦎");
  EXPECT_EQ(valid_utf8("a\xff" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(valid_utf8("\xc3"), "\xEF\xBF\xBD");              // cut short
  EXPECT_EQ(valid_utf8("\xc0\xaf"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
  EXPECT_EQ(valid_utf8("\xed\xa0\x80").substr(0, 3), "\xEF\xBF\xBD");  // a surrogate
}

TEST(StoreText, QueryQuotesEveryWordAndTakesPrefixesOnlyWhenAsked) {
  EXPECT_EQ(fts_query("sea salt"), "\"sea\" \"salt\"");
  EXPECT_EQ(fts_query("sea salt*"), "\"sea\" \"salt\"*");
  EXPECT_EQ(fts_query("sa** b*"), "\"sa\"* \"b\"");  // one letter is too short a prefix
}

TEST(StoreText, QueryTakesFtsSyntaxLiterally) {
  EXPECT_EQ(fts_query("say \"AND\" OR"), "\"say\" \"\"\"AND\"\"\" \"OR\"");
  EXPECT_EQ(fts_query("? ( ) *"), std::nullopt);
  EXPECT_EQ(fts_query("   "), std::nullopt);
}

TEST(StoreText, SplitHighlightsRecordsByteRanges) {
  SearchHit hit;
  split_highlights("…the \x02salt\x03 in the \x02sea\x03", hit);
  EXPECT_EQ(hit.snippet, "…the salt in the sea");
  ASSERT_EQ(hit.highlights.size(), 2u);
  EXPECT_EQ(hit.snippet.substr(hit.highlights[0].first, hit.highlights[0].second - hit.highlights[0].first), "salt");
  EXPECT_EQ(hit.snippet.substr(hit.highlights[1].first, hit.highlights[1].second - hit.highlights[1].first), "sea");
}

TEST(StoreText, Utf8PrefixBacksUpToACharacterBoundary) {
  EXPECT_EQ(utf8_prefix("aé", 2), "a");
  EXPECT_EQ(utf8_prefix("aé", 3), "aé");
}

}  // namespace
}  // namespace yollayah::store
