#include "headless/prompt_text.hpp"

#include <gtest/gtest.h>

namespace yollayah::headless {
namespace {

TEST(PromptText, JoinsWordsWithSingleSpacesKeepingEmptyOnes) {
  EXPECT_EQ(join_words({}), "");
  EXPECT_EQ(join_words({"[a,b]"}), "[a,b]");
  EXPECT_EQ(join_words({"a", "", "b"}), "a  b");
  EXPECT_EQ(join_words({"", ""}), " ");
}

}  // namespace
}  // namespace yollayah::headless
