#include "headless/prompt_text.hpp"

#include <gtest/gtest.h>

namespace yollayah::headless {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

TEST(PromptText, ValidUtf8IsKeptByteForByte) {
  const std::string text = "caf\xC3\xA9 \xF0\x9F\xA6\x8E [1,2,3] \"q\" \xE2\x82\xAC";
  const auto r = replace_invalid_utf8(text);
  EXPECT_EQ(r.text, text);
  EXPECT_EQ(r.replaced, 0u);
}

struct RepairCase {
  std::string input;
  std::string output;
  std::size_t replaced;
  std::size_t first_bad;
};

void PrintTo(const RepairCase& c, std::ostream* os) { *os << ::testing::PrintToString(c.input); }

class PromptTextRepair : public ::testing::TestWithParam<RepairCase> {};

TEST_P(PromptTextRepair, ReplacesEachMaximalInvalidSubpartWithOneReplacementCharacter) {
  const auto& c = GetParam();
  const auto r = replace_invalid_utf8(c.input);
  EXPECT_EQ(r.text, c.output);
  EXPECT_EQ(r.replaced, c.replaced);
  EXPECT_EQ(r.first_bad, c.first_bad);
}

INSTANTIATE_TEST_SUITE_P(
    PromptText, PromptTextRepair,
    ::testing::Values(RepairCase{"caf\xE9!", "caf" + kFffd + "!", 1, 3},                  // Latin-1
                      RepairCase{"\xFF\xFE", kFffd + kFffd, 2, 0},                         // never in UTF-8
                      RepairCase{"a\xE2\x82", "a" + kFffd, 1, 1},                          // cut at the end
                      RepairCase{"\xE2\x82z", kFffd + "z", 1, 0},                          // cut in the middle
                      RepairCase{"\xF0\x9F\xA6", kFffd, 1, 0},                             // 3 of 4 bytes
                      RepairCase{"\xC0\xAF", kFffd + kFffd, 2, 0},                         // overlong '/'
                      RepairCase{"\xED\xA0\x80", kFffd + kFffd + kFffd, 3, 0},             // a surrogate
                      RepairCase{"\xF4\x90\x80\x80", kFffd + kFffd + kFffd + kFffd, 4, 0},  // above U+10FFFF
                      RepairCase{"\x80ok\xC3\xA9\xBF", kFffd + "ok\xC3\xA9" + kFffd, 2, 0}));

TEST(PromptText, DescribesTheRepairOnOneLine) {
  const auto one = replace_invalid_utf8("abc\xFF");
  EXPECT_EQ(describe_repair(one),
            "the prompt is not valid UTF-8 (first bad byte at offset 3): 1 invalid sequence was sent as U+FFFD");
  const auto two = replace_invalid_utf8("\xFF\xFE");
  EXPECT_NE(describe_repair(two).find("2 invalid sequences were"), std::string::npos);
}

TEST(PromptText, JoinsWordsWithSingleSpacesKeepingEmptyOnes) {
  EXPECT_EQ(join_words({}), "");
  EXPECT_EQ(join_words({"[a,b]"}), "[a,b]");
  EXPECT_EQ(join_words({"a", "", "b"}), "a  b");
  EXPECT_EQ(join_words({"", ""}), " ");
}

}  // namespace
}  // namespace yollayah::headless
