// The Ollama- and OpenAI-compatible API of the gateway against ollama-sim, through the router.
#include "gateway/gateway_fixture.hpp"

namespace yollayah::test {
namespace {

const std::string kChat = R"({"model":"sim","messages":[{"role":"user","content":"hi"}]})";

TEST(GatewayApi, OllamaChatStreamsNdjsonLinesEndingWithDoneAndStats) {
  GatewayUnderTest g;
  HttpClient c(g.port());
  auto r = c.request(http::verb::post, "/api/chat", kChat);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/x-ndjson");
  auto lines = ndjson(r.body);
  ASSERT_GE(lines.size(), 2u);
  std::string text;
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    EXPECT_FALSE(lines[i].at("done").as_bool());
    EXPECT_EQ(lines[i].at("message").at("role").as_string(), "assistant");
    text += lines[i].at("message").at("content").as_string();
  }
  const auto& last = lines.back();
  EXPECT_TRUE(last.at("done").as_bool());
  EXPECT_EQ(last.at("done_reason").as_string(), "stop");
  EXPECT_EQ(last.at("eval_count").as_int64(), 8);
  EXPECT_EQ(last.at("model").as_string(), "sim");
  EXPECT_FALSE(text.empty());
}

// Ollama's clients load a model by sending no messages (no prompt): the answer is one body with
// done: true and done_reason "load", and nothing goes to the backend.
TEST(GatewayApi, AnOllamaRequestWithNothingToSayIsAModelLoadAnsweredAtOnce) {
  GatewayUnderTest g;
  HttpClient c(g.port());
  for (const auto& [path, request] : {std::pair<std::string, std::string>{"/api/chat", R"({"model":"sim","messages":[]})"},
                                     {"/api/generate", R"({"model":"sim"})"}}) {
    auto r = c.request(http::verb::post, path, request);
    ASSERT_EQ(r.status, 200u) << path << ": " << r.body;
    const auto v = boost::json::parse(r.body).as_object();
    EXPECT_TRUE(v.at("done").as_bool()) << path;
    EXPECT_EQ(v.at("done_reason").as_string(), "load") << path;
    EXPECT_EQ(v.at("model").as_string(), "sim") << path;
  }
}

TEST(GatewayApi, OllamaGenerateWithoutStreamAnswersOneBody) {
  GatewayUnderTest g;
  HttpClient c(g.port());
  auto r = c.request(http::verb::post, "/api/generate", R"({"model":"sim","prompt":"hi","stream":false})");
  ASSERT_EQ(r.status, 200u) << r.body;
  auto v = r.json();
  EXPECT_TRUE(v.at("done").as_bool());
  EXPECT_FALSE(v.at("response").as_string().empty());
  EXPECT_EQ(v.at("eval_count").as_int64(), 8);
}

TEST(GatewayApi, OllamaGenerateStreamsResponsePieces) {
  GatewayUnderTest g;
  HttpClient c(g.port());
  auto r = c.request(http::verb::post, "/api/generate", R"({"model":"sim","prompt":"hi"})");
  ASSERT_EQ(r.status, 200u);
  auto lines = ndjson(r.body);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_TRUE(lines.front().as_object().contains("response"));
  EXPECT_TRUE(lines.back().at("done").as_bool());
}

TEST(GatewayApi, OllamaTagsShowVersionAndPsAnswerInOllamasShapes) {
  GatewayUnderTest g;
  HttpClient c(g.port());
  auto tags = c.request(http::verb::get, "/api/tags");
  ASSERT_EQ(tags.status, 200u);
  EXPECT_FALSE(tags.json().at("models").as_array().empty());
  EXPECT_TRUE(tags.json().at("models").at(0).as_object().contains("name"));
  auto show = c.request(http::verb::post, "/api/show", R"({"model":"llama3.2:3b"})");
  ASSERT_EQ(show.status, 200u) << show.body;
  EXPECT_TRUE(show.json().as_object().contains("details"));
  auto version = c.request(http::verb::get, "/api/version");
  ASSERT_EQ(version.status, 200u);
  EXPECT_FALSE(version.json().at("version").as_string().empty());
  auto ps = c.request(http::verb::get, "/api/ps");
  ASSERT_EQ(ps.status, 200u);
  EXPECT_TRUE(ps.json().at("models").is_array());
}

TEST(GatewayApi, OpenAiStreamsSseChunksWithUsageThenDone) {
  GatewayUnderTest g;
  HttpClient c(g.port());
  auto r = c.request(http::verb::post, "/v1/chat/completions",
                     R"({"model":"sim","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "text/event-stream");
  auto events = sse_data(r.body);
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(events.back(), "[DONE]");
  auto first = boost::json::parse(events.front());
  EXPECT_EQ(first.at("object").as_string(), "chat.completion.chunk");
  EXPECT_EQ(first.at("choices").at(0).at("delta").at("role").as_string(), "assistant");
  auto finish = boost::json::parse(events[events.size() - 3]);
  EXPECT_EQ(finish.at("choices").at(0).at("finish_reason").as_string(), "stop");
  auto usage = boost::json::parse(events[events.size() - 2]);
  EXPECT_EQ(usage.at("usage").at("completion_tokens").as_int64(), 8);
  EXPECT_TRUE(usage.at("choices").as_array().empty());
}

TEST(GatewayApi, OpenAiWithoutStreamAnswersOneCompletionWithUsage) {
  GatewayUnderTest g;
  HttpClient c(g.port());
  auto r = c.request(http::verb::post, "/v1/chat/completions",
                     R"({"model":"sim","messages":[{"role":"system","content":"be brief"},{"role":"user","content":[{"type":"text","text":"hi"}]}],"max_tokens":50})");
  ASSERT_EQ(r.status, 200u) << r.body;
  auto v = r.json();
  EXPECT_EQ(v.at("object").as_string(), "chat.completion");
  EXPECT_FALSE(v.at("choices").at(0).at("message").at("content").as_string().empty());
  EXPECT_EQ(v.at("choices").at(0).at("finish_reason").as_string(), "stop");
  EXPECT_EQ(v.at("usage").at("completion_tokens").as_int64(), 8);
}

TEST(GatewayApi, OpenAiModelsListsTheBackendsModels) {
  GatewayUnderTest g;
  HttpClient c(g.port());
  auto r = c.request(http::verb::get, "/v1/models");
  ASSERT_EQ(r.status, 200u);
  auto v = r.json();
  EXPECT_EQ(v.at("object").as_string(), "list");
  ASSERT_FALSE(v.at("data").as_array().empty());
  EXPECT_EQ(v.at("data").at(0).at("object").as_string(), "model");
}

TEST(GatewayApi, AnUnknownModelIsA404InEachApisOwnShape) {
  GatewayUnderTest g({"--tokens", "4", "--models", "llama3.2:3b"});
  HttpClient c(g.port());
  auto o = c.request(http::verb::post, "/api/chat", R"({"model":"nope","messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(o.status, 404u) << o.body;
  EXPECT_TRUE(o.json().at("error").is_string());
  auto a = c.request(http::verb::post, "/v1/chat/completions",
                     R"({"model":"nope","stream":true,"messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(a.status, 404u) << a.body;
  EXPECT_TRUE(a.json().at("error").at("message").is_string());
  EXPECT_EQ(a.json().at("error").at("type").as_string(), "invalid_request_error");
}

TEST(GatewayApi, BadJsonAndMissingFieldsAre400sThatKeepTheConnection) {
  GatewayUnderTest g;
  HttpClient c(g.port());
  auto bad = c.request(http::verb::post, "/api/chat", "{not json");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_NE(bad.json().at("error").as_string().find("invalid JSON"), std::string::npos);
  auto no_model = c.request(http::verb::post, "/v1/chat/completions", R"({"messages":[]})");
  EXPECT_EQ(no_model.status, 400u);
  EXPECT_TRUE(no_model.json().at("error").at("message").is_string());
  auto ok = c.request(http::verb::get, "/api/version");  // same connection, still served
  EXPECT_EQ(ok.status, 200u);
}

TEST(GatewayApi, UnknownRoutesAndWrongMethodsGetJsonErrorsNotHtml) {
  GatewayUnderTest g;
  HttpClient c(g.port());
  auto r = c.request(http::verb::get, "/api/nothing");
  EXPECT_EQ(r.status, 404u);
  EXPECT_TRUE(r.json().at("error").is_string());
  auto m = c.request(http::verb::get, "/v1/chat/completions");
  EXPECT_EQ(m.status, 405u);
  EXPECT_TRUE(m.json().at("error").at("message").is_string());
}

TEST(GatewayApi, ABackendThatBreaksMidStreamEndsTheStreamWithAnErrorLine) {
  GatewayUnderTest g({"--tokens", "20", "--fail-after", "3"});
  HttpClient c(g.port());
  auto r = c.request(http::verb::post, "/api/chat", kChat);
  ASSERT_EQ(r.status, 200u);
  auto lines = ndjson(r.body);
  ASSERT_FALSE(lines.empty());
  EXPECT_TRUE(lines.back().as_object().contains("error")) << r.body;
  HttpClient c2(g.port());
  auto s = c2.request(http::verb::post, "/v1/chat/completions",
                      R"({"model":"sim","stream":true,"messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(s.status, 200u);
  auto events = sse_data(s.body);
  ASSERT_FALSE(events.empty());
  EXPECT_TRUE(boost::json::parse(events.back()).as_object().contains("error")) << s.body;
}

TEST(GatewayApi, AnAnswerLongerThanTheLimitIsCutWithDoneReasonLength) {
  auto options = test_options();
  options.max_answer_bytes = 10;
  GatewayUnderTest g({"--tokens", "40"}, options);
  HttpClient c(g.port());
  auto r = c.request(http::verb::post, "/api/chat", R"({"model":"sim","stream":false,"messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json().at("message").at("content").as_string().size(), 10u);
  EXPECT_EQ(r.json().at("done_reason").as_string(), "length");
}

}  // namespace
}  // namespace yollayah::test
