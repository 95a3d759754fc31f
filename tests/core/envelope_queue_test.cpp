// EnvelopeQueue past its soft limit: merged Tokens keep every byte in order, merging appends in
// place to the queue's own envelope, and envelopes shared with other surfaces (or already handed
// to the consumer) are never changed.
#include "core/envelope_queue.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace yollayah::core {
namespace {

namespace msg = protocol::msg;

protocol::EnvelopePtr token(const std::string& message_id, std::string text) {
  return std::make_shared<const protocol::Envelope>(protocol::Envelope{msg::Token{message_id, std::move(text)}, {}});
}

protocol::EnvelopePtr state() {
  return std::make_shared<const protocol::Envelope>(protocol::Envelope{msg::State{protocol::ConductorState::Ready}, {}});
}

// Everything pending, drained by the consumer side on `io`.
std::vector<protocol::EnvelopePtr> drain(asio::io_context& io, EnvelopeQueue& queue) {
  std::vector<protocol::EnvelopePtr> out;
  bool done = false;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    co_await queue.wait_and_drain(out);
    done = true;
  }, asio::detached);
  io.restart();
  for (int i = 0; i < 100 && !done; ++i) io.run_one_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(done);
  return out;
}

std::string text_of(const std::vector<protocol::EnvelopePtr>& batch) {
  std::string text;
  for (const auto& e : batch)
    if (const auto* t = std::get_if<msg::Token>(&e->message)) text += t->text;
  return text;
}

TEST(EnvelopeQueue, MergingAHundredThousandTokensKeepsTheTextIdentical) {
  asio::io_context io;
  EnvelopeQueue queue(io.get_executor(), {4, 64});
  constexpr int kTokens = 100'000;
  std::string expected;
  for (int i = 0; i < kTokens; ++i) {
    std::string t = "t" + std::to_string(i) + (i % 7 == 0 ? "\n" : " ");
    expected += t;
    const auto result = queue.push(token("msg_1", std::move(t)));
    ASSERT_EQ(result, i < 4 ? EnvelopeQueue::PushResult::Queued : EnvelopeQueue::PushResult::Merged) << i;
  }
  EXPECT_EQ(queue.merged_tokens(), static_cast<std::size_t>(kTokens - 4));
  const auto batch = drain(io, queue);
  ASSERT_EQ(batch.size(), 4u);  // never past the hard limit: nothing was dropped
  EXPECT_EQ(text_of(batch), expected);
  for (const auto& e : batch) EXPECT_EQ(std::get<msg::Token>(e->message).message_id, "msg_1");
}

TEST(EnvelopeQueue, EnvelopesSharedWithOtherSurfacesAreNeverChanged) {
  asio::io_context io;
  EnvelopeQueue stuck(io.get_executor(), {1, 64});
  EnvelopeQueue reading(io.get_executor(), {1, 64});
  // The same envelopes fan out to both queues, as SurfaceRegistry does.
  const auto first = token("msg_1", "Hello");
  const auto second = token("msg_1", ", world");
  const auto third = token("msg_1", "!");
  for (const auto& e : {first, second, third}) {
    stuck.push(e);
    reading.push(e);
  }
  EXPECT_EQ(std::get<msg::Token>(first->message).text, "Hello");
  EXPECT_EQ(std::get<msg::Token>(second->message).text, ", world");
  EXPECT_EQ(std::get<msg::Token>(third->message).text, "!");
  const auto from_stuck = drain(io, stuck);
  ASSERT_EQ(from_stuck.size(), 1u);
  EXPECT_NE(from_stuck[0], first);  // a copy of its own
  EXPECT_EQ(text_of(from_stuck), "Hello, world!");
  EXPECT_EQ(text_of(drain(io, reading)), "Hello, world!");
}

TEST(EnvelopeQueue, AMergedTokenTakenByTheConsumerIsNotAppendedToAgain) {
  asio::io_context io;
  EnvelopeQueue queue(io.get_executor(), {1, 64});
  queue.push(token("msg_1", "a"));
  queue.push(token("msg_1", "b"));  // merged into the queue's own copy
  const auto taken = drain(io, queue);
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(text_of(taken), "ab");

  queue.push(token("msg_1", "c"));
  EXPECT_EQ(queue.push(token("msg_1", "d")), EnvelopeQueue::PushResult::Merged);
  EXPECT_EQ(text_of(taken), "ab");  // what the consumer holds did not change under it
  EXPECT_EQ(text_of(drain(io, queue)), "cd");
}

TEST(EnvelopeQueue, MergingStopsAtAnotherMessageAndKeepsTheOrder) {
  asio::io_context io;
  EnvelopeQueue queue(io.get_executor(), {1, 64});
  queue.push(token("msg_1", "a"));
  queue.push(token("msg_1", "b"));   // merged
  queue.push(state());               // not a Token: queued behind
  queue.push(token("msg_1", "c"));   // the back is a State: queued
  queue.push(token("msg_1", "d"));   // merged into "c"
  queue.push(token("msg_2", "x"));   // another message: queued
  queue.push(token("msg_2", "y"));   // merged into "x"
  const auto batch = drain(io, queue);
  ASSERT_EQ(batch.size(), 4u);
  EXPECT_EQ(std::get<msg::Token>(batch[0]->message).text, "ab");
  EXPECT_TRUE(std::holds_alternative<msg::State>(batch[1]->message));
  EXPECT_EQ(std::get<msg::Token>(batch[2]->message).text, "cd");
  EXPECT_EQ(std::get<msg::Token>(batch[3]->message).text, "xy");
  EXPECT_EQ(std::get<msg::Token>(batch[3]->message).message_id, "msg_2");
  EXPECT_EQ(queue.merged_tokens(), 3u);
}

}  // namespace
}  // namespace yollayah::core
