// Wire names shared by the JSON encoder and decoder: described enums, the kinds of the enums
// that carry data, and which message structs are unit variants. Internal to the codec.
#pragma once

#include "protocol/messages.hpp"

#include <boost/describe.hpp>
#include <boost/mp11/algorithm.hpp>

#include <array>
#include <string_view>
#include <type_traits>

namespace yollayah::protocol::wire {

// A message struct with no described members is a unit variant: a bare JSON string.
template <class T>
inline constexpr bool is_unit_variant =
    boost::mp11::mp_empty<boost::describe::describe_members<T, boost::describe::mod_public>>::value;

// The wire name of a described enum value; empty for a value outside the enumeration.
template <class E>
std::string_view enum_name(E value) {
  std::string_view name;
  boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto d) {
    if (d.value == value) name = d.name;
  });
  return name;
}

template <class E>
bool enum_from_name(std::string_view name, E& out) {
  bool found = false;
  boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto d) {
    if (!found && name == d.name) {
      out = d.value;
      found = true;
    }
  });
  return found;
}

// Names of the enums that carry data, indexed by their Kind.
inline constexpr std::array<std::string_view, 6> kContentTypeNames = {
    "Plain", "Markdown", "Code", "Error", "System", "Quote"};
inline constexpr std::array<std::string_view, 6> kSurfaceTypeNames = {
    "Tui", "Web", "Desktop", "Mobile", "Headless", "Custom"};
inline constexpr std::array<std::string_view, 7> kAvatarPositionNames = {
    "TopLeft", "TopRight", "BottomLeft", "BottomRight", "Center", "Follow", "Percent"};
inline constexpr std::array<std::string_view, 11> kAvatarGestureNames = {
    "Wave", "Nod", "Shake", "Peek", "Bounce", "Spin", "Dance", "Swim", "Stretch", "Yawn", "Wiggle"};
inline constexpr std::array<std::string_view, 5> kConversationStateNames = {
    "Idle", "Streaming", "WaitingForAgent", "Completed", "Error"};
// The field of each ConversationState variant that carries `text`; empty for unit variants.
inline constexpr std::array<std::string_view, 5> kConversationStateFields = {
    "", "message_id", "", "summary", "message"};
inline constexpr std::array<std::string_view, 6> kLayoutDirectiveNames = {
    "ShowPanel", "HidePanel", "FocusInput", "ScrollToMessage", "ScrollToTask", "ToggleDeveloperMode"};

template <class Names, class Kind>
std::string_view name_in(const Names& names, Kind kind) {
  const auto i = static_cast<std::size_t>(kind);
  return i < names.size() ? names[i] : std::string_view{};
}

inline std::string_view name_of(ContentType::Kind k) { return name_in(kContentTypeNames, k); }
inline std::string_view name_of(SurfaceType::Kind k) { return name_in(kSurfaceTypeNames, k); }
inline std::string_view name_of(AvatarPosition::Kind k) { return name_in(kAvatarPositionNames, k); }
inline std::string_view name_of(AvatarGesture::Kind k) { return name_in(kAvatarGestureNames, k); }
inline std::string_view name_of(ConversationState::Kind k) {
  return name_in(kConversationStateNames, k);
}
inline std::string_view field_of(ConversationState::Kind k) {
  return name_in(kConversationStateFields, k);
}
inline std::string_view name_of(LayoutDirective::Kind k) { return name_in(kLayoutDirectiveNames, k); }

// The Kind whose name is `name`, if any.
template <class Kind, std::size_t N>
bool kind_from_name(const std::array<std::string_view, N>& names, std::string_view name, Kind& out) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) {
      out = static_cast<Kind>(i);
      return true;
    }
  }
  return false;
}

}  // namespace yollayah::protocol::wire
