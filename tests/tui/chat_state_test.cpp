// The TUI's reducer: the conversation, state, tasks and toasts built from Conductor messages.
#include "tui/app/chat_state.hpp"

#include <gtest/gtest.h>

namespace {

namespace msg = yollayah::protocol::msg;
using namespace std::chrono_literals;
using yollayah::protocol::ConductorState;
using yollayah::protocol::MessageRole;
using yollayah::protocol::NotifyLevel;
using yollayah::tui::app::ChatState;
using yollayah::tui::app::Clock;
using yollayah::tui::app::format_metadata;
using yollayah::tui::view::Role;
using yollayah::tui::view::TaskRow;

const Clock::time_point t0 = Clock::time_point{} + 1000s;

TEST(ChatState, TokensGrowOneStreamingAnswerAndStreamEndFinishesIt) {
  ChatState s;
  EXPECT_TRUE(s.apply(msg::Token{"m1", "Hel"}, t0));
  s.apply(msg::Token{"m1", "lo"}, t0);
  ASSERT_EQ(s.entries().size(), 1u);
  EXPECT_EQ(s.entries()[0].text, "Hello");
  EXPECT_EQ(s.entries()[0].role, Role::Assistant);
  EXPECT_TRUE(s.entries()[0].streaming);
  EXPECT_TRUE(s.streaming());

  msg::StreamEnd end{"m1", "Hello!", {}};
  end.metadata.model_id = "llama3.2";
  end.metadata.tokens_per_second = 42.14f;
  end.metadata.elapsed_ms = 3200;
  s.apply(end, t0);
  EXPECT_EQ(s.entries()[0].text, "Hello!");  // the clean final text wins
  EXPECT_FALSE(s.entries()[0].streaming);
  EXPECT_FALSE(s.entries()[0].interrupted);
  EXPECT_EQ(s.entries()[0].meta, "llama3.2 · 42.1 tok/s · 3.2 s");
  EXPECT_FALSE(s.streaming());
}

TEST(ChatState, EveryChangeBumpsTheRevisionTheViewCachesOn) {
  ChatState s;
  s.apply(msg::Token{"m1", "a"}, t0);
  const auto r1 = s.entries()[0].revision;
  s.apply(msg::Token{"m1", "b"}, t0);
  EXPECT_GT(s.entries()[0].revision, r1);
  const auto key = s.entries()[0].key;
  s.apply(msg::Message{"u1", MessageRole::User, "hi", {}}, t0);
  EXPECT_NE(s.entries()[1].key, key);
}

TEST(ChatState, ACancelledAnswerIsMarkedInterrupted) {
  ChatState s;
  s.apply(msg::Token{"m1", "partial"}, t0);
  msg::StreamEnd end{"m1", "partial", {}};
  end.metadata.context_hint = "cancelled";
  s.apply(end, t0);
  EXPECT_TRUE(s.entries()[0].interrupted);
}

TEST(ChatState, AStreamErrorKeepsThePartialAnswerAndAddsTheError) {
  ChatState s;
  s.apply(msg::Token{"m1", "half an ans"}, t0);
  s.apply(msg::StreamError{"m1", "the model server went away"}, t0);
  ASSERT_EQ(s.entries().size(), 2u);
  EXPECT_TRUE(s.entries()[0].interrupted);
  EXPECT_EQ(s.entries()[0].text, "half an ans");
  EXPECT_EQ(s.entries()[1].role, Role::Error);
  EXPECT_EQ(s.entries()[1].text, "Error: the model server went away");
}

TEST(ChatState, AStreamErrorBeforeAnyTextBecomesTheErrorEntry) {
  ChatState s;
  s.apply(msg::StreamError{"m1", "cannot reach Ollama"}, t0);
  ASSERT_EQ(s.entries().size(), 1u);
  EXPECT_EQ(s.entries()[0].role, Role::Error);
}

TEST(ChatState, MessagesAppearWithTheirRoles) {
  ChatState s;
  s.apply(msg::Message{"u1", MessageRole::User, "hi", {}}, t0);
  yollayah::protocol::ContentType error_type;
  error_type.kind = yollayah::protocol::ContentType::Kind::Error;
  s.apply(msg::Message{"s1", MessageRole::System, "oops", error_type}, t0);
  s.apply(msg::Message{"s2", MessageRole::System, "help text", {}}, t0);
  ASSERT_EQ(s.entries().size(), 3u);
  EXPECT_EQ(s.entries()[0].role, Role::User);
  EXPECT_EQ(s.entries()[1].role, Role::Error);
  EXPECT_EQ(s.entries()[2].role, Role::System);
}

TEST(ChatState, ReadyComesFromStateOrSessionInfo) {
  ChatState s;
  EXPECT_FALSE(s.ready());
  s.apply(msg::SessionInfo{"sess", "yollayah", false}, t0);
  EXPECT_EQ(s.model(), "yollayah");
  EXPECT_FALSE(s.ready());
  EXPECT_TRUE(s.apply(msg::State{ConductorState::Ready}, t0));
  EXPECT_TRUE(s.ready());
  EXPECT_FALSE(s.apply(msg::State{ConductorState::Ready}, t0));  // no change, nothing to redraw
}

TEST(ChatState, ASnapshotReplacesTheConversation) {
  ChatState s;
  s.apply(msg::Message{"old", MessageRole::User, "old", {}}, t0);
  msg::StateSnapshot snap;
  snap.conversation_history.push_back({"a", MessageRole::User, "q", {}, 1});
  snap.conversation_history.push_back({"b", MessageRole::Assistant, "partial ans", {}, 2});
  snap.session_info.model = "m";
  snap.session_info.state = ConductorState::Responding;
  s.apply(snap, t0);
  ASSERT_EQ(s.entries().size(), 2u);
  EXPECT_EQ(s.entries()[0].text, "q");
  EXPECT_TRUE(s.entries()[1].streaming);  // mid-stream: the live tokens follow
  s.apply(msg::Token{"b", "wer"}, t0);
  EXPECT_EQ(s.entries()[1].text, "partial answer");
}

TEST(ChatState, NotifyMakesAToastThatExpires) {
  ChatState s;
  s.apply(msg::Notify{NotifyLevel::Info, std::string("Title"), "body"}, t0);
  ASSERT_EQ(s.toasts().size(), 1u);
  EXPECT_EQ(s.toasts()[0].message, "body");
  ASSERT_TRUE(s.next_expiry().has_value());
  EXPECT_EQ(*s.next_expiry(), t0 + ChatState::kToastTime);
  EXPECT_FALSE(s.expire(t0 + ChatState::kToastTime - 1ms));
  EXPECT_TRUE(s.expire(t0 + ChatState::kToastTime));
  EXPECT_TRUE(s.toasts().empty());
  EXPECT_FALSE(s.next_expiry().has_value());  // nothing left: no timer
}

TEST(ChatState, ErrorsStayLongerAndOnlyTheNewestToastsAreKept) {
  ChatState s;
  s.apply(msg::Notify{NotifyLevel::Error, std::nullopt, "bad"}, t0);
  EXPECT_EQ(s.toasts()[0].expires_at, t0 + ChatState::kErrorToastTime);
  for (int i = 0; i < 5; ++i) s.apply(msg::Notify{NotifyLevel::Info, std::nullopt, std::to_string(i)}, t0);
  ASSERT_EQ(s.toasts().size(), ChatState::kMaxToasts);
  EXPECT_EQ(s.toasts().back().message, "4");
}

TEST(ChatState, TasksProgressCompleteAndLingerBriefly) {
  ChatState s;
  s.apply(msg::TaskCreated{"t1", "Researcher", "look things up"}, t0);
  s.apply(msg::TaskUpdated{"t1", 40, std::string("reading")}, t0);
  ASSERT_EQ(s.tasks().size(), 1u);
  EXPECT_EQ(s.tasks()[0].progress, 40);
  EXPECT_EQ(s.tasks()[0].detail, "reading");
  EXPECT_FALSE(s.next_expiry().has_value());  // a running task never expires
  s.apply(msg::TaskCompleted{"t1", std::string("found it")}, t0 + 1s);
  EXPECT_EQ(s.tasks()[0].status, TaskRow::Status::Done);
  EXPECT_EQ(s.tasks()[0].progress, 100);
  EXPECT_TRUE(s.expire(t0 + 1s + ChatState::kFinishedTaskTime));
  EXPECT_TRUE(s.tasks().empty());
}

TEST(ChatState, AFailedTaskShowsItsError) {
  ChatState s;
  s.apply(msg::TaskCreated{"t1", "Coder", "build"}, t0);
  s.apply(msg::TaskFailed{"t1", "compiler exploded"}, t0);
  EXPECT_EQ(s.tasks()[0].status, TaskRow::Status::Failed);
  EXPECT_EQ(s.tasks()[0].detail, "compiler exploded");
}

TEST(ChatState, QuitAndARefusedHandshakeAskToLeave) {
  ChatState a;
  a.apply(msg::Quit{std::string("bye")}, t0);
  EXPECT_TRUE(a.quit_requested());
  ChatState b;
  b.apply(msg::HandshakeAck{true, "c1", std::nullopt, 2}, t0);
  EXPECT_FALSE(b.quit_requested());
  b.apply(msg::HandshakeAck{false, "c2", std::string("bad token"), 2}, t0);
  EXPECT_TRUE(b.quit_requested());
  EXPECT_NE(b.quit_message()->find("bad token"), std::string::npos);
}

TEST(ChatState, HistoryIsCappedByDroppingTheOldest) {
  ChatState s;
  for (std::size_t i = 0; i <= ChatState::kMaxEntries; ++i) {
    s.apply(msg::Message{"m" + std::to_string(i), MessageRole::User, std::to_string(i), {}}, t0);
  }
  EXPECT_LE(s.entries().size(), ChatState::kMaxEntries);
  EXPECT_EQ(s.entries().back().text, std::to_string(ChatState::kMaxEntries));
  // The newest message can still be found by id after the trim.
  s.apply(msg::Message{"m" + std::to_string(ChatState::kMaxEntries), MessageRole::User, "edited", {}}, t0);
  EXPECT_EQ(s.entries().back().text, "edited");
}

TEST(ChatState, MetadataFormatsOnlyWhatItHas) {
  yollayah::protocol::ResponseMetadata meta;
  EXPECT_EQ(format_metadata(meta), "");
  meta.elapsed_ms = 1500;
  EXPECT_EQ(format_metadata(meta), "1.5 s");
  meta.agent_tasks_spawned = 2;
  meta.model_id = "m";
  EXPECT_EQ(format_metadata(meta), "m · 1.5 s · 2 tasks");
  meta.backend = "gpu-box";
  meta.first_token_ms = 1234;
  meta.tokens_per_second = 31.0f;
  EXPECT_EQ(format_metadata(meta), "m on gpu-box · 1.2 s to first token · 31.0 tok/s · 1.5 s · 2 tasks");
}

}  // namespace
