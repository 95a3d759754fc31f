// OpenAiChatStream and OpenAiChunkParser on canned SSE bodies, cut at every point.
#include "backend/openai_chat_stream.hpp"
#include "core/log.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

namespace yollayah::backend {
namespace {

using namespace std::chrono_literals;

struct Collect final : ChatSink {
  void on_content(std::string_view t) override { pieces.emplace_back(t); }
  void on_batch_end() override { ++batches; }
  std::string text() const {
    std::string s;
    for (const auto& p : pieces) s += p;
    return s;
  }
  std::vector<std::string> pieces;
  int batches = 0;
};

std::string event(const std::string& json) { return "data: " + json + "\n\n"; }

std::string delta(const std::string& content) {
  return event(R"({"id":"c1","object":"chat.completion.chunk","created":1,"model":"qwen","choices":[{"index":0,"delta":{"content":")" +
               content + R"("},"logprobs":null,"finish_reason":null}],"usage":null})");
}

const std::string kRole =
    event(R"({"id":"c1","object":"chat.completion.chunk","model":"qwen","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]})");
const std::string kStop =
    event(R"({"id":"c1","object":"chat.completion.chunk","model":"qwen","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})");
const std::string kUsage =
    event(R"({"id":"c1","object":"chat.completion.chunk","model":"qwen","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18}})");
const std::string kDone = "data: [DONE]\n\n";

struct Fed {
  Collect sink;
  OpenAiChatStream stream{sink, "http://test/v1/chat/completions", "test at http://test/v1"};
};

// Feeds `body` cut at `cuts` (ascending), then finish().
void feed(Fed& f, const std::string& body, std::vector<std::size_t> cuts) {
  std::size_t from = 0;
  cuts.push_back(body.size());
  for (auto cut : cuts) {
    if (!f.stream.on_body(std::string_view(body).substr(from, cut - from))) break;
    from = cut;
  }
  f.stream.finish();
}

class OpenAiChatStreamTest : public ::testing::Test {
 protected:
  void SetUp() override { core::disable_logging(); }
};

TEST_F(OpenAiChatStreamTest, SameAnswerAtEverySplitPoint) {
  const std::string body = kRole + delta("Hel") + ": keep-alive\n\n" + delta("lo") +
                           delta(" caf\xC3\xA9 \xF0\x9F\xA6\x8E") + kStop + kUsage + kDone;
  for (std::size_t cut = 0; cut <= body.size(); ++cut) {
    Fed f;
    feed(f, body, {cut});
    ASSERT_EQ(f.sink.pieces, (std::vector<std::string>{"Hel", "lo", " café 🦎"})) << "cut at " << cut;
    EXPECT_TRUE(f.stream.saw_done());
    EXPECT_TRUE(f.stream.complete());
    EXPECT_FALSE(f.stream.error());
    const auto& s = f.stream.stats();
    EXPECT_EQ(s.done_reason, "stop");
    EXPECT_EQ(s.model, "qwen");
    EXPECT_EQ(s.eval_count, 7u);  // the usage chunk wins over the 3 counted pieces
    EXPECT_EQ(s.prompt_eval_count, 11u);
    EXPECT_EQ(s.malformed_lines, 0u);
  }
}

TEST_F(OpenAiChatStreamTest, ByteByByteWithCrLfLineEnds) {
  std::string body = kRole + delta("\xC3\xA9\xF0\x9F\xA6\x8E\xE2\x82\xAC") + kStop + kDone;  // é 🦎 €
  for (std::size_t at = body.find('\n'); at != std::string::npos; at = body.find('\n', at + 2)) body.insert(at, "\r");
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < body.size(); ++i) cuts.push_back(i);
  Fed f;
  feed(f, body, cuts);
  EXPECT_EQ(f.sink.text(), "é🦎€");
  EXPECT_TRUE(f.stream.complete());
}

TEST_F(OpenAiChatStreamTest, WithoutAUsageChunkTheDeltasAreCounted) {
  Fed f;
  feed(f, kRole + delta("a") + delta("b") + delta("c") + kStop + kDone, {});
  EXPECT_EQ(f.sink.text(), "abc");
  EXPECT_EQ(f.stream.stats().eval_count, 3u);
  EXPECT_EQ(f.stream.stats().prompt_eval_count, 0u);
  EXPECT_GT(f.stream.stats().total_duration_ns, 0u);
}

TEST_F(OpenAiChatStreamTest, DataWithoutTheSpaceAndEmptyOrNullContent) {
  Fed f;
  feed(f,
       "data:" R"({"choices":[{"delta":{"content":"x"}}]})" "\n\n"
       "data:" R"({"choices":[{"delta":{"content":null}}]})" "\n\n"
       "data:" R"({"choices":[{"delta":{"content":""}}]})" "\n\n"
       "data:" R"({"choices":[{"delta":{},"finish_reason":"length"}]})" "\n\n"
       "data:[DONE]\n\n",
       {});
  EXPECT_EQ(f.sink.pieces, (std::vector<std::string>{"x"}));
  EXPECT_EQ(f.stream.stats().done_reason, "length");
  EXPECT_TRUE(f.stream.saw_done());
}

