#include "conductor/tag_command.hpp"

#include <boost/describe/enum_to_string.hpp>

#include <type_traits>

namespace yollayah::conductor {
namespace {

template <class E>
std::string name_of(E e) {
  return boost::describe::enum_to_string(e, "?");
}

std::string position_name(const protocol::AvatarPosition& p) {
  using K = protocol::AvatarPosition::Kind;
  switch (p.kind) {
    case K::TopLeft: return "TopLeft";
    case K::TopRight: return "TopRight";
    case K::BottomLeft: return "BottomLeft";
    case K::BottomRight: return "BottomRight";
    case K::Center: return "Center";
    case K::Follow: return "Follow";
    case K::Percent: return "Percent(" + std::to_string(p.x) + "," + std::to_string(p.y) + ")";
  }
  return "?";
}

std::string gesture_name(const protocol::AvatarGesture& g) {
  using K = protocol::AvatarGesture::Kind;
  switch (g.kind) {
    case K::Wave: return "Wave";
    case K::Nod: return "Nod";
    case K::Shake: return "Shake";
    case K::Peek: return "Peek(" + name_of(g.peek) + ")";
    case K::Bounce: return "Bounce";
    case K::Spin: return "Spin";
    case K::Dance: return "Dance";
    case K::Swim: return "Swim";
    case K::Stretch: return "Stretch";
    case K::Yawn: return "Yawn";
    case K::Wiggle: return "Wiggle";
  }
  return "?";
}

}  // namespace

std::string describe(const TagCommand& command) {
  return std::visit(
      [](const auto& c) -> std::string {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, tag::MoveTo>)
          return "MoveTo{" + position_name(c.position) + "}";
        else if constexpr (std::is_same_v<T, tag::PointAt>)
          return "PointAt{" + std::to_string(c.x) + "," + std::to_string(c.y) + "}";
        else if constexpr (std::is_same_v<T, tag::Wander>)
          return c.enabled ? "Wander{on}" : "Wander{off}";
        else if constexpr (std::is_same_v<T, tag::Mood>)
          return "Mood{" + name_of(c.mood) + "}";
        else if constexpr (std::is_same_v<T, tag::Size>)
          return "Size{" + name_of(c.size) + "}";
        else if constexpr (std::is_same_v<T, tag::Visibility>)
          return c.visible ? "Show" : "Hide";
        else if constexpr (std::is_same_v<T, tag::Gesture>)
          return "Gesture{" + gesture_name(c.gesture) + ", " + std::to_string(c.duration_ms) + "ms}";
        else if constexpr (std::is_same_v<T, tag::React>)
          return "React{" + name_of(c.reaction) + ", " + std::to_string(c.duration_ms) + "ms}";
        else if constexpr (std::is_same_v<T, tag::Sprite>)
          return "Sprite{" + c.data + "}";
        else if constexpr (std::is_same_v<T, tag::TaskStart>)
          return "TaskStart{" + c.agent + ", \"" + c.description + "\"}";
        else if constexpr (std::is_same_v<T, tag::TaskProgress>)
          return "TaskProgress{" + c.ref + ", " + std::to_string(c.pct) + "%}";
        else if constexpr (std::is_same_v<T, tag::TaskDone>)
          return "TaskDone{" + c.ref + "}";
        else if constexpr (std::is_same_v<T, tag::TaskFail>)
          return "TaskFail{" + c.ref + ", \"" + c.reason + "\"}";
        else if constexpr (std::is_same_v<T, tag::TaskFocus>)
          return "TaskFocus{" + c.ref + "}";
        else if constexpr (std::is_same_v<T, tag::TaskPoint>)
          return "TaskPoint{" + c.ref + "}";
        else if constexpr (std::is_same_v<T, tag::TaskHover>)
          return "TaskHover{" + c.ref + "}";
        else
          return "TaskCelebrate{" + c.ref + "}";
      },
      command);
}

}  // namespace yollayah::conductor
