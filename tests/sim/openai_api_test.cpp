// ollama-sim's OpenAI-compatible API (/v1), against a real ollama-sim process.
#include "sim/sim_fixture.hpp"

namespace yollayah::test {
namespace {

class SimOpenAiApi : public ::testing::Test {
 protected:
  TempFile script_{kScript};
};

TEST_F(SimOpenAiApi, StreamSendsChunksShapedLikeOllamasAndCarriesTheScript) {
  SimProcess sim({"--script", script_.path});
  auto r = post_json(sim.port(), "/v1/chat/completions", openai_chat(hello()));
  ASSERT_EQ(r.status, 200);
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.header("content-type"), "text/event-stream");
  auto a = read_sse(r.body);
  EXPECT_EQ(a.text, kScriptText);
  EXPECT_EQ(a.content_chunks, 4u);
  ASSERT_GE(a.chunks.size(), 5u);  // four tokens and the finish_reason chunk
  const auto id = a.chunks.front().at("id").as_string();
  EXPECT_TRUE(id.starts_with("chatcmpl-")) << id;
  for (const auto& c : a.chunks) {
    EXPECT_EQ(c.at("id").as_string(), id);
    EXPECT_EQ(c.at("object").as_string(), "chat.completion.chunk");
    EXPECT_EQ(c.at("model").as_string(), "m");
    EXPECT_EQ(c.at("system_fingerprint").as_string(), "fp_ollama");
    EXPECT_TRUE(c.at("created").is_int64());
    ASSERT_EQ(c.at("choices").as_array().size(), 1u);
    EXPECT_EQ(c.at("choices").at(0).at("index").as_int64(), 0);
  }
  const auto& first = a.chunks.front().at("choices").at(0).as_object();
  EXPECT_EQ(first.at("delta").at("role").as_string(), "assistant");
  EXPECT_EQ(first.at("delta").at("content").as_string(), "Hello");
  EXPECT_TRUE(first.at("finish_reason").is_null());
  EXPECT_EQ(a.chunks.back().at("choices").at(0).at("finish_reason").as_string(), "stop");
  EXPECT_EQ(a.finish_reason, "stop");
  EXPECT_FALSE(a.usage) << "usage only when stream_options.include_usage asks for it";
  EXPECT_TRUE(a.done_marker_last);
  EXPECT_TRUE(r.body.ends_with("data: [DONE]\n\n"));
}

TEST_F(SimOpenAiApi, IncludeUsageAddsAChunkWithNoChoicesBeforeDone) {
  SimProcess sim({"--script", script_.path});
  auto body = openai_chat(hello());
  body["stream_options"] = json::object{{"include_usage", true}};
  auto r = post_json(sim.port(), "/v1/chat/completions", body);
  ASSERT_EQ(r.status, 200);
  auto a = read_sse(r.body);
  ASSERT_TRUE(a.usage);
  const auto& last = a.chunks.back();
  EXPECT_TRUE(last.at("choices").as_array().empty());
  EXPECT_EQ(last.at("object").as_string(), "chat.completion.chunk");
  EXPECT_EQ(a.usage->at("completion_tokens").as_int64(), 4);
  EXPECT_GT(a.usage->at("prompt_tokens").as_int64(), 0);
  EXPECT_EQ(a.usage->at("total_tokens").as_int64(),
            a.usage->at("prompt_tokens").as_int64() + a.usage->at("completion_tokens").as_int64());
  // finish_reason comes in the chunk before the usage chunk, [DONE] after it.
  EXPECT_EQ(a.chunks[a.chunks.size() - 2].at("choices").at(0).at("finish_reason").as_string(), "stop");
  EXPECT_TRUE(a.done_marker_last);
  EXPECT_EQ(a.text, kScriptText);
}

TEST_F(SimOpenAiApi, MaxTokensCutsTheStreamWithFinishReasonLength) {
  SimProcess sim({"--script", script_.path});
  auto body = openai_chat(hello());
  body["max_tokens"] = 2;
  body["stream_options"] = json::object{{"include_usage", true}};
  auto a = read_sse(post_json(sim.port(), "/v1/chat/completions", body).body);
  EXPECT_EQ(a.text, "Hello,");
  EXPECT_EQ(a.finish_reason, "length");
  ASSERT_TRUE(a.usage);
  EXPECT_EQ(a.usage->at("completion_tokens").as_int64(), 2);
  EXPECT_TRUE(a.done_marker_last);
}

TEST_F(SimOpenAiApi, MaxCompletionTokensIsHonouredToo) {
  SimProcess sim({"--script", script_.path});
  auto body = openai_chat(hello());
  body["max_completion_tokens"] = 3;
  auto a = read_sse(post_json(sim.port(), "/v1/chat/completions", body).body);
  EXPECT_EQ(a.text, "Hello, world");
  EXPECT_EQ(a.finish_reason, "length");
}

TEST_F(SimOpenAiApi, WithoutStreamAnswersOneChatCompletionObject) {
  SimProcess sim({"--script", script_.path});
  auto r = post_json(sim.port(), "/v1/chat/completions", openai_chat(hello(), false));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8");
  auto v = r.json().as_object();
  EXPECT_TRUE(v.at("id").as_string().starts_with("chatcmpl-"));
  EXPECT_EQ(v.at("object").as_string(), "chat.completion");
  EXPECT_EQ(v.at("model").as_string(), "m");
  EXPECT_EQ(v.at("system_fingerprint").as_string(), "fp_ollama");
  const auto& choice = v.at("choices").at(0).as_object();
  EXPECT_EQ(choice.at("message").at("role").as_string(), "assistant");
  EXPECT_EQ(choice.at("message").at("content").as_string(), kScriptText);
  EXPECT_EQ(choice.at("finish_reason").as_string(), "stop");
  EXPECT_EQ(v.at("usage").at("completion_tokens").as_int64(), 4);
}

TEST_F(SimOpenAiApi, StreamIsOffByDefaultAsInOpenAi) {
  SimProcess sim({"--script", script_.path});
  json::object body{{"model", "m"}, {"messages", hello()}};
  auto r = post_json(sim.port(), "/v1/chat/completions", body);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json().at("object").as_string(), "chat.completion");
}

