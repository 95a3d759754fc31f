// The API's request bodies decoded alone (gateway/request_decode.*), without a server: what the
// official clients send, every refusal with the message the API answers, and the edges the fuzz
// target checks (token limits past int, a temperature JSON reads as infinity).
#include "backend/json_write.hpp"
#include "gateway/request_decode.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace yollayah::gateway {
namespace {

using backend::ChatMessage;
using Role = ChatMessage::Role;

constexpr int kIntMax = std::numeric_limits<int>::max();
constexpr int kIntMin = std::numeric_limits<int>::min();

template <class T>
std::string refusal(const Decoded<T>& r) {
  return r ? std::string("(accepted)") : r.error().message;
}

TEST(RequestDecode, ReadsTheChatTheOllamaClientSends) {
  // Captured from ollama-js 0.6.4 (tests/npm's version).
  const auto call = decode_ollama_chat(
      R"({"model":"llama3.2:1b","messages":[{"role":"system","content":"Be brief."},)"
      R"({"role":"user","content":"Why? \u2728 \"quoted\"\n\ttab"},{"role":"assistant","content":"Rayleigh."},)"
      R"({"role":"tool","content":"42"}],"stream":true,"options":{"temperature":0.7,"num_predict":128,"top_p":0.9},)"
      R"("keep_alive":"5m"})");
  ASSERT_TRUE(call) << refusal(call);
  const auto& req = call->request;
  EXPECT_EQ(req.model, "llama3.2:1b");
  ASSERT_EQ(req.messages.size(), 4u);
  EXPECT_EQ(req.messages[0].role, Role::System);
  EXPECT_EQ(req.messages[1].content, "Why? \xE2\x9C\xA8 \"quoted\"\n\ttab");
  EXPECT_EQ(req.messages[2].role, Role::Assistant);
  EXPECT_EQ(req.messages[3].role, Role::User);  // a tool result is context the model reads
  EXPECT_EQ(req.temperature, 0.7);
  EXPECT_EQ(req.num_predict, 128);
  EXPECT_TRUE(call->stream);
}

TEST(RequestDecode, OllamaStreamsUnlessToldNotTo) {
  EXPECT_TRUE(decode_ollama_chat(R"({"model":"m"})")->stream);
  EXPECT_FALSE(decode_ollama_chat(R"({"model":"m","stream":false})")->stream);
  EXPECT_FALSE(decode_ollama_generate(R"({"model":"m","prompt":"hi","stream":false})")->stream);
}

TEST(RequestDecode, AStreamThatIsNotABooleanIsRefusedByBothApis) {
  // Both APIs refuse it (400); read as true by one route and false by the other, it was neither.
  const std::string chat = R"("model":"m","messages":[{"role":"user","content":"hi"}])";
  for (const char* stream : {R"("yes")", "1", "[]", R"({"on":true})"}) {
    SCOPED_TRACE(stream);
    const std::string body = "{" + chat + R"(,"stream":)" + stream + "}";
    EXPECT_EQ(refusal(decode_ollama_chat(body)), "stream must be true or false");
    EXPECT_EQ(refusal(decode_ollama_generate(R"({"model":"m","prompt":"hi","stream":)" + std::string(stream) + "}")),
              "stream must be true or false");
    EXPECT_EQ(refusal(decode_openai_chat(body)), "stream must be true or false");
  }
  // null is the default, as both APIs read it.
  const auto null_ollama = decode_ollama_chat("{" + chat + R"(,"stream":null})");
  ASSERT_TRUE(null_ollama) << refusal(null_ollama);
  EXPECT_TRUE(null_ollama->stream);
  const auto null_openai = decode_openai_chat("{" + chat + R"(,"stream":null})");
  ASSERT_TRUE(null_openai) << refusal(null_openai);
  EXPECT_FALSE(null_openai->stream);
}

// Fields of the wrong type are refused, as Ollama and OpenAI refuse them (400), instead of being
// ignored: "prompt": 5 answered as if no prompt were given, "options": "x" as no options.
TEST(RequestDecode, FieldsOfTheWrongTypeAreRefusedNotIgnored) {
  EXPECT_EQ(refusal(decode_ollama_generate(R"({"model":"m","prompt":5})")), "prompt must be a string");
  EXPECT_EQ(refusal(decode_ollama_generate(R"({"model":"m","prompt":"hi","system":["x"]})")), "system must be a string");
  EXPECT_EQ(refusal(decode_ollama_chat(R"({"model":"m","messages":[{"role":"user","content":7}]})")),
            "content must be a string");
  EXPECT_EQ(refusal(decode_ollama_chat(R"({"model":"m","options":"x"})")), "options must be an object");
  EXPECT_EQ(refusal(decode_ollama_chat(R"({"model":"m","options":{"temperature":"hot"}})")),
            "temperature must be a number");
  EXPECT_EQ(refusal(decode_ollama_chat(R"({"model":"m","options":{"num_predict":"10"}})")),
            "num_predict must be an integer");
  const std::string chat = R"("model":"m","messages":[{"role":"user","content":"hi"}])";
  EXPECT_EQ(refusal(decode_openai_chat("{" + chat + R"(,"temperature":"hot"})")), "temperature must be a number");
  EXPECT_EQ(refusal(decode_openai_chat("{" + chat + R"(,"max_tokens":1.5})")), "max_tokens must be an integer");
  EXPECT_EQ(refusal(decode_openai_chat("{" + chat + R"(,"n":2})")),
            "n must be 1: this gateway makes one choice per request");
  // null is absent, and n = 1 is what it always was.
  const auto ok = decode_openai_chat("{" + chat + R"(,"n":1,"temperature":null,"max_tokens":null})");
  ASSERT_TRUE(ok) << refusal(ok);
  EXPECT_FALSE(ok->request.temperature.has_value());
  const auto generate = decode_ollama_generate(R"({"model":"m","prompt":"hi","system":null,"options":null})");
  ASSERT_TRUE(generate) << refusal(generate);
  EXPECT_EQ(generate->request.messages.size(), 1u);
}

