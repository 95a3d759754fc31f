// Supporting types of the Conductor wire protocol (PROTOCOL.md, "Supporting types").
// Plain values with no Asio; field order is the wire order.
#pragma once

#include <boost/describe.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace yollayah::protocol {

inline constexpr std::uint32_t kProtocolV1 = 1;
inline constexpr std::uint32_t kProtocolV2 = 2;
inline constexpr std::uint32_t kLatestProtocol = kProtocolV2;

using EventId = std::string;
using MessageId = std::string;
using SessionId = std::string;
using TaskId = std::string;
using ConversationId = std::string;  // a UUID string

// A field added after version 1: left out of the JSON when absent, so a message that does not use
// it keeps the exact bytes version 1 defined (PROTOCOL.md: decoders ignore unknown fields, and a
// missing optional field means absent). Reads and writes like std::optional.
template <class T>
struct Extension : std::optional<T> {
  using std::optional<T>::optional;
  template <class U>
    requires std::is_constructible_v<T, U&&> && (!std::is_same_v<std::remove_cvref_t<U>, Extension>)
  Extension& operator=(U&& value) {
    std::optional<T>::operator=(std::forward<U>(value));
    return *this;
  }
  friend bool operator==(const Extension& a, const Extension& b) {
    return static_cast<const std::optional<T>&>(a) == static_cast<const std::optional<T>&>(b);
  }
};

BOOST_DEFINE_ENUM_CLASS(MessageRole, User, Assistant, System)
BOOST_DEFINE_ENUM_CLASS(NotifyLevel, Info, Warning, Error, Success)
BOOST_DEFINE_ENUM_CLASS(ConductorState, Initializing, Ready, Thinking, Responding, Listening, Error,
                        ShuttingDown)
BOOST_DEFINE_ENUM_CLASS(ScrollDirection, Up, Down, Top, Bottom)
BOOST_DEFINE_ENUM_CLASS(PanelId, Tasks, Developer, Settings, History)
BOOST_DEFINE_ENUM_CLASS(AvatarMood, Happy, Thinking, Playful, Shy, Excited, Confused, Calm, Curious)
BOOST_DEFINE_ENUM_CLASS(AvatarSize, Tiny, Small, Medium, Large)
BOOST_DEFINE_ENUM_CLASS(AvatarReaction, Laugh, Gasp, Hmm, Tada, Oops, Love, Blush, Wink, Cry, Angry,
                        Sleepy, Dizzy)
BOOST_DEFINE_ENUM_CLASS(PeekDirection, Left, Right, Top, Bottom)

// `"Plain"` … or `{"Code":{"language":…}}`.
struct ContentType {
  enum class Kind : std::uint8_t { Plain, Markdown, Code, Error, System, Quote };
  Kind kind = Kind::Plain;
  std::string language;  // only for Code
  friend bool operator==(const ContentType&, const ContentType&) = default;
};

// `"Tui"` … or `{"Custom":"name"}`.
struct SurfaceType {
  enum class Kind : std::uint8_t { Tui, Web, Desktop, Mobile, Headless, Custom };
  Kind kind = Kind::Headless;
  std::string custom;  // only for Custom
  friend bool operator==(const SurfaceType&, const SurfaceType&) = default;
};

// `"TopLeft"` … or `{"Percent":{"x":u8,"y":u8}}`.
struct AvatarPosition {
  enum class Kind : std::uint8_t { TopLeft, TopRight, BottomLeft, BottomRight, Center, Follow, Percent };
  Kind kind = Kind::BottomRight;
  std::uint8_t x = 0;  // only for Percent
  std::uint8_t y = 0;
  friend bool operator==(const AvatarPosition&, const AvatarPosition&) = default;
};

// `"Wave"` … or `{"Peek":"Left"}`.
struct AvatarGesture {
  enum class Kind : std::uint8_t { Wave, Nod, Shake, Peek, Bounce, Spin, Dance, Swim, Stretch, Yawn, Wiggle };
  Kind kind = Kind::Wave;
  PeekDirection peek = PeekDirection::Right;  // only for Peek
  friend bool operator==(const AvatarGesture&, const AvatarGesture&) = default;
};

// `"Idle"`, `{"Streaming":{"message_id":…}}`, `"WaitingForAgent"`, `{"Completed":{"summary":…}}`,
// `{"Error":{"message":…}}`.
struct ConversationState {
  enum class Kind : std::uint8_t { Idle, Streaming, WaitingForAgent, Completed, Error };
  Kind kind = Kind::Idle;
  std::string text;  // message_id, summary or message, by kind
  friend bool operator==(const ConversationState&, const ConversationState&) = default;
};

// `{"ShowPanel":{"panel":…}}`, `{"HidePanel":{"panel":…}}`, `"FocusInput"`,
// `{"ScrollToMessage":{"message_id":…}}`, `{"ScrollToTask":{"task_id":…}}`, `"ToggleDeveloperMode"`.
struct LayoutDirective {
  enum class Kind : std::uint8_t { ShowPanel, HidePanel, FocusInput, ScrollToMessage, ScrollToTask,
                                   ToggleDeveloperMode };
  Kind kind = Kind::FocusInput;
  PanelId panel = PanelId::Tasks;  // ShowPanel, HidePanel
  std::string id;                  // message_id or task_id
  friend bool operator==(const LayoutDirective&, const LayoutDirective&) = default;
};

