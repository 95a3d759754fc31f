// What tags and clicks do to the Conductor's avatar, and which messages they send.
#include "conductor/avatar_state.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace yollayah::conductor {
namespace {

namespace msg = protocol::msg;
using protocol::AvatarGesture;
using protocol::AvatarMood;
using protocol::AvatarPosition;
using protocol::AvatarReaction;
using protocol::AvatarSize;
using protocol::ConductorMessage;
using protocol::PeekDirection;
using Messages = std::vector<ConductorMessage>;

std::vector<std::string_view> names(const Messages& messages) {
  std::vector<std::string_view> out;
  for (const auto& m : messages) out.push_back(protocol::variant_name(m));
  return out;
}

Messages apply(AvatarState& avatar, const TagCommand& command) {
  Messages out;
  avatar.apply(command, out);
  return out;
}

const AvatarGesture kWave{AvatarGesture::Kind::Wave, PeekDirection::Right};

TEST(AvatarState, StartsWithTheOriginalDefaults) {
  const AvatarState avatar;
  const auto s = avatar.snapshot();
  EXPECT_EQ(s.position.kind, AvatarPosition::Kind::BottomRight);
  EXPECT_EQ(s.mood, AvatarMood::Happy);
  EXPECT_EQ(s.size, AvatarSize::Medium);
  EXPECT_TRUE(s.visible);
  EXPECT_TRUE(s.wandering);
  EXPECT_FALSE(s.current_gesture);
  EXPECT_FALSE(s.current_reaction);
}

TEST(AvatarState, MoveSendsMoveToAndStopsWanderingOnce) {
  AvatarState avatar;
  const AvatarPosition top_left{AvatarPosition::Kind::TopLeft, 0, 0};
  const auto first = apply(avatar, tag::MoveTo{top_left});
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0], ConductorMessage(msg::AvatarMoveTo{top_left}));
  EXPECT_EQ(first[1], ConductorMessage(msg::AvatarWander{false}));
  EXPECT_EQ(avatar.position(), top_left);
  EXPECT_FALSE(avatar.wandering());

  const AvatarPosition percent{AvatarPosition::Kind::Percent, 30, 70};
  const auto second = apply(avatar, tag::MoveTo{percent});
  EXPECT_EQ(second, (Messages{msg::AvatarMoveTo{percent}}));  // wandering was already off
  EXPECT_EQ(avatar.snapshot().position, percent);
}

TEST(AvatarState, PointSendsPointAtAndStopsWanderingButKeepsThePosition) {
  AvatarState avatar;
  const auto out = apply(avatar, tag::PointAt{25, 75});
  EXPECT_EQ(out, (Messages{msg::AvatarPointAt{25, 75}, msg::AvatarWander{false}}));
  EXPECT_EQ(avatar.position().kind, AvatarPosition::Kind::BottomRight);
  EXPECT_FALSE(avatar.wandering());
}

TEST(AvatarState, WanderTurnsWanderingOnAndOff) {
  AvatarState avatar;
  EXPECT_EQ(apply(avatar, tag::Wander{false}), (Messages{msg::AvatarWander{false}}));
  EXPECT_FALSE(avatar.wandering());
  EXPECT_EQ(apply(avatar, tag::Wander{true}), (Messages{msg::AvatarWander{true}}));
  EXPECT_TRUE(avatar.wandering());
}

TEST(AvatarState, MoodSizeAndVisibilityUpdateTheStateAndAreSent) {
  AvatarState avatar;
  EXPECT_EQ(apply(avatar, tag::Mood{AvatarMood::Curious}), (Messages{msg::AvatarMood{AvatarMood::Curious}}));
  EXPECT_EQ(apply(avatar, tag::Size{AvatarSize::Tiny}), (Messages{msg::AvatarSize{AvatarSize::Tiny}}));
  EXPECT_EQ(apply(avatar, tag::Visibility{false}), (Messages{msg::AvatarVisibility{false}}));
  const auto s = avatar.snapshot();
  EXPECT_EQ(s.mood, AvatarMood::Curious);
  EXPECT_EQ(s.size, AvatarSize::Tiny);
  EXPECT_FALSE(s.visible);
  EXPECT_EQ(apply(avatar, tag::Visibility{true}), (Messages{msg::AvatarVisibility{true}}));
  EXPECT_TRUE(avatar.visible());
}

