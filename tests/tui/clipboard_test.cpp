// What /copy puts on the clipboard: base64 and the OSC 52 frame around it, and the code blocks
// picked out of an answer's Markdown without their fences.
#include "tui/app/clipboard.hpp"

#include <gtest/gtest.h>

namespace {

using namespace yollayah::tui::app;

TEST(Base64, MatchesTheRfc4648TestVectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("\xff\xfe\x80"), "//6A");
}

TEST(Osc52, FramesTheBase64OfACodeBlock) {
  EXPECT_EQ(osc52_sequence("print(\"hi\")\n"), "\x1b]52;c;cHJpbnQoImhpIikK\a");
}

TEST(CodeBlocks, ReturnsEachFencedBlockWithoutItsFences) {
  const auto blocks = code_blocks("Intro\n```python\nprint(1)\n```\ntext\n~~~\nplain\n  two\n~~~\n");
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0], "print(1)\n");
  EXPECT_EQ(blocks[1], "plain\n  two\n");
}

TEST(CodeBlocks, AShorterOrOtherFenceInsideDoesNotCloseTheBlock) {
  const auto blocks = code_blocks("````md\n```\ninner\n~~~\n````\n");
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0], "```\ninner\n~~~\n");
}

TEST(CodeBlocks, AnIndentedFenceUnindentsItsContentAndAnOpenFenceRunsToTheEnd) {
  const auto blocks = code_blocks("  ```\n  a\n    b\n  ```\n```sh\nstill streaming");
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0], "a\n  b\n");
  EXPECT_EQ(blocks[1], "still streaming\n");
}

TEST(CodeBlocks, InlineBackticksAndFourSpaceIndentsAreNotFences) {
  EXPECT_TRUE(code_blocks("use ``` inline `x` ```\n    ```\n    code\n").empty());
  EXPECT_TRUE(code_blocks("``` a ` b\nnot code\n").empty());
}

TEST(GroupThousands, PutsCommasBetweenGroupsOfThree) {
  EXPECT_EQ(group_thousands(0), "0");
  EXPECT_EQ(group_thousands(999), "999");
  EXPECT_EQ(group_thousands(1234), "1,234");
  EXPECT_EQ(group_thousands(1234567), "1,234,567");
}

}  // namespace
