#include "backend/routing/model_pattern.hpp"

#include <gtest/gtest.h>

#include <string>

namespace yollayah::backend::routing {
namespace {

TEST(ModelPattern, StarMatchesAnyRunAndQuestionMarkOneCharacter) {
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("*", "llama3.2:3b"));
  EXPECT_TRUE(glob_match("llama3*", "llama3.2:3b"));
  EXPECT_FALSE(glob_match("llama3*", "qwen2:0.5b"));
  EXPECT_TRUE(glob_match("qwen?:0.5b", "qwen2:0.5b"));
  EXPECT_FALSE(glob_match("qwen?:0.5b", "qwen:0.5b"));
  EXPECT_TRUE(glob_match("*:latest", "yollayah:latest"));
  EXPECT_TRUE(glob_match("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(glob_match("a*b*c", "aXXbYY"));
  EXPECT_TRUE(glob_match("gpt-4o", "gpt-4o"));
  EXPECT_FALSE(glob_match("gpt-4o", "gpt-4o-mini"));
}

TEST(ModelPattern, HostilePatternsFinishQuickly) {
  const std::string text(10000, 'a');
  EXPECT_FALSE(glob_match("*a*a*a*a*a*a*a*a*b", text));  // backtracking stays linear per star
  EXPECT_TRUE(glob_match(std::string(5000, '*'), text));
}

TEST(ModelPattern, AnyPatternOfTheListServes) {
  EXPECT_TRUE(serves_model({"llama3*", "qwen*"}, "qwen2:0.5b"));
  EXPECT_FALSE(serves_model({"llama3*", "qwen*"}, "mistral"));
  EXPECT_FALSE(serves_model({}, "mistral"));
}

}  // namespace
}  // namespace yollayah::backend::routing
