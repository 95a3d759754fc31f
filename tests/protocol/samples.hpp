// One non-default instance of every SurfaceEvent and ConductorMessage variant, for round trips.
// Every field differs from its default, so a field the codec forgets shows up as a mismatch.
#pragma once

#include "protocol/messages.hpp"

#include <vector>

namespace yollayah::protocol::samples {

inline SurfaceCapabilities sample_capabilities() {
  SurfaceCapabilities c = SurfaceCapabilities::tui();
  c.images = true;
  c.clipboard = true;
  c.max_width = 200;
  c.max_height = 60;
  return c;
}

inline ResponseMetadata sample_metadata() {
  ResponseMetadata m;
  m.model_id = "llama3.2:3b";
  m.elapsed_ms = 98765;
  m.token_count = 321;
  m.tokens_per_second = 33.333332f;
  m.agent_tasks_spawned = 2;
  m.files_processed = 3;
  m.bytes_processed = 5'000'000'000ULL;
  m.network_involved = true;
  m.context_hint = "cancelled";
  return m;
}

inline std::vector<SurfaceEvent> sample_events() {
  using namespace ev;
  const SurfaceType custom{SurfaceType::Kind::Custom, "my-surface"};
  return {
      Connected{"evt_1", {SurfaceType::Kind::Tui, {}}, sample_capabilities()},
      Handshake{"evt_2", kProtocolV2, custom, SurfaceCapabilities::headless(), "s3cr3t"},
      Pong{18446744073709551615ULL},
      Disconnected{"evt_3", "user closed the window"},
      Resized{"evt_4", 132, 43},
      UserMessage{"evt_5", "Hola \"axolotl\"\n\ttab\\ é 🦎 \x01"},
      UserCommand{"evt_6", "model", {"llama3.2", "--fast", ""}},
      UserTyping{true},
      UserScrolled{ScrollDirection::Bottom, 7},
      AvatarClicked{"evt_7"},
      TaskClicked{"evt_8", "task_9"},
      MessageClicked{"evt_9", "msg_10"},
      MessageReceived{"msg_11"},
      RenderComplete{4242},
      CapabilitiesReport{"evt_10", sample_capabilities()},
      QuitRequested{"evt_11"},
      SurfaceError{"evt_12", "terminal too small", true},
      FocusConversation{"evt_13", "6f1c2d3e-0000-4000-8000-123456789abc"},
      ScrollConversation{"evt_14", "6f1c2d3e-0000-4000-8000-123456789abc", ScrollDirection::Top, 3},
      RequestSummary{"evt_15"},
      ExitSummary{"evt_16"},
      FocusNextConversation{"evt_17"},
      FocusPrevConversation{"evt_18"},
      CancelResponse{"evt_19"},
      RequestSnapshot{"evt_20"},
  };
}

inline std::vector<ConductorMessage> sample_messages() {
  using namespace msg;
  const ConversationId conv = "0b9f7c1e-1111-4222-8333-444455556666";
  StateSnapshot snapshot;
  snapshot.conversation_history = {
      {"msg_1", MessageRole::User, "hi", {}, 1700000000000ULL},
      {"msg_2", MessageRole::Assistant, "```cpp\nint x;\n```", {ContentType::Kind::Code, "cpp"},
       1700000000500ULL},
  };
  snapshot.avatar_state = {{AvatarPosition::Kind::Percent, 10, 90},
                           protocol::AvatarMood::Curious,
                           protocol::AvatarSize::Large,
                           false,
                           false,
                           protocol::AvatarGesture{protocol::AvatarGesture::Kind::Peek, PeekDirection::Top},
                           AvatarReaction::Tada};
  snapshot.session_info = {"sess_1", "yollayah", true, ConductorState::Responding, 1699999999999ULL, 2};
  return {
      Message{"msg_1", MessageRole::Assistant, "Here:\n", {ContentType::Kind::Markdown, {}}},
      Token{"msg_7", "Hi \"there\" \u00e9"},
      StreamEnd{"msg_7", "Hi there", sample_metadata()},
      StreamError{"msg_8", "connection reset by peer"},
      ConversationCreated{conv, "researcher"},
      ConversationFocused{conv},
      ConversationRemoved{conv},
      ConversationStateChanged{conv, {ConversationState::Kind::Streaming, "msg_9"}},
      ConversationStreamToken{conv, "msg_9", "tok"},
      ConversationStreamEnd{conv, "msg_9", "all of it", sample_metadata()},
      SummaryReady{conv, "three things happened", {"a-1", "b-2"}},
      AvatarMoveTo{{AvatarPosition::Kind::Percent, 50, 75}},
      msg::AvatarMood{protocol::AvatarMood::Playful},
      msg::AvatarSize{protocol::AvatarSize::Tiny},
      msg::AvatarGesture{{protocol::AvatarGesture::Kind::Peek, PeekDirection::Left}, 1000},
      AvatarReact{AvatarReaction::Dizzy, 1500},
      AvatarVisibility{false},
      AvatarWander{false},
      AvatarPointAt{255, 1},
      TaskCreated{"task_1", "coder", "write the codec"},
      TaskUpdated{"task_1", 99, "almost"},
      TaskCompleted{"task_1", "done"},
      TaskFailed{"task_2", "Unknown error"},
      TaskFocus{"task_3"},
      LayoutHint{{LayoutDirective::Kind::ShowPanel, PanelId::History, {}}},
      Notify{NotifyLevel::Warning, "Heads up", "bad frame dropped"},
      State{ConductorState::ShuttingDown},
      QueryCapabilities{},
      Ack{"evt_1"},
      SessionInfo{"sess_1", "yollayah", true},
      Quit{"bye"},
      HandshakeAck{true, "conn_1", "none", kProtocolV2},
      Ping{1},
      std::move(snapshot),
      Resync{"fell behind by 4096 tokens"},
      HistoryList{{{"0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b", "Salt «and» pepper", 1700000000000ULL, 1700000009000ULL,
                    "llama3.2", 5, "what goes with salt?", true},
                   {"0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2c", "", 1, 2, "", 0, "", false}}},
      SearchResults{"salt*", {{"0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b", "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a99",
                               "Salt «and» pepper", MessageRole::Assistant, 1700000009000ULL,
                               "…a pinch of «salt» and \"«salted»\" butter…"}}},
  };
}

}  // namespace yollayah::protocol::samples