TEST_F(OpenAiChatStreamTest, OnlyTheFirstChoiceIsRead) {
  Fed f;
  feed(f, event(R"({"choices":[{"index":0,"delta":{"content":"one"}},{"index":1,"delta":{"content":"two"},"finish_reason":"x"}]})") +
               kStop + kDone, {});
  EXPECT_EQ(f.sink.text(), "one");
  EXPECT_EQ(f.stream.stats().done_reason, "stop");
}

TEST_F(OpenAiChatStreamTest, AnErrorObjectInsideTheStreamStopsItAsAServerError) {
  for (const std::string& error : {std::string(R"({"error":{"message":"model overloaded","type":"server_error"}})"),
                                   std::string(R"({"error":"model overloaded"})")}) {
    Fed f;
    const std::string body = kRole + delta("partial") + event(error) + delta("never") + kDone;
    bool go = f.stream.on_body(body);
    EXPECT_FALSE(go);
    ASSERT_TRUE(f.stream.error());
    EXPECT_EQ(f.stream.error()->kind, BackendError::Kind::Server);
    EXPECT_EQ(f.stream.error()->message, "model overloaded");
    EXPECT_EQ(f.stream.error()->url, "http://test/v1/chat/completions");
    EXPECT_EQ(f.sink.text(), "partial");
  }
}

TEST_F(OpenAiChatStreamTest, AnErrorEventTypeIsAServerErrorToo) {
  Fed f;
  EXPECT_FALSE(f.stream.on_body(delta("a") + "event: error\ndata: upstream timed out\n\n"));
  ASSERT_TRUE(f.stream.error());
  EXPECT_EQ(f.stream.error()->message, "upstream timed out");
  Fed empty;
  EXPECT_FALSE(empty.stream.on_body(event(R"({"error":{}})")));
  ASSERT_TRUE(empty.stream.error());
  EXPECT_EQ(empty.stream.error()->message, "test at http://test/v1 reported an error mid-answer");
}

TEST_F(OpenAiChatStreamTest, AnAnswerWithoutDoneOrFinishReasonIsNotComplete) {
  Fed f;
  feed(f, kRole + delta("cut") + delta(" off"), {});
  EXPECT_EQ(f.sink.text(), "cut off");
  EXPECT_FALSE(f.stream.complete());
  Fed empty;
  feed(empty, "", {});
  EXPECT_FALSE(empty.stream.complete());
}

TEST_F(OpenAiChatStreamTest, AFinishReasonWithoutDoneIsComplete) {
  Fed f;
  feed(f, delta("a") + kStop, {});
  EXPECT_FALSE(f.stream.saw_done());
  EXPECT_TRUE(f.stream.complete());
}

TEST_F(OpenAiChatStreamTest, AnUnterminatedLastEventStillCounts) {
  Fed f;
  feed(f, delta("a") + "data: [DONE]", {});
  EXPECT_TRUE(f.stream.saw_done());
}

TEST_F(OpenAiChatStreamTest, MalformedEventsAreSkippedAndCounted) {
  const std::string body = delta("a") + "data: {\"choices\":[{\"delta\":{\"content\":\"bro\n\n" + delta("b") +
                           "data: garbage\n\n" + delta("c") + kStop + kDone;
  for (std::size_t cut = 0; cut <= body.size(); cut += 5) {
    Fed f;
    feed(f, body, {cut});
    EXPECT_EQ(f.sink.text(), "abc") << cut;
    EXPECT_EQ(f.stream.stats().malformed_lines, 2u) << cut;
    EXPECT_TRUE(f.stream.complete());
  }
}

TEST_F(OpenAiChatStreamTest, LlamaCppTimingsGiveTheEvalDuration) {
  Fed f;
  feed(f, delta("a") + event(R"({"choices":[{"delta":{},"finish_reason":"stop"}],"timings":{"prompt_n":5,"prompt_ms":12.5,"predicted_n":1,"predicted_ms":250.0}})") +
               kDone, {});
  EXPECT_EQ(f.stream.stats().eval_duration_ns, 250'000'000u);
  EXPECT_EQ(f.stream.stats().prompt_eval_duration_ns, 12'500'000u);
}

