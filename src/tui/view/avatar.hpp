// The axolotl avatar: state driven by Conductor messages, animation timing with time passed in,
// and drawing into a Buffer. Pure logic, no timers or I/O: the app arms one timer from
// next_change().
#pragma once

#include "protocol/messages.hpp"
#include "tui/screen/buffer.hpp"
#include "tui/view/rect.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace yollayah::tui::view {

enum class Animation : std::uint8_t {
  Idle,
  Thinking,
  Talking,
  Happy,
  Swimming,
  Waiting,
  Error,
  Wink,
};
inline constexpr int kAnimationCount = 8;

std::string_view animation_name(Animation a);

// What the face shows: a mood's look, a reaction's, or one an animation frame asks for.
enum class Face : std::uint8_t {
  Mood,  // in a frame: "whatever the current mood looks like"
  Neutral,
  Blink,
  Joy,
  Talk,
  Think,
  Wink,
  Error,
  Gasp,
  Cry,
  Angry,
  Dizzy,
  Sleepy,
  Love,
  Shy,
  Playful,
  Excited,
  Calm,
  Curious,
  Confused,
};

// Small decorations drawn in the sprite's top-right slot (a thought bubble, a "!", a heart).
enum class Overlay : std::uint8_t {
  None,
  Think0,
  Think1,
  Think2,
  Think3,
  Bang,
  Heart,
  Sparkle,
  Note,
  Zzz,
  Question,
  Sweat,
  Anger,
  Blush,
};

class Avatar {
 public:
  using Clock = std::chrono::steady_clock;

  struct Extent {
    int cols = 0;
    int rows = 0;
    bool operator==(const Extent&) const = default;
  };

  // Wander steps one column this often; temporary gestures and reactions with duration 0 last
  // kDefaultTemporary; a glance (AvatarPointAt) lasts kGlance.
  static constexpr std::chrono::milliseconds kWanderStep{400};
  static constexpr std::chrono::milliseconds kDefaultTemporary{1500};
  static constexpr std::chrono::milliseconds kGlance{1500};

  explicit Avatar(Clock::time_point now = Clock::time_point{});

  // Handles the avatar messages, State and StateSnapshot; ignores every other message.
  void apply(const protocol::ConductorMessage& message, Clock::time_point now);

  // Off (REDUCE_MOTION): one frame per animation, no wandering; only a pending gesture, reaction
  // or glance expiry is ever a change.
  void set_motion_allowed(bool allowed);
  bool motion_allowed() const { return motion_; }

  // When the picture next changes by itself (frame, wander step, expiry); nullopt if never.
  std::optional<Clock::time_point> next_change(Clock::time_point now) const;

  // Moves time forward: expires temporaries, advances frame and wander. True when the picture
  // changed since the last advance() (including changes made by apply()).
  bool advance(Clock::time_point now);

  // Draws inside `area` only, at the anchored (and wandering) position. A size that does not fit
  // falls back to a smaller one; Tiny is clipped.
  void draw(screen::Buffer& buffer, Rect area, Clock::time_point now) const;

  Extent extent() const { return extent(size_); }
  static Extent extent(protocol::AvatarSize size);
  // The size draw() uses in `area`: the requested one or the largest smaller one that fits.
  protocol::AvatarSize fitted_size(Rect area) const;
  // Where draw() puts the sprite's top-left corner in `area`.
  struct Point {
    int x = 0;
    int y = 0;
    bool operator==(const Point&) const = default;
  };
  Point origin(Rect area) const;

  bool visible() const { return visible_; }
  bool wandering() const { return wander_; }
  protocol::AvatarSize size() const { return size_; }
  std::optional<protocol::AvatarMood> mood() const { return mood_; }
  protocol::AvatarPosition position() const { return position_; }
  protocol::ConductorState conductor_state() const { return state_; }

  Animation animation() const;
  std::string_view animation_name() const { return view::animation_name(animation()); }
  int frame_index(Clock::time_point now) const;
  Face face(Clock::time_point now) const;
  Overlay overlay(Clock::time_point now) const;
  // -1 looking left, 0 ahead, +1 right.
  int glance() const { return glance_ ? glance_->dx : 0; }
  bool has_temporary() const { return temp_.has_value(); }

 private:
  struct Temporary {
    Animation animation = Animation::Idle;
    Face face = Face::Mood;  // Mood: the animation's own faces
    Overlay overlay = Overlay::None;
    Clock::time_point start;
    Clock::time_point until;
  };
  struct Glance {
    int dx = 0;
    Clock::time_point until;
  };
  // Everything the picture depends on that time changes; advance() compares two of them.
  struct Picture {
    Animation animation = Animation::Idle;
    int frame = 0;
    Face face = Face::Neutral;
    Overlay overlay = Overlay::None;
    std::int64_t wander_phase = 0;
    int glance = 0;
    bool operator==(const Picture&) const = default;
  };

  void set_base(Clock::time_point now);
  Animation base_for_state() const;
  void start_temporary(Animation a, Face f, Overlay o, std::uint32_t duration_ms,
                       Clock::time_point now);
  void restart_wander(Clock::time_point now);
  bool wander_active() const { return wander_ && motion_ && visible_; }
  Clock::time_point animation_start() const;
  Picture picture(Clock::time_point now) const;
  void expire(Clock::time_point now);

  protocol::AvatarSize size_ = protocol::AvatarSize::Medium;
  protocol::AvatarPosition position_;
  std::optional<protocol::AvatarMood> mood_;
  protocol::ConductorState state_ = protocol::ConductorState::Ready;
  bool visible_ = true;
  bool wander_ = false;
  bool motion_ = true;
  bool dirty_ = false;

  Animation base_ = Animation::Idle;
  Clock::time_point base_start_;
  std::optional<Temporary> temp_;
  std::optional<Glance> glance_;

  std::int64_t wander_phase_ = 0;
  Clock::time_point next_wander_;
  Clock::time_point last_now_;
  Picture last_picture_;
};

}  // namespace yollayah::tui::view