TEST_F(SimOpenAiApi, WithoutStreamMaxTokensGivesFinishReasonLength) {
  SimProcess sim({"--script", script_.path});
  auto body = openai_chat(hello(), false);
  body["max_tokens"] = 1;
  auto v = post_json(sim.port(), "/v1/chat/completions", body).json();
  EXPECT_EQ(v.at("choices").at(0).at("message").at("content").as_string(), "Hello");
  EXPECT_EQ(v.at("choices").at(0).at("finish_reason").as_string(), "length");
  EXPECT_EQ(v.at("usage").at("completion_tokens").as_int64(), 1);
}

TEST_F(SimOpenAiApi, EachCompletionGetsItsOwnId) {
  SimProcess sim({"--script", script_.path});
  auto a = post_json(sim.port(), "/v1/chat/completions", openai_chat(hello(), false)).json();
  auto b = post_json(sim.port(), "/v1/chat/completions", openai_chat(hello(), false)).json();
  EXPECT_NE(a.at("id").as_string(), b.at("id").as_string());
}

TEST_F(SimOpenAiApi, ContentGivenAsPartsIsRead) {
  TempFile other("Other\n answer\n");
  SimProcess sim({"--script", script_.path, "--route", "parts-marker=" + other.path});
  json::array parts{json::object{{"type", "text"}, {"text", "hello"}},
                    json::object{{"type", "text"}, {"text", "with a parts-marker"}}};
  json::array messages{json::object{{"role", "user"}, {"content", parts}}};
  auto r = post_json(sim.port(), "/v1/chat/completions", openai_chat(messages, false));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json().at("choices").at(0).at("message").at("content").as_string(), "Other answer");
}