// Seen while writing fuzz_openai_chunk_parser: milliseconds past 2^64 ns were an undefined cast,
// and Boost.JSON reads 0e309 as NaN, which must not count as timings.
TEST_F(OpenAiChatStreamTest, HugeOrNanTimingsDoNotOverflow) {
  Fed f;
  feed(f, delta("a") + event(R"({"choices":[{"delta":{},"finish_reason":"stop"}],"timings":{"prompt_ms":0e309,"predicted_ms":1e300}})") +
               kDone, {});
  EXPECT_EQ(f.stream.stats().eval_duration_ns, std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(f.stream.stats().prompt_eval_duration_ns, 0u);
}

TEST_F(OpenAiChatStreamTest, ReadsWaitTheFirstTokenThenTheIdleGapThenLittleAfterDone) {
  Collect sink;
  OpenAiChatStream stream(sink, "u", "w", ChatDeadlines(60s, 30s));
  EXPECT_EQ(stream.read_timeout(1s), 60s);
  EXPECT_EQ(stream.timeout_text(60s), "gave no first token within 60 s");
  stream.on_body(kRole);
  EXPECT_EQ(stream.read_timeout(1s), 60s);  // a role alone is not a token
  stream.on_body(delta("x"));
  EXPECT_EQ(stream.read_timeout(1s), 30s);
  EXPECT_EQ(stream.timeout_text(30s), "went silent for 30 s mid-answer");
  stream.on_body(kDone);
  EXPECT_EQ(stream.read_timeout(1s), 2s);
}

TEST_F(OpenAiChatStreamTest, ContentIsDeliveredBeforeTheNextRead) {
  Fed f;
  const auto body = delta("one") + delta("two");
  f.stream.on_body(body.substr(0, body.size() - 10));
  EXPECT_EQ(f.sink.pieces, (std::vector<std::string>{"one"}));
  EXPECT_EQ(f.sink.batches, 1);
  f.stream.on_body(body.substr(body.size() - 10));
  EXPECT_EQ(f.sink.pieces, (std::vector<std::string>{"one", "two"}));
}

TEST(OpenAiChunkParser, ReadsOnlyTheFieldsAtTheirPlaces) {
  OpenAiChunkParser p;
  ASSERT_TRUE(p.parse(R"({"content":"top","message":{"content":"msg"},"choices":[{"message":{"content":"m"},"delta":{"content":"yes","extra":{"content":"deep"}}}]})"));
  EXPECT_EQ(p.chunk().content, "yes");
  ASSERT_TRUE(p.parse(R"({"choices":[{"delta":{"role":"assistant"}}]})"));
  EXPECT_FALSE(p.chunk().has_content);  // strings are cleared between chunks
  EXPECT_TRUE(p.chunk().content.empty());
  ASSERT_TRUE(p.parse(R"({"usage":{"completion_tokens":3,"completion_tokens_details":{"reasoning_tokens":99}}})"));
  EXPECT_TRUE(p.chunk().has_usage);
  EXPECT_EQ(p.chunk().completion_tokens, 3u);
  ASSERT_TRUE(p.parse(R"({"usage":null,"error":null})"));
  EXPECT_FALSE(p.chunk().has_usage);
  EXPECT_FALSE(p.chunk().has_error);
}

TEST(OpenAiChunkParser, RefusesWhatIsNotOneJsonObject) {
  OpenAiChunkParser p;
  for (const char* bad : {"", "[DONE]", "[1]", "\"s\"", "{\"a\":1} {}", "{\"choices\":[{\"delta\":{\"content\":\"x\"}}]",
                          "{\"choices\":[{\"delta\":{\"content\":\"\xC3\"}}]}"}) {
    EXPECT_FALSE(p.parse(bad)) << bad;
  }
  EXPECT_TRUE(p.parse(" {\"choices\":[]} \r\n"));
}

// Found by fuzz_openai_chunk_parser: counts went through a double, so a count past 2^53 lost its
// low bits and one past 2^64 was an undefined cast.
TEST(OpenAiChunkParser, ReadsIntegerCountsExactlyAndSaturatesHugeDoubles) {
  OpenAiChunkParser p;
  ASSERT_TRUE(p.parse(R"({"usage":{"completion_tokens":9007199254740993,"prompt_tokens":18446744073709551615}})"));
  EXPECT_EQ(p.chunk().completion_tokens, 9007199254740993u);
  EXPECT_EQ(p.chunk().prompt_tokens, 18446744073709551615u);
  ASSERT_TRUE(p.parse(R"({"usage":{"completion_tokens":1e30,"prompt_tokens":12.9}})"));
  EXPECT_EQ(p.chunk().completion_tokens, 18446744073709551615u);
  EXPECT_EQ(p.chunk().prompt_tokens, 12u);
  ASSERT_TRUE(p.parse(R"({"usage":{"completion_tokens":-1}})"));
  EXPECT_FALSE(p.chunk().has_usage);
}

// Found by fuzz_openai_chunk_parser: the first object among the choices was read as the first
// choice, even after a non-object element or when "choices" was an object.
TEST(OpenAiChunkParser, TheFirstChoiceIsTheFirstElementOfTheChoicesArray) {
  OpenAiChunkParser p;
  ASSERT_TRUE(p.parse(R"({"choices":[1,{"delta":{"content":"second"},"finish_reason":"stop"}]})"));
  EXPECT_FALSE(p.chunk().has_content);
  EXPECT_EQ(p.chunk().finish_reason, "");
  ASSERT_TRUE(p.parse(R"({"choices":{"a":{"delta":{"content":"not an array"}}}})"));
  EXPECT_FALSE(p.chunk().has_content);
  ASSERT_TRUE(p.parse(R"({"choices":[{"delta":{"content":"first"}},{"delta":{"content":"second"}}]})"));
  EXPECT_EQ(p.chunk().content, "first");
}

}  // namespace
}  // namespace yollayah::backend