TEST(RequestDecode, AnOllamaChatWithoutMessagesIsAcceptedEmptyForTheModelLoad) {
  const auto call = decode_ollama_chat(R"({"model":"m","messages":[]})");
  ASSERT_TRUE(call) << refusal(call);
  EXPECT_TRUE(call->request.messages.empty());
}

TEST(RequestDecode, OllamaGenerateMakesSystemAndPromptMessagesAndSkipsEmptyOnes) {
  const auto both = decode_ollama_generate(R"({"model":"m","prompt":"Write","system":"Poet.","options":{"num_predict":-1}})");
  ASSERT_TRUE(both) << refusal(both);
  ASSERT_EQ(both->request.messages.size(), 2u);
  EXPECT_EQ(both->request.messages[0].role, Role::System);
  EXPECT_EQ(both->request.messages[0].content, "Poet.");
  EXPECT_EQ(both->request.messages[1].role, Role::User);
  EXPECT_EQ(both->request.messages[1].content, "Write");
  EXPECT_EQ(both->request.num_predict, -1);
  const auto neither = decode_ollama_generate(R"({"model":"m","prompt":"","system":null})");
  ASSERT_TRUE(neither) << refusal(neither);
  EXPECT_TRUE(neither->request.messages.empty());
}

TEST(RequestDecode, OllamaRefusalsCarryTheMessageTheApiSends) {
  EXPECT_EQ(refusal(decode_ollama_chat("{not json")).rfind("invalid JSON in the request body: ", 0), 0u);
  EXPECT_EQ(refusal(decode_ollama_chat("[]")), "the request body must be a JSON object");
  EXPECT_EQ(refusal(decode_ollama_chat(R"({"model":""})")), "model is required");
  EXPECT_EQ(refusal(decode_ollama_generate(R"({"prompt":"hi"})")), "model is required");
  EXPECT_EQ(refusal(decode_ollama_chat(R"({"model":"m","messages":{}})")), "messages must be a list");
  EXPECT_EQ(refusal(decode_ollama_chat(R"({"model":"m","messages":["hi"]})")), "each message must be an object");
  EXPECT_EQ(refusal(decode_ollama_chat(R"({"model":"m","messages":[{"content":"hi"}]})")),
            "a message has an unknown role (system, user, assistant)");
}

TEST(RequestDecode, OllamaShowTakesTheModelOrTheOlderName) {
  EXPECT_EQ(*decode_ollama_show(R"({"model":"a"})"), "a");
  EXPECT_EQ(*decode_ollama_show(R"({"name":"b"})"), "b");
  EXPECT_EQ(*decode_ollama_show(R"({"model":"","name":"c"})"), "c");
  EXPECT_EQ(refusal(decode_ollama_show(R"({"model":1})")), "model is required");
  EXPECT_EQ(refusal(decode_ollama_show("")).rfind("invalid JSON", 0), 0u);
}

TEST(RequestDecode, ReadsTheChatTheOpenAiClientSends) {
  // Shaped as openai-node 6.9 sends it: parts, a developer message, usage asked for.
  const auto call = decode_openai_chat(
      R"({"model":"m","messages":[{"role":"developer","content":"Be brief."},{"role":"user","content":)"
      R"([{"type":"text","text":"Part one. "},{"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":"Two"}]},)"
      R"({"role":"assistant","content":null,"tool_calls":[]},{"role":"tool","tool_call_id":"c1","content":"r"}],)"
      R"("stream":true,"stream_options":{"include_usage":true},"temperature":1.5,"max_tokens":64,"max_completion_tokens":32})");
  ASSERT_TRUE(call) << refusal(call);
  const auto& req = call->request;
  ASSERT_EQ(req.messages.size(), 4u);
  EXPECT_EQ(req.messages[0].role, Role::System);
  EXPECT_EQ(req.messages[1].content, "Part one. Two");
  EXPECT_EQ(req.messages[2].role, Role::Assistant);
  EXPECT_EQ(req.messages[2].content, "");
  EXPECT_EQ(req.messages[3].role, Role::User);
  EXPECT_EQ(req.temperature, 1.5);
  EXPECT_EQ(req.num_predict, 32);  // max_completion_tokens, the newer name, wins
  EXPECT_TRUE(call->stream);
  EXPECT_TRUE(call->include_usage);
  const auto plain = decode_openai_chat(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})");
  ASSERT_TRUE(plain) << refusal(plain);
  EXPECT_FALSE(plain->stream);  // OpenAI streams only when asked
  EXPECT_FALSE(plain->include_usage);
}

