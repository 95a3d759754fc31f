#include "backend/ollama_line_parser.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace yollayah::backend {
namespace {

TEST(OllamaLineParser, ReadsChatContent) {
  OllamaLineParser p;
  ASSERT_TRUE(p.parse(R"({"model":"m","created_at":"x","message":{"role":"assistant","content":"Hi"},"done":false})"));
  EXPECT_TRUE(p.line().has_content);
  EXPECT_EQ(p.line().content, "Hi");
  EXPECT_FALSE(p.line().done);
  EXPECT_EQ(p.line().model, "m");
}

TEST(OllamaLineParser, ReadsGenerateResponse) {
  OllamaLineParser p;
  ASSERT_TRUE(p.parse(R"({"model":"m","response":"tok","done":false})"));
  EXPECT_EQ(p.line().content, "tok");
}

TEST(OllamaLineParser, DecodesEscapesAndUnicode) {
  OllamaLineParser p;
  ASSERT_TRUE(p.parse(R"({"message":{"content":"a\"b\\c\nd\u00e9\ud83e\udd8e"}})"));
  EXPECT_EQ(p.line().content, "a\"b\\c\nd\xC3\xA9\xF0\x9F\xA6\x8E");
}

TEST(OllamaLineParser, ReadsTheFinalStats) {
  OllamaLineParser p;
  ASSERT_TRUE(p.parse(
      R"({"model":"llama3.2","created_at":"t","message":{"role":"assistant","content":""},"done":true,)"
      R"("done_reason":"stop","total_duration":5000,"load_duration":100,"prompt_eval_count":26,)"
      R"("prompt_eval_duration":200,"eval_count":290,"eval_duration":4700})"));
  const auto& l = p.line();
  EXPECT_TRUE(l.done);
  EXPECT_EQ(l.done_reason, "stop");
  EXPECT_EQ(l.total_duration, 5000u);
  EXPECT_EQ(l.load_duration, 100u);
  EXPECT_EQ(l.prompt_eval_count, 26u);
  EXPECT_EQ(l.prompt_eval_duration, 200u);
  EXPECT_EQ(l.eval_count, 290u);
  EXPECT_EQ(l.eval_duration, 4700u);
  EXPECT_TRUE(l.content.empty());
}

TEST(OllamaLineParser, ReadsAnErrorLine) {
  OllamaLineParser p;
  ASSERT_TRUE(p.parse(R"({"error":"model requires more system memory"})"));
  EXPECT_TRUE(p.line().has_error);
  EXPECT_EQ(p.line().error, "model requires more system memory");
  ASSERT_TRUE(p.parse(R"({"error":{"message":"nested","type":"x"}})"));
  EXPECT_EQ(p.line().error, "nested");
}

TEST(OllamaLineParser, IgnoresContentKeysAtOtherDepths) {
  OllamaLineParser p;
  ASSERT_TRUE(p.parse(R"({"content":"top","message":{"role":"assistant","content":"real",)"
                      R"("tool_calls":[{"content":"in array"}],"extra":{"content":"deeper"}},)"
                      R"("context":[1,2,{"done":true}],"done":false})"));
  EXPECT_EQ(p.line().content, "real");
  EXPECT_FALSE(p.line().done);
}

TEST(OllamaLineParser, ResetsBetweenLines) {
  OllamaLineParser p;
  ASSERT_TRUE(p.parse(R"({"message":{"content":"one"},"done":true,"eval_count":3})"));
  ASSERT_TRUE(p.parse(R"({"message":{"content":"two"}})"));
  EXPECT_EQ(p.line().content, "two");
  EXPECT_FALSE(p.line().done);
  EXPECT_EQ(p.line().eval_count, 0u);
  ASSERT_TRUE(p.parse(R"({"done":false})"));
  EXPECT_FALSE(p.line().has_content);
}

TEST(OllamaLineParser, RejectsMalformedLines) {
  OllamaLineParser p;
  for (const char* bad : {R"({"message":{"content":"unterminated})", R"({"a":1} trailing)", R"([1,2,3])",
                          R"("just a string")", "not json at all", R"({"a":1}{"b":2})",
                          "{\"message\":{\"content\":\"\xC3\"}}", "{\"error\":\"\xFF\"}"}) {
    EXPECT_FALSE(p.parse(bad)) << bad;
  }
  EXPECT_TRUE(p.parse(R"({"message":{"content":"ok"}}   )"));
  EXPECT_EQ(p.line().content, "ok");
}

TEST(OllamaLineParser, ChecksUtf8OnlyInTheStringsItKeeps) {
  OllamaLineParser p;
  // Bad bytes in a field nobody reads are never forwarded, so the line still counts.
  EXPECT_TRUE(p.parse("{\"created_at\":\"\xC3\",\"message\":{\"content\":\"fine\"}}"));
  EXPECT_EQ(p.line().content, "fine");
  EXPECT_FALSE(p.parse("{\"message\":{\"content\":\"caf\xC3\"}}"));
}

// Found by fuzz_ollama_line_parser: a count past 2^64 written as a double was cast to uint64_t,
// which is undefined behaviour. It saturates; smaller doubles are truncated as before.
TEST(OllamaLineParser, SaturatesAHugeDoubleCount) {
  OllamaLineParser p;
  ASSERT_TRUE(p.parse(R"({"eval_count":1e30,"eval_duration":1.5e3,"total_duration":18446744073709551616.0})"));
  EXPECT_EQ(p.line().eval_count, std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(p.line().eval_duration, 1500u);
  EXPECT_EQ(p.line().total_duration, std::numeric_limits<std::uint64_t>::max());
}

}  // namespace
}  // namespace yollayah::backend
