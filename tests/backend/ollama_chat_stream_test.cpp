#include "backend/ollama_chat_stream.hpp"

#include "core/log.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace yollayah::backend {
namespace {

struct Collect final : ChatSink {
  void on_content(std::string_view t) override { pieces.emplace_back(t); }
  std::string text() const {
    std::string s;
    for (const auto& p : pieces) s += p;
    return s;
  }
  std::vector<std::string> pieces;
};

std::string chat_line(std::string_view content) {
  return R"({"model":"m","created_at":"t","message":{"role":"assistant","content":")" + std::string(content) +
         R"("},"done":false})"
         "\n";
}

const std::string kDone =
    R"({"model":"m","created_at":"t","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop",)"
    R"("total_duration":9,"eval_count":4,"eval_duration":7})"
    "\n";

// Feeds `body` cut at `cuts` and returns the stream after finish().
struct Fed {
  Collect sink;
  OllamaChatStream stream{sink, "http://test/api/chat"};
};

void feed(Fed& f, const std::string& body, std::vector<std::size_t> cuts) {
  std::size_t from = 0;
  cuts.push_back(body.size());
  for (auto cut : cuts) {
    if (!f.stream.on_body(std::string_view(body).substr(from, cut - from))) return;
    from = cut;
  }
  f.stream.finish();
}

class OllamaChatStreamTest : public ::testing::Test {
 protected:
  void SetUp() override { core::disable_logging(); }
};

TEST_F(OllamaChatStreamTest, SameContentAtEverySplitPoint) {
  const std::string body = chat_line("¡Hola") + chat_line(" caf\xC3\xA9") + chat_line(" 🦎") + chat_line("!") + kDone;
  for (std::size_t cut = 0; cut <= body.size(); ++cut) {
    Fed f;
    feed(f, body, {cut});
    ASSERT_EQ(f.sink.pieces, (std::vector<std::string>{"¡Hola", " café", " 🦎", "!"})) << "cut at " << cut;
    EXPECT_TRUE(f.stream.done());
    EXPECT_EQ(f.stream.stats().eval_count, 4u);
    EXPECT_EQ(f.stream.stats().done_reason, "stop");
    EXPECT_EQ(f.stream.stats().malformed_lines, 0u);
  }
}

TEST_F(OllamaChatStreamTest, UTF8SplitAcrossEveryByteBoundaryComesOutIntact) {
  const std::string body = chat_line("\xC3\xA9\xF0\x9F\xA6\x8E\xE2\x82\xAC") + kDone;  // é 🦎 €
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < body.size(); ++i) cuts.push_back(i);
  Fed f;
  feed(f, body, cuts);
  EXPECT_EQ(f.sink.text(), "é🦎€");
  EXPECT_TRUE(f.stream.done());
}

TEST_F(OllamaChatStreamTest, ContentIsDeliveredBeforeTheNextChunk) {
  Fed f;
  f.stream.on_body(chat_line("one") + R"({"message":{"content":"tw)");
  EXPECT_EQ(f.sink.pieces, (std::vector<std::string>{"one"}));
  f.stream.on_body("o\"}}\n");
  EXPECT_EQ(f.sink.pieces, (std::vector<std::string>{"one", "two"}));
}

TEST_F(OllamaChatStreamTest, SkipsAndCountsMalformedLines) {
  const std::string body = chat_line("a") + "{\"message\":{\"content\":\"broken\n" + chat_line("b") + "garbage\n" +
                           chat_line("c") + kDone;
  for (std::size_t cut = 0; cut <= body.size(); cut += 7) {
    Fed f;
    feed(f, body, {cut});
    EXPECT_EQ(f.sink.text(), "abc") << cut;
    EXPECT_EQ(f.stream.stats().malformed_lines, 2u) << cut;
    EXPECT_TRUE(f.stream.done());
  }
}

TEST_F(OllamaChatStreamTest, ErrorLineStopsTheStreamWithServerError) {
  Fed f;
  bool go = f.stream.on_body(chat_line("partial") + R"({"error":"an unknown error was encountered"})" "\n" +
                             chat_line("never"));
  EXPECT_FALSE(go);
  ASSERT_TRUE(f.stream.error());
  EXPECT_EQ(f.stream.error()->kind, BackendError::Kind::Server);
  EXPECT_EQ(f.stream.error()->message, "an unknown error was encountered");
  EXPECT_EQ(f.sink.text(), "partial");
}

TEST_F(OllamaChatStreamTest, MissingDoneIsReported) {
  Fed f;
  feed(f, chat_line("a") + chat_line("b"), {});
  EXPECT_EQ(f.sink.text(), "ab");
  EXPECT_FALSE(f.stream.done());
  Fed empty;
  feed(empty, "", {});
  EXPECT_FALSE(empty.stream.done());
}

TEST_F(OllamaChatStreamTest, UnterminatedFinalDoneLineStillCounts) {
  Fed f;
  auto body = chat_line("x") + kDone;
  body.pop_back();
  feed(f, body, {});
  EXPECT_TRUE(f.stream.done());
}

}  // namespace
}  // namespace yollayah::backend
