// The two message families of the wire protocol: SurfaceEvent (surface → Conductor, namespace ev)
// and ConductorMessage (Conductor → surface, namespace msg). Field order is the wire order.
#pragma once

#include "protocol/types.hpp"

#include <string_view>
#include <variant>

namespace yollayah::protocol {

// Each variant struct names itself (kName, the serde variant name) and the first protocol version
// that has it (kSince). A struct with no described members is a unit variant: a bare JSON string.
#define YOLLAYAH_VARIANT_META(Name, Since)              \
  static constexpr std::string_view kName = #Name;      \
  static constexpr std::uint32_t kSince = Since;        \
  friend bool operator==(const Name&, const Name&) = default;

namespace ev {

struct Connected {
  YOLLAYAH_VARIANT_META(Connected, 1)
  EventId event_id;
  SurfaceType surface_type;
  SurfaceCapabilities capabilities;
};
BOOST_DESCRIBE_STRUCT(Connected, (), (event_id, surface_type, capabilities))

struct Handshake {
  YOLLAYAH_VARIANT_META(Handshake, 1)
  EventId event_id;
  std::uint32_t protocol_version = kProtocolV1;
  SurfaceType surface_type;
  SurfaceCapabilities capabilities;
  std::optional<std::string> auth_token;
};
BOOST_DESCRIBE_STRUCT(Handshake, (), (event_id, protocol_version, surface_type, capabilities, auth_token))

struct Pong {
  YOLLAYAH_VARIANT_META(Pong, 1)
  std::uint64_t seq = 0;
};
BOOST_DESCRIBE_STRUCT(Pong, (), (seq))

struct Disconnected {
  YOLLAYAH_VARIANT_META(Disconnected, 1)
  EventId event_id;
  std::optional<std::string> reason;
};
BOOST_DESCRIBE_STRUCT(Disconnected, (), (event_id, reason))

struct Resized {
  YOLLAYAH_VARIANT_META(Resized, 1)
  EventId event_id;
  std::uint32_t width = 0;
  std::uint32_t height = 0;
};
BOOST_DESCRIBE_STRUCT(Resized, (), (event_id, width, height))

struct UserMessage {
  YOLLAYAH_VARIANT_META(UserMessage, 1)
  EventId event_id;
  std::string content;
  // Extension, from version-2 surfaces: this text is an edit of the user message with this id (the
  // last one): it is sent as a new branch beside it, and the old question and answer are kept.
  Extension<MessageId> edits{};
};
BOOST_DESCRIBE_STRUCT(UserMessage, (), (event_id, content, edits))

struct UserCommand {
  YOLLAYAH_VARIANT_META(UserCommand, 1)
  EventId event_id;
  std::string command;  // no leading '/'
  std::vector<std::string> args;
};
BOOST_DESCRIBE_STRUCT(UserCommand, (), (event_id, command, args))

struct UserTyping {
  YOLLAYAH_VARIANT_META(UserTyping, 1)
  bool typing = false;
};
BOOST_DESCRIBE_STRUCT(UserTyping, (), (typing))

struct UserScrolled {
  YOLLAYAH_VARIANT_META(UserScrolled, 1)
  ScrollDirection direction = ScrollDirection::Up;
  std::uint32_t amount = 0;
};
BOOST_DESCRIBE_STRUCT(UserScrolled, (), (direction, amount))

struct AvatarClicked {
  YOLLAYAH_VARIANT_META(AvatarClicked, 1)
  EventId event_id;
};
BOOST_DESCRIBE_STRUCT(AvatarClicked, (), (event_id))

struct TaskClicked {
  YOLLAYAH_VARIANT_META(TaskClicked, 1)
  EventId event_id;
  TaskId task_id;
};
BOOST_DESCRIBE_STRUCT(TaskClicked, (), (event_id, task_id))

struct MessageClicked {
  YOLLAYAH_VARIANT_META(MessageClicked, 1)
  EventId event_id;
  MessageId message_id;
};
BOOST_DESCRIBE_STRUCT(MessageClicked, (), (event_id, message_id))

struct MessageReceived {
  YOLLAYAH_VARIANT_META(MessageReceived, 1)
  MessageId message_id;
};
BOOST_DESCRIBE_STRUCT(MessageReceived, (), (message_id))

struct RenderComplete {
  YOLLAYAH_VARIANT_META(RenderComplete, 1)
  std::uint64_t frame = 0;
};
BOOST_DESCRIBE_STRUCT(RenderComplete, (), (frame))

struct CapabilitiesReport {
  YOLLAYAH_VARIANT_META(CapabilitiesReport, 1)
  EventId event_id;
  SurfaceCapabilities capabilities;
};
BOOST_DESCRIBE_STRUCT(CapabilitiesReport, (), (event_id, capabilities))

struct QuitRequested {
  YOLLAYAH_VARIANT_META(QuitRequested, 1)
  EventId event_id;
};
BOOST_DESCRIBE_STRUCT(QuitRequested, (), (event_id))

struct SurfaceError {
  YOLLAYAH_VARIANT_META(SurfaceError, 1)
  EventId event_id;
  std::string error;
  bool recoverable = false;
};
BOOST_DESCRIBE_STRUCT(SurfaceError, (), (event_id, error, recoverable))

struct FocusConversation {
  YOLLAYAH_VARIANT_META(FocusConversation, 1)
  EventId event_id;
  ConversationId conversation_id;
};
BOOST_DESCRIBE_STRUCT(FocusConversation, (), (event_id, conversation_id))

struct ScrollConversation {
  YOLLAYAH_VARIANT_META(ScrollConversation, 1)
  EventId event_id;
  ConversationId conversation_id;
  ScrollDirection direction = ScrollDirection::Up;
  std::uint32_t amount = 0;
};
BOOST_DESCRIBE_STRUCT(ScrollConversation, (), (event_id, conversation_id, direction, amount))

struct RequestSummary {
  YOLLAYAH_VARIANT_META(RequestSummary, 1)
  EventId event_id;
};
BOOST_DESCRIBE_STRUCT(RequestSummary, (), (event_id))

struct ExitSummary {
  YOLLAYAH_VARIANT_META(ExitSummary, 1)
  EventId event_id;
};
BOOST_DESCRIBE_STRUCT(ExitSummary, (), (event_id))

struct FocusNextConversation {
  YOLLAYAH_VARIANT_META(FocusNextConversation, 1)
  EventId event_id;
};
BOOST_DESCRIBE_STRUCT(FocusNextConversation, (), (event_id))

struct FocusPrevConversation {
  YOLLAYAH_VARIANT_META(FocusPrevConversation, 1)
  EventId event_id;
};
BOOST_DESCRIBE_STRUCT(FocusPrevConversation, (), (event_id))

// Version 2.
struct CancelResponse {
  YOLLAYAH_VARIANT_META(CancelResponse, 2)
  EventId event_id;
  Extension<TaskId> task_id{};  // stop only this agent's task (its answer is reported as cancelled)
};
BOOST_DESCRIBE_STRUCT(CancelResponse, (), (event_id, task_id))

struct RequestSnapshot {
  YOLLAYAH_VARIANT_META(RequestSnapshot, 2)
  EventId event_id;
};
BOOST_DESCRIBE_STRUCT(RequestSnapshot, (), (event_id))

}  // namespace ev

// Version 2: one match of /search, as the TUI's picker lists it. Enter there sends
// /open CONVERSATION_ID MESSAGE_ID (the conversation, on the branch that holds the message).
struct SearchEntry {
  ConversationId conversation_id;
  MessageId message_id;
  std::string conversation_title;  // may be empty (untitled)
  MessageRole role = MessageRole::User;
  std::uint64_t created_ms = 0;  // Unix milliseconds
  std::string snippet;           // one line of context, each matched part between « and »
  friend bool operator==(const SearchEntry&, const SearchEntry&) = default;
};
BOOST_DESCRIBE_STRUCT(SearchEntry, (), (conversation_id, message_id, conversation_title, role, created_ms, snippet))

using SurfaceEvent =
    std::variant<ev::Connected, ev::Handshake, ev::Pong, ev::Disconnected, ev::Resized, ev::UserMessage,
                 ev::UserCommand, ev::UserTyping, ev::UserScrolled, ev::AvatarClicked, ev::TaskClicked,
                 ev::MessageClicked, ev::MessageReceived, ev::RenderComplete, ev::CapabilitiesReport,
                 ev::QuitRequested, ev::SurfaceError, ev::FocusConversation, ev::ScrollConversation,
                 ev::RequestSummary, ev::ExitSummary, ev::FocusNextConversation,
                 ev::FocusPrevConversation, ev::CancelResponse, ev::RequestSnapshot>;

namespace msg {

struct Message {
  YOLLAYAH_VARIANT_META(Message, 1)
  MessageId id;
  MessageRole role = MessageRole::System;
  std::string content;
  ContentType content_type;
};
BOOST_DESCRIBE_STRUCT(Message, (), (id, role, content, content_type))

struct Token {
  YOLLAYAH_VARIANT_META(Token, 1)
  MessageId message_id;
  std::string text;
};
BOOST_DESCRIBE_STRUCT(Token, (), (message_id, text))

struct StreamEnd {
  YOLLAYAH_VARIANT_META(StreamEnd, 1)
  MessageId message_id;
  std::string final_content;
  ResponseMetadata metadata;
};
BOOST_DESCRIBE_STRUCT(StreamEnd, (), (message_id, final_content, metadata))

struct StreamError {
  YOLLAYAH_VARIANT_META(StreamError, 1)
  MessageId message_id;
  std::string error;
};
BOOST_DESCRIBE_STRUCT(StreamError, (), (message_id, error))

struct ConversationCreated {
  YOLLAYAH_VARIANT_META(ConversationCreated, 1)
  ConversationId conversation_id;
  std::optional<std::string> agent_name;
  // Extensions: the task this agent conversation answers, and the answer whose tags started it.
  Extension<TaskId> task_id{};
  Extension<MessageId> parent_message_id{};
};
BOOST_DESCRIBE_STRUCT(ConversationCreated, (), (conversation_id, agent_name, task_id, parent_message_id))

struct ConversationFocused {
  YOLLAYAH_VARIANT_META(ConversationFocused, 1)
  ConversationId conversation_id;
};
BOOST_DESCRIBE_STRUCT(ConversationFocused, (), (conversation_id))

struct ConversationRemoved {
  YOLLAYAH_VARIANT_META(ConversationRemoved, 1)
  ConversationId conversation_id;
};
BOOST_DESCRIBE_STRUCT(ConversationRemoved, (), (conversation_id))

struct ConversationStateChanged {
  YOLLAYAH_VARIANT_META(ConversationStateChanged, 1)
  ConversationId conversation_id;
  ConversationState state;
};
BOOST_DESCRIBE_STRUCT(ConversationStateChanged, (), (conversation_id, state))

struct ConversationStreamToken {
  YOLLAYAH_VARIANT_META(ConversationStreamToken, 1)
  ConversationId conversation_id;
  MessageId message_id;
  std::string token;
};
BOOST_DESCRIBE_STRUCT(ConversationStreamToken, (), (conversation_id, message_id, token))

struct ConversationStreamEnd {
  YOLLAYAH_VARIANT_META(ConversationStreamEnd, 1)
  ConversationId conversation_id;
  MessageId message_id;
  std::string final_content;
  ResponseMetadata metadata;
};
BOOST_DESCRIBE_STRUCT(ConversationStreamEnd, (), (conversation_id, message_id, final_content, metadata))

struct SummaryReady {
  YOLLAYAH_VARIANT_META(SummaryReady, 1)
  ConversationId conversation_id;
  std::string summary;
  std::vector<ConversationId> sub_conversations;
};
BOOST_DESCRIBE_STRUCT(SummaryReady, (), (conversation_id, summary, sub_conversations))

struct AvatarMoveTo {
  YOLLAYAH_VARIANT_META(AvatarMoveTo, 1)
  AvatarPosition position;
};
BOOST_DESCRIBE_STRUCT(AvatarMoveTo, (), (position))

struct AvatarMood {
  YOLLAYAH_VARIANT_META(AvatarMood, 1)
  protocol::AvatarMood mood = protocol::AvatarMood::Happy;
};
BOOST_DESCRIBE_STRUCT(AvatarMood, (), (mood))

struct AvatarSize {
  YOLLAYAH_VARIANT_META(AvatarSize, 1)
  protocol::AvatarSize size = protocol::AvatarSize::Medium;
};
BOOST_DESCRIBE_STRUCT(AvatarSize, (), (size))

struct AvatarGesture {
  YOLLAYAH_VARIANT_META(AvatarGesture, 1)
  protocol::AvatarGesture gesture;
  std::uint32_t duration_ms = 0;
};
BOOST_DESCRIBE_STRUCT(AvatarGesture, (), (gesture, duration_ms))

struct AvatarReact {
  YOLLAYAH_VARIANT_META(AvatarReact, 1)
  AvatarReaction reaction = AvatarReaction::Laugh;
  std::uint32_t duration_ms = 0;
};
BOOST_DESCRIBE_STRUCT(AvatarReact, (), (reaction, duration_ms))

struct AvatarVisibility {
  YOLLAYAH_VARIANT_META(AvatarVisibility, 1)
  bool visible = true;
};
BOOST_DESCRIBE_STRUCT(AvatarVisibility, (), (visible))

struct AvatarWander {
  YOLLAYAH_VARIANT_META(AvatarWander, 1)
  bool enabled = true;
};
BOOST_DESCRIBE_STRUCT(AvatarWander, (), (enabled))

struct AvatarPointAt {
  YOLLAYAH_VARIANT_META(AvatarPointAt, 1)
  std::uint8_t x_percent = 0;
  std::uint8_t y_percent = 0;
};
BOOST_DESCRIBE_STRUCT(AvatarPointAt, (), (x_percent, y_percent))

struct TaskCreated {
  YOLLAYAH_VARIANT_META(TaskCreated, 1)
  TaskId task_id;
  std::string agent;
  std::string description;
};
BOOST_DESCRIBE_STRUCT(TaskCreated, (), (task_id, agent, description))

struct TaskUpdated {
  YOLLAYAH_VARIANT_META(TaskUpdated, 1)
  TaskId task_id;
  std::uint8_t progress = 0;
  std::optional<std::string> status_message;
};
BOOST_DESCRIBE_STRUCT(TaskUpdated, (), (task_id, progress, status_message))

struct TaskCompleted {
  YOLLAYAH_VARIANT_META(TaskCompleted, 1)
  TaskId task_id;
  std::optional<std::string> summary;
};
BOOST_DESCRIBE_STRUCT(TaskCompleted, (), (task_id, summary))

struct TaskFailed {
  YOLLAYAH_VARIANT_META(TaskFailed, 1)
  TaskId task_id;
  std::string error;
};
BOOST_DESCRIBE_STRUCT(TaskFailed, (), (task_id, error))

struct TaskFocus {
  YOLLAYAH_VARIANT_META(TaskFocus, 1)
  TaskId task_id;
};
BOOST_DESCRIBE_STRUCT(TaskFocus, (), (task_id))

struct LayoutHint {
  YOLLAYAH_VARIANT_META(LayoutHint, 1)
  LayoutDirective directive;
};
BOOST_DESCRIBE_STRUCT(LayoutHint, (), (directive))

struct Notify {
  YOLLAYAH_VARIANT_META(Notify, 1)
  NotifyLevel level = NotifyLevel::Info;
  std::optional<std::string> title;
  std::string message;
};
BOOST_DESCRIBE_STRUCT(Notify, (), (level, title, message))

struct State {
  YOLLAYAH_VARIANT_META(State, 1)
  ConductorState state = ConductorState::Initializing;
};
BOOST_DESCRIBE_STRUCT(State, (), (state))

struct QueryCapabilities {  // unit variant
  YOLLAYAH_VARIANT_META(QueryCapabilities, 1)
};
BOOST_DESCRIBE_STRUCT(QueryCapabilities, (), ())

struct Ack {
  YOLLAYAH_VARIANT_META(Ack, 1)
  EventId event_id;
  // Extension, to version-2 surfaces: for an accepted UserMessage, the id its answer will stream
  // under, so the surface can follow its own turn in a shared session.
  Extension<MessageId> message_id{};
};
BOOST_DESCRIBE_STRUCT(Ack, (), (event_id, message_id))

struct SessionInfo {
  YOLLAYAH_VARIANT_META(SessionInfo, 1)
  SessionId session_id;
  std::string model;
  bool ready = false;
  // Extension, to version-2 surfaces: false when nothing of the conversation is kept on disk
  // (history off: --no-history, YOLLAYAH_NO_HISTORY=1, history = false). Absent: history is on.
  Extension<bool> history{};
};
BOOST_DESCRIBE_STRUCT(SessionInfo, (), (session_id, model, ready, history))

struct Quit {
  YOLLAYAH_VARIANT_META(Quit, 1)
  std::optional<std::string> message;
};
BOOST_DESCRIBE_STRUCT(Quit, (), (message))

struct HandshakeAck {
  YOLLAYAH_VARIANT_META(HandshakeAck, 1)
  bool accepted = false;
  std::string connection_id;
  std::optional<std::string> rejection_reason;
  std::uint32_t protocol_version = kProtocolV1;
};
BOOST_DESCRIBE_STRUCT(HandshakeAck, (), (accepted, connection_id, rejection_reason, protocol_version))

struct Ping {
  YOLLAYAH_VARIANT_META(Ping, 1)
  std::uint64_t seq = 0;
};
BOOST_DESCRIBE_STRUCT(Ping, (), (seq))

struct StateSnapshot {
  YOLLAYAH_VARIANT_META(StateSnapshot, 1)
  std::vector<SnapshotMessage> conversation_history;
  AvatarStateSnapshot avatar_state;
  SessionSnapshot session_info;
  // Extension, to version-2 surfaces: the message this snapshot was opened at (/open ID MESSAGE,
  // a /search jump); a surface scrolls so that it is on screen. Absent otherwise.
  Extension<MessageId> focus{};
};
BOOST_DESCRIBE_STRUCT(StateSnapshot, (), (conversation_history, avatar_state, session_info, focus))

// Version 2.
struct Resync {
  YOLLAYAH_VARIANT_META(Resync, 2)
  std::string reason;
};
BOOST_DESCRIBE_STRUCT(Resync, (), (reason))

// The answer to /history from a version-2 surface, to it alone, most recently updated first: the
// data of a picker (Enter sends /open ID, a confirmed delete /delete ID asked). A version-1
// surface gets the same list as a system note.
struct HistoryList {
  YOLLAYAH_VARIANT_META(HistoryList, 2)
  std::vector<HistoryEntry> entries;
};
BOOST_DESCRIBE_STRUCT(HistoryList, (), (entries))

// The answer to /search from a version-2 surface, to it alone, newest match first: the data of
// the same picker (Enter jumps to the message). A version-1 surface gets the matches as a note.
struct SearchResults {
  YOLLAYAH_VARIANT_META(SearchResults, 2)
  std::string query;
  std::vector<SearchEntry> entries;
};
BOOST_DESCRIBE_STRUCT(SearchResults, (), (query, entries))

}  // namespace msg

using ConductorMessage =
    std::variant<msg::Message, msg::Token, msg::StreamEnd, msg::StreamError, msg::ConversationCreated,
                 msg::ConversationFocused, msg::ConversationRemoved, msg::ConversationStateChanged,
                 msg::ConversationStreamToken, msg::ConversationStreamEnd, msg::SummaryReady,
                 msg::AvatarMoveTo, msg::AvatarMood, msg::AvatarSize, msg::AvatarGesture,
                 msg::AvatarReact, msg::AvatarVisibility, msg::AvatarWander, msg::AvatarPointAt,
                 msg::TaskCreated, msg::TaskUpdated, msg::TaskCompleted, msg::TaskFailed,
                 msg::TaskFocus, msg::LayoutHint, msg::Notify, msg::State, msg::QueryCapabilities,
                 msg::Ack, msg::SessionInfo, msg::Quit, msg::HandshakeAck, msg::Ping,
                 msg::StateSnapshot, msg::Resync, msg::HistoryList, msg::SearchResults>;

#undef YOLLAYAH_VARIANT_META

// The variant name of a message or event, e.g. "Token".
template <class Variant>
std::string_view variant_name(const Variant& v) {
  return std::visit([](const auto& alt) { return std::decay_t<decltype(alt)>::kName; }, v);
}

// The first protocol version in which the message's variant exists.
template <class Variant>
std::uint32_t variant_since(const Variant& v) {
  return std::visit([](const auto& alt) { return std::decay_t<decltype(alt)>::kSince; }, v);
}

// The event_id of an event, or nullptr for the variants that carry none.
inline const EventId* event_id_of(const SurfaceEvent& e) {
  return std::visit(
      [](const auto& alt) -> const EventId* {
        if constexpr (requires { alt.event_id; }) return &alt.event_id;
        else return nullptr;
      },
      e);
}

}  // namespace yollayah::protocol
