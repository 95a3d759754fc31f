// The commands a model can give through `[yolla:…]` tags, after parsing and validation
// (PROTOCOL.md "Avatar tags inside model output"; the full list is in anchor-core.md).
// AvatarState applies the avatar ones and TaskBook the task ones.
#pragma once

#include "protocol/types.hpp"

#include <cstdint>
#include <string>
#include <variant>

namespace yollayah::conductor {
namespace tag {

struct MoveTo {
  protocol::AvatarPosition position;
  friend bool operator==(const MoveTo&, const MoveTo&) = default;
};
struct PointAt {
  std::uint8_t x = 0;  // percent, 0–100
  std::uint8_t y = 0;
  friend bool operator==(const PointAt&, const PointAt&) = default;
};
struct Wander {
  bool enabled = true;
  friend bool operator==(const Wander&, const Wander&) = default;
};
struct Mood {
  protocol::AvatarMood mood = protocol::AvatarMood::Happy;
  friend bool operator==(const Mood&, const Mood&) = default;
};
struct Size {
  protocol::AvatarSize size = protocol::AvatarSize::Medium;
  friend bool operator==(const Size&, const Size&) = default;
};
struct Visibility {
  bool visible = true;
  friend bool operator==(const Visibility&, const Visibility&) = default;
};
struct Gesture {
  protocol::AvatarGesture gesture;
  std::uint32_t duration_ms = 0;
  friend bool operator==(const Gesture&, const Gesture&) = default;
};
struct React {
  protocol::AvatarReaction reaction = protocol::AvatarReaction::Laugh;
  std::uint32_t duration_ms = 0;
  friend bool operator==(const React&, const React&) = default;
};
struct Sprite {  // accepted and validated, but nothing draws custom sprites yet
  std::string data;
  friend bool operator==(const Sprite&, const Sprite&) = default;
};

// A task `ref` is a task id or an agent id (TaskBook::resolve).
struct TaskStart {
  std::string agent;  // on the allowlist, lower case
  std::string description;
  friend bool operator==(const TaskStart&, const TaskStart&) = default;
};
struct TaskProgress {
  std::string ref;
  std::uint8_t pct = 0;  // 0–100
  friend bool operator==(const TaskProgress&, const TaskProgress&) = default;
};
struct TaskDone {
  std::string ref;
  friend bool operator==(const TaskDone&, const TaskDone&) = default;
};
struct TaskFail {
  std::string ref;
  std::string reason;  // "Unknown error" when the tag gives none
  friend bool operator==(const TaskFail&, const TaskFail&) = default;
};
struct TaskFocus {
  std::string ref;
  friend bool operator==(const TaskFocus&, const TaskFocus&) = default;
};
struct TaskPoint {
  std::string ref;
  friend bool operator==(const TaskPoint&, const TaskPoint&) = default;
};
struct TaskHover {
  std::string ref;
  friend bool operator==(const TaskHover&, const TaskHover&) = default;
};
struct TaskCelebrate {
  std::string ref;
  friend bool operator==(const TaskCelebrate&, const TaskCelebrate&) = default;
};

}  // namespace tag

using TagCommand = std::variant<tag::MoveTo, tag::PointAt, tag::Wander, tag::Mood, tag::Size, tag::Visibility,
                                tag::Gesture, tag::React, tag::Sprite, tag::TaskStart, tag::TaskProgress, tag::TaskDone,
                                tag::TaskFail, tag::TaskFocus, tag::TaskPoint, tag::TaskHover, tag::TaskCelebrate>;

// A one-line rendering for logs and test failures, e.g. `Gesture{Peek(Left), 1000ms}`.
std::string describe(const TagCommand& command);

}  // namespace yollayah::conductor
