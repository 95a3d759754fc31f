// The avatar's art and animation tables (avatar_sprites.cpp): static string_views, no allocation.
// Sprite rows hold placeholders: 'E' an eye (left, then right), a run of 'M' the mouth.
#pragma once

#include "protocol/types.hpp"
#include "tui/view/avatar.hpp"

#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>

namespace yollayah::tui::view::sprites {

enum class Pose : std::uint8_t { Rest, Swim };

struct Frame {
  Pose pose = Pose::Rest;
  bool flutter = false;  // gills drawn with the alternate glyph
  Face face = Face::Mood;
  Overlay overlay = Overlay::None;
};

struct AnimationDef {
  std::span<const Frame> frames;
  std::chrono::milliseconds frame_duration;
};

struct Sprite {
  int cols = 0;
  int rows = 0;
  std::span<const std::string_view> rest;
  std::span<const std::string_view> swim;
  int overlay_x = 0;  // the decoration slot, blank in every pose
  int overlay_y = 0;
  int overlay_width = 0;
};

struct FaceGlyphs {
  std::string_view left_eye;
  std::string_view right_eye;
  std::string_view mouth1;  // a mouth one column wide
  std::string_view mouth3;  // three columns
};

inline constexpr std::string_view kGill = "≋";
inline constexpr std::string_view kGillFlutter = "≈";

const Sprite& sprite(protocol::AvatarSize size);
const AnimationDef& animation(Animation a);
const FaceGlyphs& face(Face f);
// The overlay's text for a slot `width` columns wide (1 or 3); empty for None.
std::string_view overlay_text(Overlay o, int width);

}  // namespace yollayah::tui::view::sprites
