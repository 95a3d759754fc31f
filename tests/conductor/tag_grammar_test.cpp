// The meaning of each tag body: every command and alias of anchor-core.md, and the argument rules.
#include "conductor/tag_grammar.hpp"

#include "tag_test_util.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace yollayah::conductor {
namespace {

using protocol::AvatarGesture;
using protocol::AvatarMood;
using protocol::AvatarPosition;
using protocol::AvatarReaction;
using protocol::AvatarSize;
using protocol::PeekDirection;
using Status = TagParse::Status;

TagParse parse(std::string_view body) { return parse_tag_body(body, *Agents::builtin()); }

void expect_command(std::string_view body, const TagCommand& expected) {
  SCOPED_TRACE("[yolla:" + std::string(body) + "]");
  const auto r = parse(body);
  ASSERT_EQ(r.status, Status::Command) << r.reason;
  EXPECT_EQ(r.command, expected) << describe(r.command) << " != " << describe(expected);
}

void expect_rejected(std::string_view body) {
  SCOPED_TRACE("[yolla:" + std::string(body) + "]");
  const auto r = parse(body);
  EXPECT_EQ(r.status, Status::Rejected) << (r.status == Status::Command ? describe(r.command) : "unknown");
  if (r.status == Status::Rejected) {
    EXPECT_FALSE(r.reason.empty());
  }
}

void expect_unknown(std::string_view body) {
  SCOPED_TRACE("[yolla:" + std::string(body) + "]");
  EXPECT_EQ(parse(body).status, Status::Unknown);
}

TagCommand move(AvatarPosition::Kind k, std::uint8_t x = 0, std::uint8_t y = 0) { return tag::MoveTo{{k, x, y}}; }

TEST(TagGrammar, MoveRecognisesEveryPositionAlias) {
  using K = AvatarPosition::Kind;
  const std::vector<std::pair<std::string, K>> table = {
      {"tl", K::TopLeft},     {"topleft", K::TopLeft},         {"top-left", K::TopLeft},
      {"tr", K::TopRight},    {"topright", K::TopRight},       {"top-right", K::TopRight},
      {"bl", K::BottomLeft},  {"bottomleft", K::BottomLeft},   {"bottom-left", K::BottomLeft},
      {"br", K::BottomRight}, {"bottomright", K::BottomRight}, {"bottom-right", K::BottomRight},
      {"center", K::Center},  {"middle", K::Center},           {"follow", K::Follow},
  };
  for (const auto& [word, kind] : table) expect_command("move " + word, move(kind));
}

TEST(TagGrammar, MovePercentIsClampedTo100) {
  using K = AvatarPosition::Kind;
  expect_command("move 50 75", move(K::Percent, 50, 75));
  expect_command("move 0 100", move(K::Percent, 0, 100));
  expect_command("move 150 250", move(K::Percent, 100, 100));
  expect_command("move 99999999999999999999 3", move(K::Percent, 100, 3));
  expect_command("move 40% 60%", move(K::Percent, 40, 60));
}

TEST(TagGrammar, MoveRejectsMissingOrBadPosition) {
  for (const auto* body : {"move", "move nowhere", "move 50", "move -5 10", "move 5.5 10", "move x 10", "move %"})
    expect_rejected(body);
}

TEST(TagGrammar, FollowWanderAndStop) {
  expect_command("follow", move(AvatarPosition::Kind::Follow));
  expect_command("wander", tag::Wander{true});
  expect_command("stop", tag::Wander{false});
}

TEST(TagGrammar, PointAcceptsPercentagesUpTo100) {
  expect_command("point 10 20", tag::PointAt{10, 20});
  expect_command("point 0 0", tag::PointAt{0, 0});
  expect_command("point 100 100", tag::PointAt{100, 100});
  expect_command("point 30% 40%", tag::PointAt{30, 40});
}

TEST(TagGrammar, PointRejectsCoordinatesAbove100OrMissing) {
  for (const auto* body : {"point 101 5", "point 5 101", "point 5", "point", "point a b", "point -1 5"})
    expect_rejected(body);
}

TEST(TagGrammar, MoodRecognisesEveryAlias) {
  const std::vector<std::pair<std::string, AvatarMood>> table = {
      {"happy", AvatarMood::Happy},        {"joy", AvatarMood::Happy},
      {"thinking", AvatarMood::Thinking},  {"think", AvatarMood::Thinking},
      {"ponder", AvatarMood::Thinking},    {"playful", AvatarMood::Playful},
      {"silly", AvatarMood::Playful},      {"shy", AvatarMood::Shy},
      {"bashful", AvatarMood::Shy},        {"excited", AvatarMood::Excited},
      {"eager", AvatarMood::Excited},      {"confused", AvatarMood::Confused},
      {"puzzled", AvatarMood::Confused},   {"calm", AvatarMood::Calm},
      {"peaceful", AvatarMood::Calm},      {"curious", AvatarMood::Curious},
      {"interested", AvatarMood::Curious},
  };
  for (const auto& [word, mood] : table) expect_command("mood " + word, tag::Mood{mood});
}

TEST(TagGrammar, MoodRejectsUnknownOrMissingMood) {
  expect_rejected("mood sad");
  expect_rejected("mood");
}

TEST(TagGrammar, SizeRecognisesEveryAlias) {
  const std::vector<std::pair<std::string, AvatarSize>> table = {
      {"tiny", AvatarSize::Tiny},     {"xs", AvatarSize::Tiny},       {"small", AvatarSize::Small},
      {"sm", AvatarSize::Small},      {"medium", AvatarSize::Medium}, {"md", AvatarSize::Medium},
      {"normal", AvatarSize::Medium}, {"large", AvatarSize::Large},   {"lg", AvatarSize::Large},
      {"big", AvatarSize::Large},
  };
  for (const auto& [word, size] : table) expect_command("size " + word, tag::Size{size});
  expect_rejected("size huge");
  expect_rejected("size");
}

TEST(TagGrammar, HideAndShow) {
  expect_command("hide", tag::Visibility{false});
  expect_command("show", tag::Visibility{true});
}

TEST(TagGrammar, GesturesHaveTheirDefaultDurations) {
  using K = AvatarGesture::Kind;
  const std::vector<std::tuple<std::string, K, std::uint32_t>> table = {
      {"wave", K::Wave, 1500}, {"nod", K::Nod, 800},        {"shake", K::Shake, 800}, {"bounce", K::Bounce, 1000},
      {"spin", K::Spin, 1200}, {"dance", K::Dance, 2000},   {"swim", K::Swim, 2000},  {"stretch", K::Stretch, 1500},
      {"yawn", K::Yawn, 2000}, {"wiggle", K::Wiggle, 1000},
  };
  for (const auto& [word, kind, ms] : table) expect_command(word, tag::Gesture{{kind, PeekDirection::Right}, ms});
}

TEST(TagGrammar, PeekDefaultsToRightAndKnowsEveryDirectionAlias) {
  const auto peek = [](PeekDirection d) { return tag::Gesture{{AvatarGesture::Kind::Peek, d}, 1000}; };
  expect_command("peek", peek(PeekDirection::Right));
  const std::vector<std::pair<std::string, PeekDirection>> table = {
      {"left", PeekDirection::Left}, {"l", PeekDirection::Left},        {"right", PeekDirection::Right},
      {"r", PeekDirection::Right},   {"top", PeekDirection::Top},       {"up", PeekDirection::Top},
      {"t", PeekDirection::Top},     {"bottom", PeekDirection::Bottom}, {"down", PeekDirection::Bottom},
      {"b", PeekDirection::Bottom},
  };
  for (const auto& [word, direction] : table) expect_command("peek " + word, peek(direction));
  expect_rejected("peek sideways");
}

TEST(TagGrammar, ReactRecognisesEveryReactionAliasWithItsDuration) {
  using R = AvatarReaction;
  const std::vector<std::tuple<std::string, R, std::uint32_t>> table = {
      {"laugh", R::Laugh, 2000},    {"lol", R::Laugh, 2000},        {"haha", R::Laugh, 2000},
      {"gasp", R::Gasp, 1000},      {"surprise", R::Gasp, 1000},    {"wow", R::Gasp, 1000},
      {"hmm", R::Hmm, 2000},        {"think", R::Hmm, 2000},        {"ponder", R::Hmm, 2000},
      {"tada", R::Tada, 2500},      {"celebrate", R::Tada, 2500},   {"yay", R::Tada, 2500},
      {"oops", R::Oops, 1500},      {"error", R::Oops, 1500},       {"mistake", R::Oops, 1500},
      {"love", R::Love, 2000},      {"heart", R::Love, 2000},       {"adore", R::Love, 2000},
      {"blush", R::Blush, 1500},    {"shy", R::Blush, 1500},        {"embarrassed", R::Blush, 1500},
      {"wink", R::Wink, 1000},      {"flirt", R::Wink, 1000},       {"cry", R::Cry, 2000},
      {"sad", R::Cry, 2000},        {"tears", R::Cry, 2000},        {"angry", R::Angry, 1500},
      {"mad", R::Angry, 1500},      {"frustrated", R::Angry, 1500}, {"sleepy", R::Sleepy, 2500},
      {"tired", R::Sleepy, 2500},   {"zzz", R::Sleepy, 2500},       {"dizzy", R::Dizzy, 2000},
      {"confused", R::Dizzy, 2000}, {"spinning", R::Dizzy, 2000},
  };
  for (const auto& [word, reaction, ms] : table) expect_command("react " + word, tag::React{reaction, ms});
  expect_rejected("react");
  expect_rejected("react meh");
}

TEST(TagGrammar, ReactionShortcutsWorkWithoutReact) {
  using R = AvatarReaction;
  expect_command("laugh", tag::React{R::Laugh, 2000});
  expect_command("gasp", tag::React{R::Gasp, 1000});
  expect_command("tada", tag::React{R::Tada, 2500});
  expect_command("oops", tag::React{R::Oops, 1500});
  expect_command("love", tag::React{R::Love, 2000});
  expect_command("wink", tag::React{R::Wink, 1000});
  // Only those six: the other reactions need `react`.
  for (const auto* body : {"hmm", "blush", "cry", "angry", "sleepy", "dizzy", "lol", "yay"}) expect_unknown(body);
}

TEST(TagGrammar, CommandWordsAndKeywordsIgnoreCase) {
  expect_command("WAVE", tag::Gesture{{AvatarGesture::Kind::Wave, PeekDirection::Right}, 1500});
  expect_command("Mood Happy", tag::Mood{AvatarMood::Happy});
  expect_command("move TOP-LEFT", move(AvatarPosition::Kind::TopLeft));
  expect_command("React LOL", tag::React{AvatarReaction::Laugh, 2000});
}

TEST(TagGrammar, ExtraWordsAfterTheArgumentsAreIgnored) {
  expect_command("wave hello there", tag::Gesture{{AvatarGesture::Kind::Wave, PeekDirection::Right}, 1500});
  expect_command("mood happy very", tag::Mood{AvatarMood::Happy});
  expect_command("  nod  ", tag::Gesture{{AvatarGesture::Kind::Nod, PeekDirection::Right}, 800});
}

TEST(TagGrammar, UnknownCommandsAreUnknownNotRejected) {
  for (const auto* body : {"", "   ", "frobnicate", "dance2", "moves tl", "taskstart x"}) expect_unknown(body);
}

TEST(TagGrammar, SpriteAcceptsUpTo100CharactersOfTheSafeSet) {
  expect_command("sprite axo-lotl_v2.png", tag::Sprite{"axo-lotl_v2.png"});
  expect_command("sprite party  hat", tag::Sprite{"party hat"});
  expect_command("sprite " + std::string(100, 'a'), tag::Sprite{std::string(100, 'a')});
  expect_rejected("sprite " + std::string(101, 'a'));
  expect_rejected("sprite <script>");
  expect_rejected("sprite a/b");
  expect_rejected("sprite");
}

TEST(TagGrammar, TaskStartTakesAnAllowlistedAgentAndTheRestAsDescription) {
  expect_command("task start backend-engineer Build the API", tag::TaskStart{"backend-engineer", "Build the API"});
  expect_command("task start qa-engineer \"Run the tests\"", tag::TaskStart{"qa-engineer", "Run the tests"});
  expect_command("task start qa-engineer 'Run it'", tag::TaskStart{"qa-engineer", "Run it"});
  expect_command("task start qa-engineer \u201cSmart quotes\u201d", tag::TaskStart{"qa-engineer", "Smart quotes"});
  expect_command("task start QA-Engineer  lots   of   space ", tag::TaskStart{"qa-engineer", "lots of space"});
  expect_command("task start \"devops-engineer\" Deploy", tag::TaskStart{"devops-engineer", "Deploy"});
  expect_command("task start ux-ui-designer Café ☕ menu", tag::TaskStart{"ux-ui-designer", "Café ☕ menu"});
}

TEST(TagGrammar, TaskStartRejectsUnknownAgentBlankOrBadDescription) {
  expect_rejected("task start hacker-man Do crimes");
  expect_rejected("task start backend-engineer");
  expect_rejected("task start backend-engineer \"\"");
  expect_rejected("task start backend-engineer \"  \"");
  expect_rejected("task start");
  expect_rejected("task start backend-engineer bell\x07here");
  expect_rejected("task start backend-engineer del\x7fhere");
  expect_rejected("task start backend-engineer c1\xc2\x85here");
  expect_command("task start backend-engineer " + std::string(1000, 'd'),
                 tag::TaskStart{"backend-engineer", std::string(1000, 'd')});
  expect_rejected("task start backend-engineer " + std::string(1001, 'd'));
}

TEST(TagGrammar, TaskStartAcceptsAdditionalAgents) {
  const auto agents = Agents::with_additional("data-scientist");
  const auto r = parse_tag_body("task start data-scientist Fit a model", *agents);
  ASSERT_EQ(r.status, Status::Command);
  EXPECT_EQ(r.command, (TagCommand{tag::TaskStart{"data-scientist", "Fit a model"}}));
  expect_rejected("task start data-scientist Fit a model");  // not in the built-in set
}

TEST(TagGrammar, TaskRefCommands) {
  expect_command("task progress task_1_2 40", tag::TaskProgress{"task_1_2", 40});
  expect_command("task progress backend-engineer 100", tag::TaskProgress{"backend-engineer", 100});
  expect_command("task progress T-1 0", tag::TaskProgress{"T-1", 0});
  expect_command("task progress x 50%", tag::TaskProgress{"x", 50});
  expect_command("task done task_1_2", tag::TaskDone{"task_1_2"});
  expect_command("task focus task_1_2", tag::TaskFocus{"task_1_2"});
  expect_command("task point task_1_2", tag::TaskPoint{"task_1_2"});
  expect_command("task hover task_1_2", tag::TaskHover{"task_1_2"});
  expect_command("task celebrate task_1_2", tag::TaskCelebrate{"task_1_2"});
  expect_command("TASK DONE Task_A", tag::TaskDone{"Task_A"});  // the ref keeps its case
}

TEST(TagGrammar, TaskProgressRejectsMissingOrTooLargePercentage) {
  expect_rejected("task progress task_1 101");
  expect_rejected("task progress task_1");
  expect_rejected("task progress task_1 half");
  expect_rejected("task progress task_1 -5");
}

TEST(TagGrammar, TaskRefMustBeUpTo100CharactersOfIdCharacters) {
  expect_command("task done " + std::string(100, 'r'), tag::TaskDone{std::string(100, 'r')});
  expect_rejected("task done " + std::string(101, 'r'));
  expect_rejected("task done task.1");
  expect_rejected("task done task/1");
  expect_rejected("task done");
  expect_rejected("task focus");
}

TEST(TagGrammar, TaskFailTakesAnOptionalReason) {
  expect_command("task fail task_1", tag::TaskFail{"task_1", "Unknown error"});
  expect_command("task fail task_1 Disk is full", tag::TaskFail{"task_1", "Disk is full"});
  expect_command("task fail task_1 \"Quoted reason\"", tag::TaskFail{"task_1", "Quoted reason"});
  expect_command("task fail task_1 " + std::string(1000, 'e'), tag::TaskFail{"task_1", std::string(1000, 'e')});
  expect_rejected("task fail task_1 " + std::string(1001, 'e'));
  expect_rejected("task fail task_1 bad\x01reason");
}

TEST(TagGrammar, TaskWithoutAKnownSubcommandIsRejected) {
  expect_rejected("task");
  expect_rejected("task explode task_1");
}

}  // namespace
}  // namespace yollayah::conductor
