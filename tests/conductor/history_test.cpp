#include "conductor/history.hpp"

#include <gtest/gtest.h>

namespace yollayah::conductor {
namespace {

using protocol::MessageRole;

HistoryMessage make(std::string id, MessageRole role, std::string content, bool streaming = false) {
  HistoryMessage m;
  m.id = std::move(id);
  m.role = role;
  m.content = std::move(content);
  m.streaming = streaming;
  return m;
}

TEST(History, PruningDropsTheOldestButNeverTheStreamingAnswer) {
  History h({3, 1 << 20});
  h.append(make("a", MessageRole::Assistant, "streaming", true));
  h.append(make("b", MessageRole::User, "1"));
  h.append(make("c", MessageRole::User, "2"));
  h.append(make("d", MessageRole::User, "3"));
  ASSERT_EQ(h.size(), 3u);
  EXPECT_NE(h.find("a"), nullptr);
  EXPECT_EQ(h.find("b"), nullptr);
  EXPECT_NE(h.find("d"), nullptr);
}

TEST(History, PruningKeepsTheByteBudget) {
  History h({1000, 10});
  h.append(make("a", MessageRole::User, "12345"));
  h.append(make("b", MessageRole::User, "12345"));
  h.append(make("c", MessageRole::User, "12345"));
  EXPECT_LE(h.bytes(), 10u);
  EXPECT_EQ(h.find("a"), nullptr);
}

TEST(History, ContextIsRoleTaggedWithTheSystemPromptFirstAndSkipsNotesAndEmptyAnswers) {
  History h({100, 1 << 20});
  h.append(make("u1", MessageRole::User, "hi"));
  h.append(make("a1", MessageRole::Assistant, "hello"));
  h.append(make("s1", MessageRole::System, "Commands: …"));
  h.append(make("a2", MessageRole::Assistant, ""));
  h.append(make("u2", MessageRole::User, "how are you?"));
  h.append(make("a3", MessageRole::Assistant, "", true));
  auto ctx = h.context("be nice", 10);
  ASSERT_EQ(ctx.size(), 4u);
  EXPECT_EQ(ctx[0].role, backend::ChatMessage::Role::System);
  EXPECT_EQ(ctx[0].content, "be nice");
  EXPECT_EQ(ctx[1].content, "hi");
  EXPECT_EQ(ctx[2].role, backend::ChatMessage::Role::Assistant);
  EXPECT_EQ(ctx[3].content, "how are you?");
  EXPECT_EQ(ctx[3].role, backend::ChatMessage::Role::User);
}

TEST(History, ContextTakesOnlyTheLastMessages) {
  History h({100, 1 << 20});
  for (int i = 0; i < 20; ++i) h.append(make("m" + std::to_string(i), MessageRole::User, std::to_string(i)));
  auto ctx = h.context("", 10);
  ASSERT_EQ(ctx.size(), 10u);
  EXPECT_EQ(ctx.front().content, "10");
  EXPECT_EQ(ctx.back().content, "19");
}

TEST(History, ClearKeepsTheAnswerStillStreaming) {
  History h({100, 1 << 20});
  h.append(make("u", MessageRole::User, "hi"));
  h.append(make("a", MessageRole::Assistant, "partial", true));
  h.clear();
  ASSERT_EQ(h.size(), 1u);
  EXPECT_NE(h.find("a"), nullptr);
  EXPECT_EQ(h.bytes(), 7u);
}

TEST(History, SnapshotHoldsTheLastN) {
  History h({100, 1 << 20});
  for (int i = 0; i < 30; ++i) h.append(make("m" + std::to_string(i), MessageRole::User, std::to_string(i)));
  auto snap = h.snapshot(5);
  ASSERT_EQ(snap.size(), 5u);
  EXPECT_EQ(snap.front().content, "25");
  EXPECT_EQ(snap.back().content, "29");
}

}  // namespace
}  // namespace yollayah::conductor
