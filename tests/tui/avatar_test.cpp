// The axolotl avatar: message-driven state, timing with time passed in, clipped drawing.
#include "tui/view/avatar.hpp"

#include "tui/screen/buffer.hpp"
#include "tui/screen/width.hpp"
#include "tui/view/avatar_sprites.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <string>

namespace {

using namespace std::chrono_literals;
using yollayah::tui::screen::Buffer;
using yollayah::tui::screen::display_width;
using yollayah::tui::screen::Style;
using yollayah::tui::view::Animation;
using yollayah::tui::view::Avatar;
using yollayah::tui::view::Face;
using yollayah::tui::view::kAnimationCount;
using yollayah::tui::view::Overlay;
using yollayah::tui::view::Rect;
namespace sprites = yollayah::tui::view::sprites;
namespace protocol = yollayah::protocol;
namespace msg = yollayah::protocol::msg;
using Clock = Avatar::Clock;

const Clock::time_point t0 = Clock::time_point{} + 1h;

constexpr std::array kSizes = {protocol::AvatarSize::Tiny, protocol::AvatarSize::Small,
                               protocol::AvatarSize::Medium, protocol::AvatarSize::Large};

std::string row_text(const Buffer& b, int y) {
  std::string s;
  for (int x = 0; x < b.width(); ++x) s += b.at(x, y).text();
  return s;
}

// The text of `n` cells from (x, y).
std::string cells(const Buffer& b, int x, int y, int n) {
  std::string s;
  for (int i = x; i < x + n && i < b.width(); ++i) s += b.at(i, y).text();
  return s;
}

std::string all_text(const Buffer& b) {
  std::string s;
  for (int y = 0; y < b.height(); ++y) s += row_text(b, y) + "\n";
  return s;
}

// Fills the buffer with a marker that no sprite uses, so writes are visible.
void mark(Buffer& b) {
  for (int y = 0; y < b.height(); ++y) {
    for (int x = 0; x < b.width(); ++x) b.set(x, y, "Z", 1, Style{});
  }
}

bool inside(Rect r, int x, int y) {
  return x >= r.x && x < r.right() && y >= r.y && y < r.bottom();
}

// Every cell outside `area` still holds the marker.
void expect_untouched_outside(const Buffer& b, Rect area) {
  for (int y = 0; y < b.height(); ++y) {
    for (int x = 0; x < b.width(); ++x) {
      if (!inside(area, x, y)) {
        EXPECT_EQ(b.at(x, y).text(), "Z") << "wrote outside the area at " << x << "," << y;
      }
    }
  }
}

// Column of the first eye glyph `eye` on row `y`, or -1.
int find_column(const Buffer& b, int y, std::string_view glyph) {
  for (int x = 0; x < b.width(); ++x) {
    if (b.at(x, y).text() == glyph) return x;
  }
  return -1;
}

Avatar make_static() {
  Avatar a(t0);
  a.set_motion_allowed(false);
  a.advance(t0);
  return a;
}

protocol::AvatarGesture gesture(protocol::AvatarGesture::Kind k) {
  protocol::AvatarGesture g;
  g.kind = k;
  return g;
}

protocol::AvatarPosition at(protocol::AvatarPosition::Kind k, std::uint8_t x = 0,
                            std::uint8_t y = 0) {
  protocol::AvatarPosition p;
  p.kind = k;
  p.x = x;
  p.y = y;
  return p;
}

// ---- Art ----------------------------------------------------------------------------------------

TEST(AvatarSprites, EveryRowOfEverySizeAndPoseHasTheSpriteWidth) {
  for (auto size : kSizes) {
    const sprites::Sprite& sp = sprites::sprite(size);
    ASSERT_EQ(static_cast<int>(sp.rest.size()), sp.rows);
    ASSERT_EQ(static_cast<int>(sp.swim.size()), sp.rows);
    for (int r = 0; r < sp.rows; ++r) {
      EXPECT_EQ(display_width(sp.rest[static_cast<std::size_t>(r)]), sp.cols) << "rest row " << r;
      EXPECT_EQ(display_width(sp.swim[static_cast<std::size_t>(r)]), sp.cols) << "swim row " << r;
    }
    EXPECT_EQ(Avatar::extent(size), (Avatar::Extent{sp.cols, sp.rows}));
  }
}

TEST(AvatarSprites, SizesGrowFromOneLineToLarge) {
  EXPECT_EQ(Avatar::extent(protocol::AvatarSize::Tiny).rows, 1);
  EXPECT_LE(Avatar::extent(protocol::AvatarSize::Tiny).cols, 8);
  EXPECT_EQ(Avatar::extent(protocol::AvatarSize::Small).rows, 3);
  EXPECT_GE(Avatar::extent(protocol::AvatarSize::Medium).rows, 5);
  EXPECT_LE(Avatar::extent(protocol::AvatarSize::Medium).rows, 6);
  EXPECT_GE(Avatar::extent(protocol::AvatarSize::Large).rows, 8);
  EXPECT_LE(Avatar::extent(protocol::AvatarSize::Large).rows, 10);
}

TEST(AvatarSprites, EachPoseHasTwoEyesAndOneMouth) {
  for (auto size : kSizes) {
    const sprites::Sprite& sp = sprites::sprite(size);
    for (auto rows : {sp.rest, sp.swim}) {
      int eyes = 0;
      int mouth_rows = 0;
      for (std::string_view row : rows) {
        for (char c : row) eyes += c == 'E';
        if (row.find('M') != std::string_view::npos) ++mouth_rows;
      }
      EXPECT_EQ(eyes, 2);
      EXPECT_EQ(mouth_rows, 1);
    }
  }
}

TEST(AvatarSprites, FaceAndOverlayGlyphsKeepTheirWidths) {
  for (int f = 0; f <= static_cast<int>(Face::Confused); ++f) {
    const sprites::FaceGlyphs& g = sprites::face(static_cast<Face>(f));
    EXPECT_EQ(display_width(g.left_eye), 1) << f;
    EXPECT_EQ(display_width(g.right_eye), 1) << f;
    EXPECT_EQ(display_width(g.mouth1), 1) << f;
    EXPECT_EQ(display_width(g.mouth3), 3) << f;
  }
  for (int o = 1; o <= static_cast<int>(Overlay::Blush); ++o) {
    EXPECT_EQ(display_width(sprites::overlay_text(static_cast<Overlay>(o), 3)), 3) << o;
    EXPECT_EQ(display_width(sprites::overlay_text(static_cast<Overlay>(o), 1)), 1) << o;
  }
}

TEST(AvatarSprites, OverlaySlotIsBlankInEveryPoseAboveTiny) {
  for (auto size : {protocol::AvatarSize::Small, protocol::AvatarSize::Medium,
                    protocol::AvatarSize::Large}) {
    const sprites::Sprite& sp = sprites::sprite(size);
    for (auto rows : {sp.rest, sp.swim}) {
      Buffer b(sp.cols, sp.rows);
      b.put_text(0, sp.overlay_y, rows[static_cast<std::size_t>(sp.overlay_y)], Style{});
      for (int x = sp.overlay_x; x < sp.overlay_x + sp.overlay_width; ++x) {
        EXPECT_EQ(b.at(x, sp.overlay_y).text(), " ");
      }
    }
  }
}

TEST(AvatarSprites, EveryAnimationHasTwoToFourFrames) {
  for (int a = 0; a < kAnimationCount; ++a) {
    const auto& def = sprites::animation(static_cast<Animation>(a));
    EXPECT_GE(def.frames.size(), 2U);
    EXPECT_LE(def.frames.size(), 4U);
    EXPECT_GT(def.frame_duration.count(), 0);
  }
}

// Every size × animation × frame draws only inside the sprite's extent, and draws something.
TEST(AvatarSprites, EveryFrameOfEverySizeStaysInsideItsExtent) {
  const std::array<protocol::ConductorMessage, 8> drivers = {
      msg::Ping{},
      msg::State{protocol::ConductorState::Thinking},
      msg::State{protocol::ConductorState::Responding},
      msg::AvatarMood{protocol::AvatarMood::Happy},
      msg::AvatarMood{protocol::AvatarMood::Playful},
      msg::State{protocol::ConductorState::Listening},
      msg::State{protocol::ConductorState::Error},
      msg::AvatarReact{protocol::AvatarReaction::Wink, 60000},
  };
  for (auto size : kSizes) {
    const Avatar::Extent e = Avatar::extent(size);
    for (std::size_t i = 0; i < drivers.size(); ++i) {
      Avatar av(t0);
      av.apply(msg::AvatarSize{size}, t0);
      av.apply(msg::AvatarMoveTo{at(protocol::AvatarPosition::Kind::TopLeft)}, t0);
      av.apply(drivers[i], t0);
      ASSERT_EQ(av.animation(), static_cast<Animation>(i));
      const auto& def = sprites::animation(av.animation());
      for (std::size_t f = 0; f < def.frames.size(); ++f) {
        const auto now = t0 + static_cast<int>(f) * def.frame_duration;
        ASSERT_EQ(av.frame_index(now), static_cast<int>(f));
        Buffer b(e.cols + 4, e.rows + 2);
        av.draw(b, Rect{0, 0, b.width(), b.height()}, now);
        int drawn = 0;
        for (int y = 0; y < b.height(); ++y) {
          for (int x = 0; x < b.width(); ++x) {
            if (b.at(x, y).text() == " ") continue;
            ++drawn;
            EXPECT_LT(x, e.cols) << av.animation_name() << " frame " << f;
            EXPECT_LT(y, e.rows) << av.animation_name() << " frame " << f;
          }
        }
        EXPECT_GT(drawn, 4);
      }
    }
  }
}

// ---- State from messages ------------------------------------------------------------------------

TEST(Avatar, StartsIdleVisibleAndMediumWithANeutralFace) {
  Avatar a(t0);
  EXPECT_TRUE(a.visible());
  EXPECT_EQ(a.animation(), Animation::Idle);
  EXPECT_EQ(a.animation_name(), "Idle");
  EXPECT_EQ(a.size(), protocol::AvatarSize::Medium);
  EXPECT_EQ(a.face(t0), Face::Neutral);
}

TEST(Avatar, MoodPicksTheBaseAnimationAndTheFace) {
  Avatar a = make_static();
  a.apply(msg::AvatarMood{protocol::AvatarMood::Happy}, t0);
  EXPECT_EQ(a.animation(), Animation::Happy);
  EXPECT_EQ(a.face(t0), Face::Joy);
  a.apply(msg::AvatarMood{protocol::AvatarMood::Calm}, t0);
  EXPECT_EQ(a.animation(), Animation::Idle);
  EXPECT_EQ(a.face(t0), Face::Calm);
  a.apply(msg::AvatarMood{protocol::AvatarMood::Playful}, t0);
  EXPECT_EQ(a.animation(), Animation::Swimming);
  a.apply(msg::AvatarMood{protocol::AvatarMood::Thinking}, t0);
  EXPECT_EQ(a.animation(), Animation::Thinking);
  a.apply(msg::AvatarMood{protocol::AvatarMood::Confused}, t0);
  EXPECT_EQ(a.animation(), Animation::Waiting);
  EXPECT_EQ(a.face(t0), Face::Confused);
}

TEST(Avatar, HappyMoodDrawsHappyEyes) {
  Avatar a = make_static();
  a.apply(msg::AvatarMood{protocol::AvatarMood::Happy}, t0);
  a.apply(msg::AvatarMoveTo{at(protocol::AvatarPosition::Kind::TopLeft)}, t0);
  Buffer b(30, 8);
  a.draw(b, Rect{0, 0, 30, 8}, t0);
  EXPECT_NE(row_text(b, 1).find("^   ^"), std::string::npos) << all_text(b);
}

TEST(Avatar, GestureLastsItsDurationThenReverts) {
  Avatar a = make_static();
  protocol::AvatarGesture g = gesture(protocol::AvatarGesture::Kind::Swim);
  a.apply(msg::AvatarGesture{g, 300}, t0);
  EXPECT_EQ(a.animation(), Animation::Swimming);
  EXPECT_TRUE(a.has_temporary());
  ASSERT_TRUE(a.next_change(t0).has_value());
  EXPECT_EQ(*a.next_change(t0), t0 + 300ms);
  EXPECT_TRUE(a.advance(t0 + 1ms));  // apply() made it dirty
  EXPECT_FALSE(a.advance(t0 + 299ms));
  EXPECT_EQ(a.animation(), Animation::Swimming);
  EXPECT_TRUE(a.advance(t0 + 301ms));
  EXPECT_EQ(a.animation(), Animation::Idle);
  EXPECT_FALSE(a.has_temporary());
  EXPECT_FALSE(a.next_change(t0 + 301ms).has_value());
}

TEST(Avatar, GestureOfZeroDurationLastsTheDefault) {
  Avatar a = make_static();
  a.apply(msg::AvatarGesture{gesture(protocol::AvatarGesture::Kind::Wave), 0}, t0);
  EXPECT_EQ(a.animation(), Animation::Happy);
  EXPECT_EQ(a.next_change(t0), t0 + Avatar::kDefaultTemporary);
  a.advance(t0 + Avatar::kDefaultTemporary - 1ms);
  EXPECT_EQ(a.animation(), Animation::Happy);
  a.advance(t0 + Avatar::kDefaultTemporary);
  EXPECT_EQ(a.animation(), Animation::Idle);
}

TEST(Avatar, ReactionOverridesFaceAndOverlayThenReverts) {
  Avatar a = make_static();
  a.apply(msg::AvatarMood{protocol::AvatarMood::Calm}, t0);
  a.apply(msg::AvatarReact{protocol::AvatarReaction::Love, 500}, t0);
  EXPECT_EQ(a.animation(), Animation::Happy);
  EXPECT_EQ(a.face(t0), Face::Love);
  EXPECT_EQ(a.overlay(t0), Overlay::Heart);
  EXPECT_EQ(a.next_change(t0), t0 + 500ms);
  EXPECT_TRUE(a.advance(t0 + 500ms));
  EXPECT_EQ(a.animation(), Animation::Idle);
  EXPECT_EQ(a.face(t0 + 500ms), Face::Calm);
  EXPECT_EQ(a.overlay(t0 + 500ms), Overlay::None);
}

TEST(Avatar, WinkReactionShowsWinkAnimationAndAWinkingEye) {
  Avatar a = make_static();
  a.apply(msg::AvatarReact{protocol::AvatarReaction::Wink, 0}, t0);
  EXPECT_EQ(a.animation(), Animation::Wink);
  EXPECT_EQ(a.face(t0), Face::Wink);
}

TEST(Avatar, LaterTemporaryReplacesAnEarlierOne) {
  Avatar a = make_static();
  a.apply(msg::AvatarGesture{gesture(protocol::AvatarGesture::Kind::Swim), 1000}, t0);
  a.apply(msg::AvatarReact{protocol::AvatarReaction::Cry, 200}, t0 + 100ms);
  EXPECT_EQ(a.animation(), Animation::Error);
  EXPECT_EQ(a.face(t0 + 100ms), Face::Cry);
  EXPECT_EQ(a.next_change(t0 + 100ms), t0 + 300ms);
}

TEST(Avatar, SizeMessageChangesTheExtent) {
  Avatar a = make_static();
  a.apply(msg::AvatarSize{protocol::AvatarSize::Large}, t0);
  EXPECT_EQ(a.size(), protocol::AvatarSize::Large);
  EXPECT_EQ(a.extent(), Avatar::extent(protocol::AvatarSize::Large));
  a.apply(msg::AvatarSize{protocol::AvatarSize::Tiny}, t0);
  EXPECT_EQ(a.extent().rows, 1);
}

TEST(Avatar, HiddenAvatarDrawsNothing) {
  Avatar a = make_static();
  a.apply(msg::AvatarVisibility{false}, t0);
  EXPECT_FALSE(a.visible());
  Buffer b(40, 10);
  mark(b);
  a.draw(b, Rect{0, 0, 40, 10}, t0);
  expect_untouched_outside(b, Rect{});
  a.apply(msg::AvatarVisibility{true}, t0);
  a.draw(b, Rect{0, 0, 40, 10}, t0);
  EXPECT_NE(all_text(b).find("≋"), std::string::npos);
}

TEST(Avatar, MoveToAnchorsTheSpriteInTheArea) {
  Avatar a = make_static();
  const Rect area{5, 2, 60, 20};
  const Avatar::Extent e = a.extent();
  using K = protocol::AvatarPosition::Kind;
  a.apply(msg::AvatarMoveTo{at(K::TopLeft)}, t0);
  EXPECT_EQ(a.origin(area), (Avatar::Point{5, 2}));
  a.apply(msg::AvatarMoveTo{at(K::TopRight)}, t0);
  EXPECT_EQ(a.origin(area), (Avatar::Point{5 + 60 - e.cols, 2}));
  a.apply(msg::AvatarMoveTo{at(K::BottomLeft)}, t0);
  EXPECT_EQ(a.origin(area), (Avatar::Point{5, 2 + 20 - e.rows}));
  a.apply(msg::AvatarMoveTo{at(K::BottomRight)}, t0);
  EXPECT_EQ(a.origin(area), (Avatar::Point{5 + 60 - e.cols, 2 + 20 - e.rows}));
  a.apply(msg::AvatarMoveTo{at(K::Center)}, t0);
  EXPECT_EQ(a.origin(area), (Avatar::Point{5 + (60 - e.cols) / 2, 2 + (20 - e.rows) / 2}));
  a.apply(msg::AvatarMoveTo{at(K::Percent, 50, 100)}, t0);
  EXPECT_EQ(a.origin(area), (Avatar::Point{5 + (60 - e.cols) / 2, 2 + 20 - e.rows}));
  EXPECT_EQ(a.position(), at(K::Percent, 50, 100));
}

TEST(Avatar, MoveToDrawsAtTheAnchor) {
  Avatar a = make_static();
  a.apply(msg::AvatarSize{protocol::AvatarSize::Tiny}, t0);
  a.apply(msg::AvatarMoveTo{at(protocol::AvatarPosition::Kind::BottomRight)}, t0);
  Buffer b(20, 4);
  a.draw(b, Rect{0, 0, 20, 4}, t0);
  EXPECT_EQ(row_text(b, 3), "            ≋(o‿o)≋~");
}

TEST(Avatar, PointAtGlancesTheEyesThenLooksAhead) {
  Avatar a = make_static();
  a.apply(msg::AvatarMoveTo{at(protocol::AvatarPosition::Kind::TopLeft)}, t0);
  Buffer ahead(30, 8);
  a.draw(ahead, Rect{0, 0, 30, 8}, t0);
  const int eye = find_column(ahead, 1, "o");
  ASSERT_GE(eye, 0) << all_text(ahead);

  a.apply(msg::AvatarPointAt{0, 50}, t0);
  EXPECT_EQ(a.glance(), -1);
  Buffer left(30, 8);
  a.draw(left, Rect{0, 0, 30, 8}, t0);
  EXPECT_EQ(find_column(left, 1, "o"), eye - 1) << all_text(left);
  EXPECT_EQ(a.next_change(t0), t0 + Avatar::kGlance);

  a.apply(msg::AvatarPointAt{100, 50}, t0);
  EXPECT_EQ(a.glance(), 1);
  Buffer right(30, 8);
  a.draw(right, Rect{0, 0, 30, 8}, t0);
  EXPECT_EQ(find_column(right, 1, "o"), eye + 1) << all_text(right);

  EXPECT_TRUE(a.advance(t0 + Avatar::kGlance));
  EXPECT_EQ(a.glance(), 0);
}

TEST(Avatar, ThinkingStateShowsTheThoughtOverlay) {
  Avatar a = make_static();
  a.apply(msg::AvatarMoveTo{at(protocol::AvatarPosition::Kind::TopLeft)}, t0);
  a.apply(msg::State{protocol::ConductorState::Thinking}, t0);
  EXPECT_EQ(a.animation(), Animation::Thinking);
  EXPECT_EQ(a.overlay(t0), Overlay::Think0);
  Buffer b(30, 8);
  a.draw(b, Rect{0, 0, 30, 8}, t0);
  const auto& sp = sprites::sprite(protocol::AvatarSize::Medium);
  EXPECT_EQ(cells(b, sp.overlay_x, sp.overlay_y, 3), "...")
      << all_text(b);

  a.apply(msg::State{protocol::ConductorState::Ready}, t0);
  Buffer after(30, 8);
  a.draw(after, Rect{0, 0, 30, 8}, t0);
  EXPECT_EQ(row_text(after, sp.overlay_y).find("..."), std::string::npos);
}

TEST(Avatar, TinyThinkingShowsAnEllipsis) {
  Avatar a = make_static();
  a.apply(msg::AvatarSize{protocol::AvatarSize::Tiny}, t0);
  a.apply(msg::AvatarMoveTo{at(protocol::AvatarPosition::Kind::TopLeft)}, t0);
  a.apply(msg::State{protocol::ConductorState::Thinking}, t0);
  Buffer b(8, 1);
  a.draw(b, Rect{0, 0, 8, 1}, t0);
  EXPECT_EQ(row_text(b, 0), "≋(°-°)≋…");
}

TEST(Avatar, ConductorStateDrivesTheBaseAnimation) {
  Avatar a = make_static();
  a.apply(msg::AvatarMood{protocol::AvatarMood::Calm}, t0);
  a.apply(msg::State{protocol::ConductorState::Responding}, t0);
  EXPECT_EQ(a.animation(), Animation::Talking);
  a.apply(msg::State{protocol::ConductorState::Error}, t0);
  EXPECT_EQ(a.animation(), Animation::Error);
  EXPECT_EQ(a.face(t0), Face::Error);
  a.apply(msg::State{protocol::ConductorState::Listening}, t0);
  EXPECT_EQ(a.animation(), Animation::Waiting);
  a.apply(msg::State{protocol::ConductorState::Ready}, t0);
  EXPECT_EQ(a.animation(), Animation::Idle);
  EXPECT_EQ(a.face(t0), Face::Calm);
  a.apply(msg::AvatarMood{protocol::AvatarMood::Excited}, t0);
  EXPECT_EQ(a.animation(), Animation::Happy);
}

TEST(Avatar, TemporaryGestureWinsOverTheStateThenTheStateReturns) {
  Avatar a = make_static();
  a.apply(msg::State{protocol::ConductorState::Thinking}, t0);
  a.apply(msg::AvatarReact{protocol::AvatarReaction::Tada, 100}, t0);
  EXPECT_EQ(a.animation(), Animation::Happy);
  a.advance(t0 + 100ms);
  EXPECT_EQ(a.animation(), Animation::Thinking);
}

TEST(Avatar, StateSnapshotRestoresTheAvatarState) {
  Avatar a = make_static();
  msg::StateSnapshot snap;
  snap.avatar_state.position = at(protocol::AvatarPosition::Kind::TopLeft);
  snap.avatar_state.mood = protocol::AvatarMood::Shy;
  snap.avatar_state.size = protocol::AvatarSize::Small;
  snap.avatar_state.visible = false;
  snap.avatar_state.wandering = true;
  snap.avatar_state.current_reaction = protocol::AvatarReaction::Sleepy;
  snap.session_info.state = protocol::ConductorState::Ready;
  a.apply(snap, t0);
  EXPECT_EQ(a.position(), at(protocol::AvatarPosition::Kind::TopLeft));
  EXPECT_EQ(a.mood(), protocol::AvatarMood::Shy);
  EXPECT_EQ(a.size(), protocol::AvatarSize::Small);
  EXPECT_FALSE(a.visible());
  EXPECT_TRUE(a.wandering());
  EXPECT_EQ(a.animation(), Animation::Waiting);
  EXPECT_EQ(a.face(t0), Face::Sleepy);
  EXPECT_EQ(a.next_change(t0), t0 + Avatar::kDefaultTemporary);
  a.advance(t0 + Avatar::kDefaultTemporary);
  EXPECT_EQ(a.animation(), Animation::Idle);
  EXPECT_EQ(a.face(t0 + Avatar::kDefaultTemporary), Face::Shy);
}

TEST(Avatar, IgnoresMessagesThatAreNotForIt) {
  Avatar a = make_static();
  EXPECT_FALSE(a.advance(t0 + 1ms));
  a.apply(msg::Ping{7}, t0 + 1ms);
  a.apply(msg::Quit{}, t0 + 1ms);
  EXPECT_FALSE(a.advance(t0 + 2ms));
  EXPECT_EQ(a.animation(), Animation::Idle);
}

// ---- Time ---------------------------------------------------------------------------------------

TEST(Avatar, ReducedMotionIdleNeverWakesUp) {
  Avatar a = make_static();
  a.apply(msg::AvatarWander{true}, t0);
  a.apply(msg::AvatarMood{protocol::AvatarMood::Happy}, t0);
  a.apply(msg::State{protocol::ConductorState::Thinking}, t0);
  EXPECT_FALSE(a.next_change(t0).has_value());
  a.advance(t0);
  const Avatar::Point o = a.origin(Rect{0, 0, 80, 24});
  for (int i = 1; i < 50; ++i) {
    const auto now = t0 + i * 137ms;
    EXPECT_FALSE(a.advance(now)) << i;
    EXPECT_EQ(a.frame_index(now), 0);
    EXPECT_FALSE(a.next_change(now).has_value());
  }
  EXPECT_EQ(a.origin(Rect{0, 0, 80, 24}), o);
}

TEST(Avatar, ReducedMotionStillExpiresAGesture) {
  Avatar a = make_static();
  a.apply(msg::AvatarWander{true}, t0);
  a.apply(msg::AvatarGesture{gesture(protocol::AvatarGesture::Kind::Dance), 250}, t0);
  EXPECT_EQ(a.next_change(t0 + 10ms), t0 + 250ms);
  EXPECT_TRUE(a.advance(t0 + 250ms));
  EXPECT_FALSE(a.next_change(t0 + 250ms).has_value());
}

TEST(Avatar, WithMotionNextChangeIsTheNextFrameBoundary) {
  Avatar a(t0);
  ASSERT_TRUE(a.motion_allowed());
  const auto d = sprites::animation(Animation::Idle).frame_duration;
  EXPECT_EQ(a.next_change(t0 + 1ms), t0 + d);
  EXPECT_FALSE(a.advance(t0 + d - 1ms));
  EXPECT_TRUE(a.advance(t0 + d));
  EXPECT_EQ(a.frame_index(t0 + d), 1);
  EXPECT_EQ(a.next_change(t0 + d), t0 + 2 * d);
}

TEST(Avatar, TalkingAlternatesAnOpenMouth) {
  Avatar a(t0);
  a.apply(msg::State{protocol::ConductorState::Responding}, t0);
  const auto d = sprites::animation(Animation::Talking).frame_duration;
  EXPECT_EQ(a.face(t0), Face::Talk);
  EXPECT_NE(a.face(t0 + d), Face::Talk);
  EXPECT_EQ(a.face(t0 + 2 * d), Face::Talk);
}

TEST(Avatar, TurningMotionOffFreezesOnTheFirstFrame) {
  Avatar a(t0);
  const auto d = sprites::animation(Animation::Idle).frame_duration;
  a.advance(t0 + d);
  EXPECT_EQ(a.frame_index(t0 + d), 1);
  a.set_motion_allowed(false);
  EXPECT_TRUE(a.advance(t0 + d));
  EXPECT_EQ(a.frame_index(t0 + d), 0);
  EXPECT_FALSE(a.next_change(t0 + d).has_value());
}

TEST(Avatar, HiddenAvatarOnlyWakesForExpiries) {
  Avatar a(t0);
  a.apply(msg::AvatarWander{true}, t0);
  a.apply(msg::AvatarVisibility{false}, t0);
  EXPECT_FALSE(a.next_change(t0).has_value());
  a.apply(msg::AvatarReact{protocol::AvatarReaction::Gasp, 50}, t0);
  EXPECT_EQ(a.next_change(t0), t0 + 50ms);
}

TEST(Avatar, WanderingDriftsOneColumnAtATimeInsideTheArea) {
  Avatar a(t0);
  const Rect area{3, 1, 40, 10};
  a.apply(msg::AvatarMoveTo{at(protocol::AvatarPosition::Kind::BottomLeft)}, t0);
  a.apply(msg::AvatarWander{true}, t0);
  ASSERT_TRUE(a.wandering());
  const Avatar::Extent e = a.extent();
  EXPECT_LE(*a.next_change(t0), t0 + Avatar::kWanderStep);
  Avatar::Point prev = a.origin(area);
  EXPECT_EQ(prev, (Avatar::Point{3, 1 + 10 - e.rows}));
  int min_x = prev.x;
  int max_x = prev.x;
  for (int i = 1; i <= 100; ++i) {
    a.advance(t0 + i * Avatar::kWanderStep);
    const Avatar::Point p = a.origin(area);
    EXPECT_EQ(std::abs(p.x - prev.x), 1) << i;
    EXPECT_EQ(p.y, prev.y);
    EXPECT_GE(p.x, area.x);
    EXPECT_LE(p.x + e.cols, area.right());
    min_x = std::min(min_x, p.x);
    max_x = std::max(max_x, p.x);
    prev = p;
  }
  EXPECT_EQ(min_x, area.x);
  EXPECT_EQ(max_x, area.right() - e.cols);
}

TEST(Avatar, WanderedDrawingStaysInsideTheArea) {
  Avatar a(t0);
  a.apply(msg::AvatarWander{true}, t0);
  a.apply(msg::AvatarSize{protocol::AvatarSize::Small}, t0);
  const Rect area{2, 1, 24, 4};
  for (int i = 0; i < 40; ++i) {
    const auto now = t0 + i * Avatar::kWanderStep;
    a.advance(now);
    Buffer b(30, 6);
    mark(b);
    a.draw(b, area, now);
    expect_untouched_outside(b, area);
  }
}

TEST(Avatar, WanderOffStopsTheDrift) {
  Avatar a(t0);
  a.apply(msg::AvatarWander{true}, t0);
  a.advance(t0 + 3 * Avatar::kWanderStep);
  a.apply(msg::AvatarWander{false}, t0 + 3 * Avatar::kWanderStep);
  EXPECT_FALSE(a.wandering());
  a.apply(msg::AvatarMoveTo{at(protocol::AvatarPosition::Kind::TopLeft)}, t0);
  EXPECT_EQ(a.origin(Rect{0, 0, 80, 24}), (Avatar::Point{0, 0}));
}

// ---- Clipping -----------------------------------------------------------------------------------

TEST(Avatar, FallsBackToTheLargestSizeThatFits) {
  Avatar a(t0);
  a.apply(msg::AvatarSize{protocol::AvatarSize::Large}, t0);
  EXPECT_EQ(a.fitted_size(Rect{0, 0, 80, 24}), protocol::AvatarSize::Large);
  EXPECT_EQ(a.fitted_size(Rect{0, 0, 20, 6}), protocol::AvatarSize::Small);
  EXPECT_EQ(a.fitted_size(Rect{0, 0, 30, 6}), protocol::AvatarSize::Medium);
  EXPECT_EQ(a.fitted_size(Rect{0, 0, 1, 1}), protocol::AvatarSize::Tiny);
  a.apply(msg::AvatarSize{protocol::AvatarSize::Small}, t0);
  EXPECT_EQ(a.fitted_size(Rect{0, 0, 80, 24}), protocol::AvatarSize::Small);
}

TEST(Avatar, DrawingIntoTinyOddOrOutOfBoundsAreasNeverWritesOutside) {
  const std::array<Rect, 9> areas = {
      Rect{0, 0, 20, 6},  Rect{3, 2, 1, 1},    Rect{0, 0, 0, 0},
      Rect{19, 5, 5, 5},  Rect{-4, -2, 10, 4}, Rect{5, 1, 7, 2},
      Rect{0, 0, 100, 50}, Rect{25, 10, 8, 1}, Rect{2, 2, 16, 3},
  };
  for (auto size : kSizes) {
    for (int s = 0; s < 6; ++s) {
      for (Rect area : areas) {
        for (bool wander : {false, true}) {
          Avatar a(t0);
          a.apply(msg::AvatarSize{size}, t0);
          a.apply(msg::AvatarWander{wander}, t0);
          a.apply(msg::State{static_cast<protocol::ConductorState>(s)}, t0);
          a.apply(msg::AvatarPointAt{100, 0}, t0);
          a.advance(t0 + 5s);
          Buffer b(20, 6);
          mark(b);
          a.draw(b, area, t0 + 5s);
          expect_untouched_outside(b, area);
        }
      }
    }
  }
}

TEST(Avatar, AOneByOneAreaShowsOneCellOfTheAxolotl) {
  Avatar a(t0);
  Buffer b(20, 6);
  mark(b);
  a.draw(b, Rect{3, 2, 1, 1}, t0);
  EXPECT_EQ(b.at(3, 2).text(), "≋");
}

}  // namespace
