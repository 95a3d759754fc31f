// The Conductor's copy of the avatar: what tags and clicks did to it, for the Avatar* messages and
// for StateSnapshot (anchor-core "Avatar state").
#pragma once

#include "conductor/tag_command.hpp"
#include "protocol/messages.hpp"
#include "protocol/types.hpp"

#include <optional>
#include <vector>

namespace yollayah::conductor {

class AvatarState {
 public:
  static constexpr std::uint32_t kClickWaveMs = 1500;
  static constexpr std::uint32_t kCelebrateMs = 2500;

  // Updates the state and appends the matching Avatar* message(s) to `out`.
  // - point does not change the position (it is a gesture towards a spot, as in the original).
  // - move/follow and point stop wandering. When wandering was on, AvatarWander{false} follows the
  //   AvatarMoveTo / AvatarPointAt, so every surface and the snapshot agree (the original changed
  //   only its own state and relied on each surface doing the same).
  // - Setting a gesture clears the reaction, and the reverse. Both stay current until replaced:
  //   there is no clock here.
  // - sprite changes nothing and sends nothing (nothing draws custom sprites yet).
  // - Task commands are TaskBook's, except `task celebrate`, which is AvatarReact{Tada, 2500}.
  void apply(const TagCommand& command, std::vector<protocol::ConductorMessage>& out);

  // The user clicked the avatar: AvatarGesture{Wave, 1500}.
  void apply_click(std::vector<protocol::ConductorMessage>& out);

  protocol::AvatarStateSnapshot snapshot() const { return state_; }

  const protocol::AvatarPosition& position() const { return state_.position; }
  protocol::AvatarMood mood() const { return state_.mood; }
  protocol::AvatarSize size() const { return state_.size; }
  bool visible() const { return state_.visible; }
  bool wandering() const { return state_.wandering; }
  const std::optional<protocol::AvatarGesture>& gesture() const { return state_.current_gesture; }
  const std::optional<protocol::AvatarReaction>& reaction() const { return state_.current_reaction; }

 private:
  void stop_wandering(std::vector<protocol::ConductorMessage>& out);
  void set_gesture(const protocol::AvatarGesture& g, std::uint32_t ms, std::vector<protocol::ConductorMessage>& out);
  void set_reaction(protocol::AvatarReaction r, std::uint32_t ms, std::vector<protocol::ConductorMessage>& out);

  protocol::AvatarStateSnapshot state_;  // its defaults are the avatar's: BottomRight, Happy, Medium…
};

}  // namespace yollayah::conductor