TEST_F(SimOpenAiApi, ModelsListsTheSameRegistryAsTags) {
  SimProcess sim({"--models", "alpha,beta:7b,someone/gamma"});
  auto r = get(sim.port(), "/v1/models");
  ASSERT_EQ(r.status, 200);
  auto v = r.json().as_object();
  EXPECT_EQ(v.at("object").as_string(), "list");
  const auto& data = v.at("data").as_array();
  ASSERT_EQ(data.size(), 3u);
  EXPECT_EQ(data[0].at("id").as_string(), "alpha:latest");
  EXPECT_EQ(data[1].at("id").as_string(), "beta:7b");
  EXPECT_EQ(data[2].at("id").as_string(), "someone/gamma:latest");
  for (const auto& m : data) {
    EXPECT_EQ(m.at("object").as_string(), "model");
    EXPECT_TRUE(m.at("created").is_int64());
  }
  EXPECT_EQ(data[0].at("owned_by").as_string(), "library");
  EXPECT_EQ(data[2].at("owned_by").as_string(), "someone");

  auto tags = get(sim.port(), "/api/tags").json();
  ASSERT_EQ(tags.at("models").as_array().size(), 3u);
  EXPECT_EQ(tags.at("models").at(1).at("name").as_string(), "beta:7b");
}

TEST_F(SimOpenAiApi, ModelsGrowWithAPull) {
  SimProcess sim({"--models", "alpha", "--pull-step-ms", "0"});
  ASSERT_EQ(post_json(sim.port(), "/api/pull", json::object{{"model", "delta"}}).status, 200);
  auto data = get(sim.port(), "/v1/models").json().at("data").as_array();
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(data[1].at("id").as_string(), "delta:latest");
}

TEST_F(SimOpenAiApi, OneModelByNameOr404) {
  SimProcess sim({"--models", "alpha"});
  auto found = get(sim.port(), "/v1/models/alpha:latest");
  ASSERT_EQ(found.status, 200);
  EXPECT_EQ(found.json().at("id").as_string(), "alpha:latest");
  auto missing = get(sim.port(), "/v1/models/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.json().at("error").at("type").as_string(), "not_found_error");
}

void expect_openai_error(const HttpResponse& r, int status, std::string_view type) {
  EXPECT_EQ(r.status, status);
  auto v = r.json().as_object();
  ASSERT_TRUE(v.contains("error")) << r.body;
  const auto& e = v.at("error").as_object();
  EXPECT_TRUE(e.at("message").is_string());
  EXPECT_FALSE(e.at("message").as_string().empty());
  EXPECT_EQ(e.at("type").as_string(), type);
  EXPECT_TRUE(e.at("param").is_null());
  EXPECT_TRUE(e.contains("code"));
}

TEST_F(SimOpenAiApi, UnknownModelIs404InOpenAisShape) {
  SimProcess sim({"--models", "alpha"});
  auto r = post_json(sim.port(), "/v1/chat/completions", openai_chat(hello(), true, "zeta"));
  expect_openai_error(r, 404, "not_found_error");
  EXPECT_NE(r.json().at("error").at("message").as_string().find("zeta"), json::string::npos);
  EXPECT_EQ(r.json().at("error").at("code").as_string(), "model_not_found");
}

TEST_F(SimOpenAiApi, BadJsonIs400) {
  SimProcess sim;
  auto r = fetch(sim.port(), "POST", "/v1/chat/completions", "{not json");
  expect_openai_error(r, 400, "invalid_request_error");
  EXPECT_TRUE(r.json().at("error").at("code").is_null());
}

TEST_F(SimOpenAiApi, MissingModelOrMessagesIs400) {
  SimProcess sim;
  expect_openai_error(post_json(sim.port(), "/v1/chat/completions", json::object{{"messages", hello()}}), 400,
                      "invalid_request_error");
  expect_openai_error(post_json(sim.port(), "/v1/chat/completions", json::object{{"model", "m"}}), 400,
                      "invalid_request_error");
  expect_openai_error(
      post_json(sim.port(), "/v1/chat/completions", json::object{{"model", "m"}, {"messages", json::array{}}}), 400,
      "invalid_request_error");
}

TEST_F(SimOpenAiApi, WrongMethodIs405AndUnknownPathIs404) {
  SimProcess sim;
  expect_openai_error(get(sim.port(), "/v1/chat/completions"), 405, "invalid_request_error");
  EXPECT_EQ(get(sim.port(), "/v1/nothing-here").status, 404);
}

TEST_F(SimOpenAiApi, HttpErrorKnobAnswersInOpenAisShape) {
  SimProcess sim({"--http-error", "500"});
  auto r = post_json(sim.port(), "/v1/chat/completions", openai_chat(hello()));
  expect_openai_error(r, 500, "api_error");
  EXPECT_EQ(r.header("retry-after"), "") << "Retry-After only comes with 429 and 503";
  expect_openai_error(get(sim.port(), "/v1/models"), 500, "api_error");
}

TEST_F(SimOpenAiApi, PacingKnobsApply) {
  // Only that a paced stream still arrives whole, with one event per token (no timing asserted).
  SimProcess sim({"--script", script_.path, "--tokens-per-sec", "200", "--ttft-ms", "20"});
  auto a = read_sse(post_json(sim.port(), "/v1/chat/completions", openai_chat(hello())).body);
  EXPECT_EQ(a.text, kScriptText);
  EXPECT_EQ(a.content_chunks, 4u);
  EXPECT_TRUE(a.done_marker_last);
}

TEST_F(SimOpenAiApi, MalformedEveryAppliesToTheSseStream) {
  SimProcess sim({"--script", script_.path, "--malformed-every", "2"});
  auto r = post_json(sim.port(), "/v1/chat/completions", openai_chat(hello()));
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("this line is not json"), std::string::npos);
  EXPECT_THROW(read_sse(r.body), std::exception);
}

