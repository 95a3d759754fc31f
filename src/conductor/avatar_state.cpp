#include "conductor/avatar_state.hpp"

#include <type_traits>

namespace yollayah::conductor {

namespace msg = protocol::msg;

void AvatarState::stop_wandering(std::vector<protocol::ConductorMessage>& out) {
  if (!state_.wandering) return;
  state_.wandering = false;
  out.emplace_back(msg::AvatarWander{false});
}

void AvatarState::set_gesture(const protocol::AvatarGesture& g, std::uint32_t ms,
                              std::vector<protocol::ConductorMessage>& out) {
  state_.current_gesture = g;
  state_.current_reaction.reset();
  out.emplace_back(msg::AvatarGesture{g, ms});
}

void AvatarState::set_reaction(protocol::AvatarReaction r, std::uint32_t ms,
                               std::vector<protocol::ConductorMessage>& out) {
  state_.current_reaction = r;
  state_.current_gesture.reset();
  out.emplace_back(msg::AvatarReact{r, ms});
}

void AvatarState::apply(const TagCommand& command, std::vector<protocol::ConductorMessage>& out) {
  std::visit(
      [&](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, tag::MoveTo>) {
          state_.position = c.position;
          out.emplace_back(msg::AvatarMoveTo{c.position});
          stop_wandering(out);
        } else if constexpr (std::is_same_v<T, tag::PointAt>) {
          out.emplace_back(msg::AvatarPointAt{c.x, c.y});
          stop_wandering(out);
        } else if constexpr (std::is_same_v<T, tag::Wander>) {
          state_.wandering = c.enabled;
          out.emplace_back(msg::AvatarWander{c.enabled});
        } else if constexpr (std::is_same_v<T, tag::Mood>) {
          state_.mood = c.mood;
          out.emplace_back(msg::AvatarMood{c.mood});
        } else if constexpr (std::is_same_v<T, tag::Size>) {
          state_.size = c.size;
          out.emplace_back(msg::AvatarSize{c.size});
        } else if constexpr (std::is_same_v<T, tag::Visibility>) {
          state_.visible = c.visible;
          out.emplace_back(msg::AvatarVisibility{c.visible});
        } else if constexpr (std::is_same_v<T, tag::Gesture>) {
          set_gesture(c.gesture, c.duration_ms, out);
        } else if constexpr (std::is_same_v<T, tag::React>) {
          set_reaction(c.reaction, c.duration_ms, out);
        } else if constexpr (std::is_same_v<T, tag::TaskCelebrate>) {
          set_reaction(protocol::AvatarReaction::Tada, kCelebrateMs, out);
        }
        // Sprite and the other task commands: nothing for the avatar.
      },
      command);
}

void AvatarState::apply_click(std::vector<protocol::ConductorMessage>& out) {
  set_gesture(protocol::AvatarGesture{protocol::AvatarGesture::Kind::Wave, protocol::PeekDirection::Right},
              kClickWaveMs, out);
}

}  // namespace yollayah::conductor
