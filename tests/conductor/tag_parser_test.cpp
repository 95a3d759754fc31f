// The streaming side of the tag parser: tags split anywhere, held-back text, the 256-byte limit,
// brackets that are not tags, the per-response command cap and the rejection log.
#include "conductor/tag_parser.hpp"

#include "tag_test_util.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace yollayah::conductor {
namespace {

using protocol::AvatarGesture;
using protocol::AvatarMood;
using protocol::PeekDirection;
using namespace testing_util;

const TagCommand kWave = tag::Gesture{{AvatarGesture::Kind::Wave, PeekDirection::Right}, 1500};
const TagCommand kNod = tag::Gesture{{AvatarGesture::Kind::Nod, PeekDirection::Right}, 800};
const TagCommand kHappy = tag::Mood{AvatarMood::Happy};

void expect_same(const Parsed& actual, const Parsed& expected) {
  EXPECT_EQ(actual.clean, expected.clean);
  EXPECT_EQ(described(actual.commands), described(expected.commands));
  EXPECT_EQ(actual.rejections, expected.rejections);
}

TEST(TagParser, PassesPlainTextThroughUnchanged) {
  const auto p = parse_whole("Hello, world! No tags here.");
  EXPECT_EQ(p.clean, "Hello, world! No tags here.");
  EXPECT_TRUE(p.commands.empty());
}

TEST(TagParser, RemovesTagAndEmitsItsCommand) {
  const auto p = parse_whole("Hi [yolla:wave]there[yolla:mood happy]!");
  EXPECT_EQ(p.clean, "Hi there!");
  EXPECT_EQ(p.commands, (std::vector<TagCommand>{kWave, kHappy}));
}

TEST(TagParser, AppendsToWhatTheCallerAlreadyHas) {
  TagParser parser;
  std::string clean = "before|";
  std::vector<TagCommand> commands{kNod};
  parser.feed("x[yolla:wave]y", clean, commands);
  EXPECT_EQ(clean, "before|xy");
  EXPECT_EQ(commands, (std::vector<TagCommand>{kNod, kWave}));
}

TEST(TagParser, RecognisesTagSplitAcrossTokens) {
  const auto p = parse_chunks({"Let me ", "[yo", "lla:mo", "od hap", "py", "] think"});
  EXPECT_EQ(p.clean, "Let me  think");
  EXPECT_EQ(p.commands, (std::vector<TagCommand>{kHappy}));
}

TEST(TagParser, HoldsBackOnlyWhatCouldStillBeATag) {
  TagParser parser;
  std::string clean;
  std::vector<TagCommand> commands;
  parser.feed("Hello [yo", clean, commands);
  EXPECT_EQ(clean, "Hello ");
  EXPECT_EQ(parser.held_bytes(), 3u);
  parser.feed("u there", clean, commands);  // "[you" can't be "[yolla:"
  EXPECT_EQ(clean, "Hello [you there");
  EXPECT_EQ(parser.held_bytes(), 0u);
}

TEST(TagParser, TrailingBracketIsHeldThenReleased) {
  TagParser parser;
  std::string clean;
  std::vector<TagCommand> commands;
  parser.feed("a[", clean, commands);
  EXPECT_EQ(clean, "a");
  parser.feed("1] b", clean, commands);
  EXPECT_EQ(clean, "a[1] b");
  EXPECT_TRUE(commands.empty());
}

TEST(TagParser, OtherBracketedTextPassesThroughPromptly) {
  for (const auto* text : {"[1]", "see [link](http://x.y)", "[y]", "[yolla]", "[yolla is nice]", "a[]b", "]["}) {
    SCOPED_TRACE(text);
    TagParser parser;
    std::string clean;
    std::vector<TagCommand> commands;
    std::string_view t = text;
    parser.feed(t, clean, commands);
    // Only a trailing '[' may be held, nothing else.
    const auto expected_held = t.back() == '[' ? 1u : 0u;
    EXPECT_EQ(parser.held_bytes(), expected_held);
    EXPECT_EQ(clean, t.substr(0, t.size() - expected_held));
    parser.finish(clean, commands);
    EXPECT_EQ(clean, t);
    EXPECT_TRUE(commands.empty());
  }
}

TEST(TagParser, PrefixIsCaseSensitive) {
  const auto p = parse_whole("[Yolla:wave] [YOLLA:wave]");
  EXPECT_EQ(p.clean, "[Yolla:wave] [YOLLA:wave]");
  EXPECT_TRUE(p.commands.empty());
}

TEST(TagParser, DropsUnknownCommandsSilently) {
  TagParser parser;
  std::string clean;
  std::vector<TagCommand> commands;
  parser.feed("a[yolla:frobnicate 1 2]b[yolla:]c[yolla:   ]d", clean, commands);
  parser.finish(clean, commands);
  EXPECT_EQ(clean, "abcd");
  EXPECT_TRUE(commands.empty());
  EXPECT_TRUE(parser.rejections().empty());
  EXPECT_EQ(parser.unknown_count(), 3u);
}

TEST(TagParser, RemovesTagsWithInvalidArgumentsAndLogsThem) {
  TagParser parser;
  std::string clean;
  std::vector<TagCommand> commands;
  parser.feed("x[yolla:point 150 20]y[yolla:mood grumpy]z", clean, commands);
  EXPECT_EQ(clean, "xyz");
  EXPECT_TRUE(commands.empty());
  ASSERT_EQ(parser.rejections().size(), 2u);
  EXPECT_NE(parser.rejections()[0].find("[yolla:point 150 20]"), std::string::npos);
  EXPECT_NE(parser.rejections()[0].find("0-100"), std::string::npos);
  EXPECT_NE(parser.rejections()[1].find("grumpy"), std::string::npos);
  EXPECT_EQ(parser.rejection_count(), 2u);
}

TEST(TagParser, NewlineEndsAPossibleTagAsPlainText) {
  const auto p = parse_whole("[yolla:wave\n] ok");
  EXPECT_EQ(p.clean, "[yolla:wave\n] ok");
  EXPECT_TRUE(p.commands.empty());
}

TEST(TagParser, OpenBracketInsideATagStartsOver) {
  const auto p = parse_whole("[yolla:mo [yolla:wave] [[yolla:nod]]");
  EXPECT_EQ(p.clean, "[yolla:mo  []");
  EXPECT_EQ(p.commands, (std::vector<TagCommand>{kWave, kNod}));
}

TEST(TagParser, KeepsUtf8TextAroundTags) {
  const auto p = parse_whole("¡Hola! 🦎[yolla:wave]día — ñ[yolla:mood joy]✓");
  EXPECT_EQ(p.clean, "¡Hola! 🦎día — ñ✓");
  EXPECT_EQ(p.commands, (std::vector<TagCommand>{kWave, kHappy}));
}

// A mixed sample: tags of every kind, near-tags, brackets, UTF-8, a rejected and an unknown tag.
const std::string kSample =
    "¡Hola! [yolla:wave]I'm [1] here 🦎[yolla:mood excited] [yo [yolla:point 150 3]"
    "[yolla:task start qa-engineer \"Run the tests\"][yolla:frobnicate][link](x)[yolla:peek l]"
    "[[yolla:nod]] end[";

TEST(TagParser, TagSplitAtEveryBytePositionGivesTheSameOutput) {
  const auto whole = parse_whole(kSample);
  ASSERT_EQ(whole.commands.size(), 5u);
  for (std::size_t i = 1; i < kSample.size(); ++i) {
    SCOPED_TRACE("split at " + std::to_string(i));
    expect_same(parse_chunks(split_at(kSample, {i})), whole);
  }
}

TEST(TagParser, TagSplitAtEveryPairOfPositionsGivesTheSameOutput) {
  const std::string text = "a[yolla:mood calm]b[yolla:move 10 20]c[1]d";
  const auto whole = parse_whole(text);
  ASSERT_EQ(whole.commands.size(), 2u);
  for (std::size_t i = 1; i < text.size(); ++i) {
    for (std::size_t j = i + 1; j < text.size(); ++j) {
      SCOPED_TRACE("split at " + std::to_string(i) + " and " + std::to_string(j));
      expect_same(parse_chunks(split_at(text, {i, j})), whole);
    }
  }
}

TEST(TagParser, OneBytePerChunkGivesTheSameOutput) {
  expect_same(parse_chunks(one_byte_chunks(kSample)), parse_whole(kSample));
}

// A valid tag of exactly `total` bytes: "[yolla:task start qa-engineer ddd…]".
std::string tag_of_size(std::size_t total) {
  const std::string head = "[yolla:task start qa-engineer ";
  return head + std::string(total - head.size() - 1, 'd') + "]";
}

TEST(TagParser, RecognisesATagOfExactly256Bytes) {
  const auto tag = tag_of_size(256);
  ASSERT_EQ(tag.size(), 256u);
  for (const auto& p : {parse_whole("<" + tag + ">"), parse_chunks(one_byte_chunks("<" + tag + ">"))}) {
    EXPECT_EQ(p.clean, "<>");
    ASSERT_EQ(p.commands.size(), 1u);
    EXPECT_EQ(std::get<tag::TaskStart>(p.commands[0]).description.size(), 256u - 31u);
  }
}

TEST(TagParser, ReleasesHeldTextPast256BytesAsPlainText) {
  const auto tag = tag_of_size(257);
  for (const auto& p : {parse_whole("<" + tag + ">"), parse_chunks(one_byte_chunks("<" + tag + ">"))}) {
    EXPECT_EQ(p.clean, "<" + tag + ">");
    EXPECT_TRUE(p.commands.empty());
  }
}

TEST(TagParser, NeverHoldsMoreThan256Bytes) {
  const std::string text = "[yolla:" + std::string(1000, 'x') + "]";
  TagParser parser;
  std::string clean;
  std::vector<TagCommand> commands;
  for (const char c : text) {
    parser.feed(std::string_view(&c, 1), clean, commands);
    ASSERT_LE(parser.held_bytes(), TagParser::kMaxTagBytes);
  }
  parser.finish(clean, commands);
  EXPECT_EQ(clean, text);
}

TEST(TagParser, ResumesParsingAfterReleasedOverlongText) {
  const std::string junk = "[yolla:" + std::string(300, 'x');
  const auto p = parse_whole(junk + "[yolla:wave] and " + junk + "]");
  EXPECT_EQ(p.clean, junk + " and " + junk + "]");
  EXPECT_EQ(p.commands, (std::vector<TagCommand>{kWave}));
}

TEST(TagParser, EmitsAtMostTenCommandsPerResponse) {
  std::string text;
  for (int i = 0; i < 12; ++i) text += "[yolla:wave]w";
  TagParser parser;
  std::string clean;
  std::vector<TagCommand> commands;
  parser.feed(text, clean, commands);
  EXPECT_EQ(clean, std::string(12, 'w'));  // every tag is removed
  EXPECT_EQ(commands.size(), TagParser::kMaxCommands);
  ASSERT_EQ(parser.rejections().size(), 2u);
  EXPECT_NE(parser.rejections()[0].find("more than 10"), std::string::npos);

  parser.reset();  // a new response may have ten more
  commands.clear();
  parser.feed("[yolla:nod]", clean, commands);
  EXPECT_EQ(commands, (std::vector<TagCommand>{kNod}));
}

TEST(TagParser, RejectedAndUnknownTagsDoNotCountTowardsTheCap) {
  std::string text;
  for (int i = 0; i < 10; ++i) text += "[yolla:point 500 500][yolla:nope]";
  for (int i = 0; i < 10; ++i) text += "[yolla:wave]";
  const auto p = parse_whole(text);
  EXPECT_EQ(p.commands.size(), 10u);
  EXPECT_EQ(p.rejections.size(), 10u);  // the ten points only
}

TEST(TagParser, FinishDropsAnUnterminatedTagButReleasesAPartialPrefix) {
  {
    TagParser parser;
    std::string clean;
    std::vector<TagCommand> commands;
    parser.feed("Bye [yolla:wav", clean, commands);
    parser.finish(clean, commands);
    EXPECT_EQ(clean, "Bye ");
    EXPECT_TRUE(commands.empty());
    ASSERT_EQ(parser.rejections().size(), 1u);
    EXPECT_NE(parser.rejections()[0].find("ended inside the tag"), std::string::npos);
  }
  EXPECT_EQ(parse_whole("Bye [yolla:").clean, "Bye ");
  EXPECT_EQ(parse_whole("Bye [yolla").clean, "Bye [yolla");
  EXPECT_EQ(parse_whole("Bye [yo").clean, "Bye [yo");
  EXPECT_EQ(parse_whole("Bye [").clean, "Bye [");
}

TEST(TagParser, ResetDropsHeldText) {
  TagParser parser;
  std::string clean;
  std::vector<TagCommand> commands;
  parser.feed("old [yolla:mo", clean, commands);
  parser.reset();
  EXPECT_EQ(parser.held_bytes(), 0u);
  parser.feed("od happy] new", clean, commands);
  EXPECT_EQ(clean, "old od happy] new");
  EXPECT_TRUE(commands.empty());
}

TEST(TagParser, KeepsTheLast100Rejections) {
  TagParser parser;
  std::string clean;
  std::vector<TagCommand> commands;
  for (int i = 0; i < 150; ++i) parser.feed("[yolla:point " + std::to_string(200 + i) + " 1]", clean, commands);
  EXPECT_EQ(parser.rejection_count(), 150u);
  ASSERT_EQ(parser.rejections().size(), 100u);
  EXPECT_NE(parser.rejections().front().find("point 250 1"), std::string::npos);
  EXPECT_NE(parser.rejections().back().find("point 349 1"), std::string::npos);
  parser.reset();
  EXPECT_EQ(parser.rejections().size(), 100u);  // the log outlives a response
}

TEST(TagParser, UsesTheAgentsItWasGiven) {
  const auto agents = Agents::with_additional("data-scientist");
  const auto p = parse_chunks({"[yolla:task start data-scientist Fit]"}, TagParser(agents));
  EXPECT_EQ(p.commands, (std::vector<TagCommand>{tag::TaskStart{"data-scientist", "Fit"}}));
  EXPECT_TRUE(parse_whole("[yolla:task start data-scientist Fit]").commands.empty());
}

}  // namespace
}  // namespace yollayah::conductor