TEST(RequestDecode, OpenAiRefusalsCarryTheMessageTheApiSends) {
  EXPECT_EQ(refusal(decode_openai_chat(R"({"messages":[]})")), "you must provide a model parameter");
  EXPECT_EQ(refusal(decode_openai_chat(R"({"model":"m","messages":[]})")), "messages must be a non-empty list");
  EXPECT_EQ(refusal(decode_openai_chat(R"({"model":"m"})")), "messages must be a non-empty list");
  EXPECT_EQ(refusal(decode_openai_chat(R"({"model":"m","messages":[1]})")), "each message must be an object");
  EXPECT_EQ(refusal(decode_openai_chat(R"({"model":"m","messages":[{"role":"wizard"}]})")), "a message has an unknown role");
  EXPECT_EQ(refusal(decode_openai_chat(R"({"model":"m","messages":[{"role":"user","content":5}]})")),
            "a message's content must be a string or a list of parts");
  EXPECT_EQ(refusal(decode_openai_chat(R"({"model":"m","messages":[{"role":"user","content":[1]}]})")),
            "a message's content must be a string or a list of parts");
}

TEST(RequestDecode, TokenLimitsPastIntSaturateInsteadOfWrapping) {
  // 2^32 used to become 0 (no tokens at all) and 2^31 a negative limit.
  EXPECT_EQ(decode_ollama_chat(R"({"model":"m","options":{"num_predict":4294967296}})")->request.num_predict, kIntMax);
  EXPECT_EQ(decode_ollama_chat(R"({"model":"m","options":{"num_predict":2147483648}})")->request.num_predict, kIntMax);
  EXPECT_EQ(decode_ollama_chat(R"({"model":"m","options":{"num_predict":18446744073709551615}})")->request.num_predict,
            kIntMax);
  EXPECT_EQ(decode_ollama_chat(R"({"model":"m","options":{"num_predict":-9999999999}})")->request.num_predict, kIntMin);
  // Ollama truncates a fraction, as its options decoder does.
  EXPECT_EQ(decode_ollama_chat(R"({"model":"m","options":{"num_predict":12.5}})")->request.num_predict, 12);
  EXPECT_EQ(decode_ollama_chat(R"({"model":"m","options":{"num_predict":1e300}})")->request.num_predict, kIntMax);
  const auto openai = decode_openai_chat(R"({"model":"m","messages":[{"role":"user"}],"max_tokens":99999999999})");
  ASSERT_TRUE(openai) << refusal(openai);
  EXPECT_EQ(openai->request.num_predict, kIntMax);
}

TEST(RequestDecode, ATemperatureJsonReadsAsInfinityIsRefused) {
  // Boost.JSON reads 1e400 as infinity and 0e309 as NaN; the backends' JSON has neither, so the
  // body writer would send them `inf` (invalid JSON).
  EXPECT_EQ(refusal(decode_ollama_chat(R"({"model":"m","options":{"temperature":1e400}})")),
            "temperature must be a finite number");
  EXPECT_EQ(refusal(decode_ollama_generate(R"({"model":"m","options":{"temperature":0e309}})")),
            "temperature must be a finite number");
  EXPECT_EQ(refusal(decode_openai_chat(R"({"model":"m","messages":[{"role":"user"}],"temperature":-1e999})")),
            "temperature must be a finite number");
  EXPECT_EQ(decode_ollama_chat(R"({"model":"m","options":{"temperature":1e-400}})")->request.temperature, 0.0);
}

TEST(RequestDecode, ADecodedRequestRoundTripsThroughTheBackendsBodyWriters) {
  const auto call = decode_openai_chat(
      R"({"model":"m\u00e9","messages":[{"role":"system","content":"s\u0000\u001f\\"},{"role":"user","content":"\ud83d\ude00"}],)"
      R"("temperature":0.1,"max_tokens":-5})");
  ASSERT_TRUE(call) << refusal(call);
  const auto& req = call->request;
  for (const auto& again : {decode_ollama_chat(backend::ollama_chat_body(req)),
                            decode_openai_chat(backend::openai_chat_body(req, false))}) {
    ASSERT_TRUE(again) << refusal(again);
    EXPECT_EQ(again->request.model, req.model);
    ASSERT_EQ(again->request.messages.size(), req.messages.size());
    for (std::size_t i = 0; i < req.messages.size(); ++i) {
      EXPECT_EQ(again->request.messages[i].role, req.messages[i].role);
      EXPECT_EQ(again->request.messages[i].content, req.messages[i].content);
    }
    EXPECT_EQ(again->request.temperature, 0.1);
    EXPECT_EQ(again->request.num_predict, -5);
  }
}

}  // namespace
}  // namespace yollayah::gateway