// ---- --require-api-key ----

constexpr const char* kKey = "sk-test-0123456789-secret";

TEST_F(SimOpenAiApi, ApiKeyMissingOrWrongIs401WithOpenAisError) {
  SimProcess sim({"--require-api-key", kKey});
  for (const auto& headers : {std::string(), bearer("sk-wrong"), std::string("Authorization: ") + kKey + "\r\n"}) {
    auto r = fetch(sim.port(), "POST", "/v1/chat/completions", json::serialize(openai_chat(hello())), headers);
    EXPECT_EQ(r.status, 401) << headers;
    EXPECT_EQ(r.json(), json::parse(R"({"error":{"message":"Incorrect API key provided","type":"invalid_request_error",)"
                                    R"("param":null,"code":"invalid_api_key"}})"));
    EXPECT_EQ(r.body.find(kKey), std::string::npos);
  }
  EXPECT_EQ(get(sim.port(), "/v1/models").status, 401);
}

TEST_F(SimOpenAiApi, ApiKeyRightIsServedAndOllamasApiNeedsNone) {
  SimProcess sim({"--require-api-key", kKey, "--script", script_.path});
  auto r = fetch(sim.port(), "POST", "/v1/chat/completions", json::serialize(openai_chat(hello())), bearer(kKey));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(read_sse(r.body).text, kScriptText);
  EXPECT_EQ(get(sim.port(), "/v1/models", bearer(kKey)).status, 200);
  EXPECT_EQ(get(sim.port(), "/api/tags").status, 200);
  EXPECT_EQ(read_ndjson(post_json(sim.port(), "/api/chat", ollama_chat(hello())).body).text, kScriptText);
}

TEST_F(SimOpenAiApi, ApiKeyNeverAppearsInTheSimsOutputOrRequestLog) {
  TempFile err, log;
  {
    SimProcess sim({"--require-api-key", kKey, "--verbose", "--log-requests", log.path}, err.path);
    get(sim.port(), "/v1/models", bearer(kKey));
    get(sim.port(), "/v1/models", bearer("sk-wrong-key"));
    get(sim.port(), std::string("/api/tags?key=") + kKey);
  }  // stopped: its log thread has written everything
  auto stderr_text = err.read();
  auto log_text = log.read();
  EXPECT_NE(stderr_text.find("/v1/models"), std::string::npos) << "--verbose logs requests: " << stderr_text;
  EXPECT_EQ(stderr_text.find(kKey), std::string::npos) << stderr_text;
  EXPECT_EQ(stderr_text.find("sk-wrong-key"), std::string::npos) << stderr_text;
  EXPECT_EQ(log_text.find(kKey), std::string::npos) << log_text;
  EXPECT_EQ(log_text, "GET /v1/models auth=yes\nGET /v1/models auth=yes\nGET /api/tags auth=no\n");
}

}  // namespace
}  // namespace yollayah::test