TEST(AvatarState, GestureClearsReactionAndReactionClearsGesture) {
  AvatarState avatar;
  const AvatarGesture peek{AvatarGesture::Kind::Peek, PeekDirection::Left};
  EXPECT_EQ(apply(avatar, tag::React{AvatarReaction::Love, 2000}),
            (Messages{msg::AvatarReact{AvatarReaction::Love, 2000}}));
  EXPECT_EQ(avatar.reaction(), AvatarReaction::Love);

  EXPECT_EQ(apply(avatar, tag::Gesture{peek, 1000}), (Messages{msg::AvatarGesture{peek, 1000}}));
  EXPECT_EQ(avatar.gesture(), peek);
  EXPECT_FALSE(avatar.reaction());

  apply(avatar, tag::React{AvatarReaction::Gasp, 1000});
  EXPECT_EQ(avatar.reaction(), AvatarReaction::Gasp);
  EXPECT_FALSE(avatar.gesture());
}

TEST(AvatarState, ClickWaves) {
  AvatarState avatar;
  apply(avatar, tag::React{AvatarReaction::Cry, 2000});
  Messages out;
  avatar.apply_click(out);
  EXPECT_EQ(out, (Messages{msg::AvatarGesture{kWave, 1500}}));
  EXPECT_EQ(avatar.gesture(), kWave);
  EXPECT_FALSE(avatar.reaction());
}

TEST(AvatarState, TaskCelebrateIsATadaReaction) {
  AvatarState avatar;
  EXPECT_EQ(apply(avatar, tag::TaskCelebrate{"task_1"}), (Messages{msg::AvatarReact{AvatarReaction::Tada, 2500}}));
  EXPECT_EQ(avatar.reaction(), AvatarReaction::Tada);
}

TEST(AvatarState, SpriteAndOtherTaskCommandsChangeNothing) {
  AvatarState avatar;
  const auto before = avatar.snapshot();
  const std::vector<TagCommand> ignored = {
      tag::Sprite{"hat"},        tag::TaskStart{"qa-engineer", "x"},
      tag::TaskProgress{"t", 5}, tag::TaskDone{"t"},
      tag::TaskFail{"t", "r"},   tag::TaskFocus{"t"},
      tag::TaskPoint{"t"},       tag::TaskHover{"t"},
  };
  for (const auto& command : ignored) EXPECT_TRUE(apply(avatar, command).empty()) << describe(command);
  EXPECT_EQ(avatar.snapshot(), before);
}

TEST(AvatarState, SnapshotReflectsEveryChange) {
  AvatarState avatar;
  const AvatarPosition center{AvatarPosition::Kind::Center, 0, 0};
  for (const TagCommand& c :
       std::vector<TagCommand>{tag::MoveTo{center}, tag::Mood{AvatarMood::Shy}, tag::Size{AvatarSize::Large},
                               tag::Visibility{false}, tag::Gesture{kWave, 1500}}) {
    apply(avatar, c);
  }
  protocol::AvatarStateSnapshot expected;
  expected.position = center;
  expected.mood = AvatarMood::Shy;
  expected.size = AvatarSize::Large;
  expected.visible = false;
  expected.wandering = false;
  expected.current_gesture = kWave;
  EXPECT_EQ(avatar.snapshot(), expected);
}

TEST(AvatarState, ParsedTagsDriveTheAvatarEndToEnd) {
  AvatarState avatar;
  Messages out;
  for (const TagCommand& c : std::vector<TagCommand>{tag::MoveTo{{AvatarPosition::Kind::Follow, 0, 0}},
                                                     tag::Wander{true}, tag::Mood{AvatarMood::Excited}}) {
    avatar.apply(c, out);
  }
  EXPECT_EQ(names(out), (std::vector<std::string_view>{"AvatarMoveTo", "AvatarWander", "AvatarWander", "AvatarMood"}));
  EXPECT_TRUE(avatar.wandering());
}

}  // namespace
}  // namespace yollayah::conductor