struct SurfaceCapabilities {
  bool color = false;
  bool avatar = false;
  bool avatar_animations = false;
  bool tasks = false;
  bool streaming = false;
  bool images = false;
  bool audio = false;
  bool rich_text = false;
  bool pointer_input = false;
  bool keyboard_input = false;
  bool clipboard = false;
  std::uint32_t max_width = 0;   // 0 means unlimited
  std::uint32_t max_height = 0;
  friend bool operator==(const SurfaceCapabilities&, const SurfaceCapabilities&) = default;

  static SurfaceCapabilities tui() {
    return {true, true, true, true, true, false, false, false, true, true, false, 0, 0};
  }
  static SurfaceCapabilities headless() {
    SurfaceCapabilities c;
    c.tasks = c.streaming = c.keyboard_input = true;
    c.max_width = 80;
    c.max_height = 24;
    return c;
  }
};
BOOST_DESCRIBE_STRUCT(SurfaceCapabilities, (),
                      (color, avatar, avatar_animations, tasks, streaming, images, audio, rich_text,
                       pointer_input, keyboard_input, clipboard, max_width, max_height))

// Version-2 extension: where a message sits among the versions of it (its siblings: the replies to
// the same parent, oldest first), e.g. the 2nd of 3 answers after /retry or an edited question.
struct BranchPosition {
  std::uint32_t index = 1;  // from 1
  std::uint32_t count = 1;
  friend bool operator==(const BranchPosition&, const BranchPosition&) = default;
};
BOOST_DESCRIBE_STRUCT(BranchPosition, (), (index, count))

// Every field has a default when missing on the wire.
struct ResponseMetadata {
  std::optional<std::string> model_id;
  std::uint64_t elapsed_ms = 0;
  std::uint32_t token_count = 0;  // model tokens (Ollama eval_count), not Token messages
  std::optional<float> tokens_per_second;
  std::uint32_t agent_tasks_spawned = 0;
  std::uint32_t files_processed = 0;
  std::uint64_t bytes_processed = 0;
  bool network_involved = false;
  std::optional<std::string> context_hint;
  // Extensions (omitted when absent): which model server answered, and its timing.
  Extension<std::string> backend;          // the router's name for it ("laptop", "gpu-box")
  Extension<std::uint64_t> first_token_ms;  // request sent → first token
  Extension<std::uint64_t> load_ms;         // of that, loading the model (Ollama's load_duration)
  // The answer spawned agent tasks: the id of the follow-up answer that will sum up their work.
  Extension<MessageId> follow_up_id;
  // Version 2 only: this answer is one of several versions ("2/3"); absent when it is the only one.
  Extension<BranchPosition> branch{};
  friend bool operator==(const ResponseMetadata&, const ResponseMetadata&) = default;
};
BOOST_DESCRIBE_STRUCT(ResponseMetadata, (),
                      (model_id, elapsed_ms, token_count, tokens_per_second, agent_tasks_spawned,
                       files_processed, bytes_processed, network_involved, context_hint, backend,
                       first_token_ms, load_ms, follow_up_id, branch))

struct SnapshotMessage {
  MessageId id;
  MessageRole role = MessageRole::User;
  std::string content;
  ContentType content_type;
  std::uint64_t timestamp = 0;  // Unix milliseconds
  // Version-2 extensions: the message is one of several versions ("2/3": a retried answer, an
  // edited question), and an answer's meta line (model, timing), as the store kept them.
  Extension<BranchPosition> branch{};
  Extension<ResponseMetadata> metadata{};
  friend bool operator==(const SnapshotMessage&, const SnapshotMessage&) = default;
};
BOOST_DESCRIBE_STRUCT(SnapshotMessage, (), (id, role, content, content_type, timestamp, branch, metadata))

// Version 2: one conversation of the history, as the /history picker lists it.
struct HistoryEntry {
  ConversationId id;
  std::string title;
  std::uint64_t created_ms = 0;  // Unix milliseconds
  std::uint64_t updated_ms = 0;
  std::string model;
  std::uint64_t message_count = 0;  // every branch included
  std::string first_line;           // of the first user message
  bool current = false;             // the conversation the session shows now
  friend bool operator==(const HistoryEntry&, const HistoryEntry&) = default;
};
BOOST_DESCRIBE_STRUCT(HistoryEntry, (),
                      (id, title, created_ms, updated_ms, model, message_count, first_line, current))

struct AvatarStateSnapshot {
  AvatarPosition position;
  AvatarMood mood = AvatarMood::Happy;
  AvatarSize size = AvatarSize::Medium;
  bool visible = true;
  bool wandering = true;
  std::optional<AvatarGesture> current_gesture;
  std::optional<AvatarReaction> current_reaction;
  friend bool operator==(const AvatarStateSnapshot&, const AvatarStateSnapshot&) = default;
};
BOOST_DESCRIBE_STRUCT(AvatarStateSnapshot, (),
                      (position, mood, size, visible, wandering, current_gesture, current_reaction))

struct SessionSnapshot {
  SessionId session_id;
  std::string model;
  bool ready = false;
  ConductorState state = ConductorState::Initializing;
  std::uint64_t created_at = 0;  // Unix milliseconds
  std::uint32_t message_count = 0;
  friend bool operator==(const SessionSnapshot&, const SessionSnapshot&) = default;
};
BOOST_DESCRIBE_STRUCT(SessionSnapshot, (), (session_id, model, ready, state, created_at, message_count))

}  // namespace yollayah::protocol
