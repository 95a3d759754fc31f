// Which text ollama-sim answers: continuing a final assistant message (so a stream moved to another
// server mid-way reads as one answer), --route scripts picked by the request's messages, and the
// --log-requests file that tells a test which server got what.
#include "sim/sim_fixture.hpp"

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

namespace yollayah::test {
namespace {

class SimScripts : public ::testing::Test {
 protected:
  TempFile script_{kScript};  // "Hello" "," " world" "!"

  static json::array with_prefill(std::string_view prefill) {
    return json::array{message("user", "hi"), message("assistant", prefill)};
  }
};

TEST_F(SimScripts, OllamaChatContinuesAPrefillEndingInsideAToken) {
  SimProcess sim({"--script", script_.path});
  auto a = read_ndjson(post_json(sim.port(), "/api/chat", ollama_chat(with_prefill("Hello, wo"))).body);
  EXPECT_EQ(a.text, "rld!");
  EXPECT_EQ(std::string("Hello, wo") + a.text, kScriptText);
  ASSERT_TRUE(a.done);
  EXPECT_EQ(a.done->at("eval_count").as_int64(), 2);  // "rld", "!"
  EXPECT_EQ(a.done->at("done_reason").as_string(), "stop");
}

TEST_F(SimScripts, OpenAiStreamContinuesAPrefillAtATokenBoundary) {
  SimProcess sim({"--script", script_.path});
  auto body = openai_chat(with_prefill("Hello,"));
  body["stream_options"] = json::object{{"include_usage", true}};
  auto a = read_sse(post_json(sim.port(), "/v1/chat/completions", body).body);
  EXPECT_EQ(a.text, " world!");
  EXPECT_EQ(a.usage->at("completion_tokens").as_int64(), 2);
  EXPECT_EQ(a.finish_reason, "stop");
}

TEST_F(SimScripts, OpenAiWholeAnswerContinuesAPrefill) {
  SimProcess sim({"--script", script_.path});
  auto v = post_json(sim.port(), "/v1/chat/completions", openai_chat(with_prefill("Hel"), false)).json();
  EXPECT_EQ(v.at("choices").at(0).at("message").at("content").as_string(), "lo, world!");
}

TEST_F(SimScripts, APrefillTheAnswerDoesNotStartWithGetsTheWholeAnswer) {
  SimProcess sim({"--script", script_.path});
  auto a = read_ndjson(post_json(sim.port(), "/api/chat", ollama_chat(with_prefill("Goodbye"))).body);
  EXPECT_EQ(a.text, kScriptText);
  auto longer = read_sse(post_json(sim.port(), "/v1/chat/completions",
                                   openai_chat(with_prefill("Hello, world! And more"))).body);
  EXPECT_EQ(longer.text, kScriptText);
}

TEST_F(SimScripts, APrefillOfTheWholeAnswerLeavesNothingToSend) {
  SimProcess sim({"--script", script_.path});
  auto a = read_ndjson(post_json(sim.port(), "/api/chat", ollama_chat(with_prefill(kScriptText))).body);
  EXPECT_EQ(a.text, "");
  ASSERT_TRUE(a.done);
  EXPECT_EQ(a.done->at("eval_count").as_int64(), 0);
  EXPECT_EQ(a.done->at("done_reason").as_string(), "stop");
}

TEST_F(SimScripts, MaxTokensCountsOnlyWhatTheContinuationSends) {
  SimProcess sim({"--script", script_.path});
  auto body = openai_chat(with_prefill("Hello"));
  body["max_tokens"] = 2;
  auto a = read_sse(post_json(sim.port(), "/v1/chat/completions", body).body);
  EXPECT_EQ(a.text, ", world");
  EXPECT_EQ(a.finish_reason, "length");
}

TEST_F(SimScripts, AnAssistantMessageBeforeTheLastIsNotAPrefill) {
  SimProcess sim({"--script", script_.path});
  json::array messages{message("user", "hi"), message("assistant", "Hello"), message("user", "again")};
  EXPECT_EQ(read_ndjson(post_json(sim.port(), "/api/chat", ollama_chat(messages)).body).text, kScriptText);
}

TEST_F(SimScripts, ContinuationWorksWithGeneratedWords) {
  SimProcess sim({"--seed", "7", "--tokens", "30"});
  auto whole = read_ndjson(post_json(sim.port(), "/api/chat", ollama_chat(hello())).body).text;
  ASSERT_GT(whole.size(), 20u);
  const std::string prefill = whole.substr(0, whole.size() / 2 + 1);
  auto rest = read_ndjson(post_json(sim.port(), "/api/chat", ollama_chat(with_prefill(prefill))).body).text;
  EXPECT_EQ(prefill + rest, whole);
}

// ---- --route ----

class SimRoutes : public SimScripts {
 protected:
  TempFile weather_{"Sunny\n all\n day\n"};
  TempFile poem_{"Roses\n are\n red\n"};

  std::vector<std::string> args() const {
    return {"--script", script_.path, "--route", "weather=" + weather_.path, "--route", "poem=" + poem_.path};
  }
};

TEST_F(SimRoutes, PicksTheScriptWhosePatternAppearsInAnyMessage) {
  SimProcess sim(args());
  auto ollama = [&](json::array m) { return read_ndjson(post_json(sim.port(), "/api/chat", ollama_chat(m)).body).text; };
  EXPECT_EQ(ollama({message("user", "what is the weather like?")}), "Sunny all day");
  EXPECT_EQ(ollama({message("system", "You write a poem."), message("user", "go")}), "Roses are red");
  EXPECT_EQ(ollama({message("user", "hi"), message("assistant", "shall I write a poem?"), message("user", "yes")}),
            "Roses are red");
  EXPECT_EQ(ollama({message("user", "hi")}), kScriptText);
}

TEST_F(SimRoutes, TheFirstMatchingRouteWins) {
  SimProcess sim(args());
  auto text = read_ndjson(post_json(sim.port(), "/api/chat",
                                    ollama_chat({message("user", "a poem about the weather")})).body).text;
  EXPECT_EQ(text, "Sunny all day");
}

TEST_F(SimRoutes, ApplyToTheOpenAiApiAndToGenerate) {
  SimProcess sim(args());
  auto a = read_sse(post_json(sim.port(), "/v1/chat/completions",
                              openai_chat({message("user", "weather please")})).body);
  EXPECT_EQ(a.text, "Sunny all day");
  auto g = post_json(sim.port(), "/api/generate", json::object{{"model", "m"}, {"prompt", "a poem"}, {"stream", false}});
  EXPECT_EQ(g.json().at("response").as_string(), "Roses are red");
}

TEST_F(SimRoutes, ALastRouteLooksOnlyAtTheLastMessage) {
  SimProcess sim({"--script", script_.path, "--route", "last:weather=" + weather_.path});
  auto ollama = [&](json::array m) { return read_ndjson(post_json(sim.port(), "/api/chat", ollama_chat(m)).body).text; };
  EXPECT_EQ(ollama({message("user", "what is the weather like?")}), "Sunny all day");
  EXPECT_EQ(ollama({message("user", "what is the weather like?"), message("assistant", "Sunny."), message("user", "thanks")}),
            kScriptText);
  EXPECT_EQ(ollama({message("system", "weather expert"), message("user", "hi")}), kScriptText);
}

TEST_F(SimRoutes, ABadRouteStopsTheSimAtStartUp) {
  EXPECT_THROW(SimProcess({"--route", "no-equals-sign"}), std::runtime_error);
  EXPECT_THROW(SimProcess({"--route", "x=/no/such/file"}), std::runtime_error);
  EXPECT_THROW(SimProcess({"--route", "last:=" + TempFile("x\n").path}), std::runtime_error);
}

// ---- --log-requests ----

TEST_F(SimScripts, RequestLogHasOneLinePerRequestAndNoHeaderValues) {
  TempFile log;
  {
    SimProcess sim({"--script", script_.path, "--log-requests", log.path});
    post_json(sim.port(), "/v1/chat/completions", openai_chat(hello()), bearer("sk-abc"));
    get(sim.port(), "/api/tags?verbose=1");
    post_json(sim.port(), "/api/chat", ollama_chat(hello()));
  }
  EXPECT_EQ(log.read(), "POST /v1/chat/completions auth=yes\nGET /api/tags auth=no\nPOST /api/chat auth=no\n");
}

TEST_F(SimScripts, RequestLogIsWrittenWhileTheSimRuns) {
  TempFile log;
  SimProcess sim({"--log-requests", log.path});
  get(sim.port(), "/api/version");
  std::string text;
  for (int i = 0; i < 200 && text.empty(); ++i) {  // its writer thread appends soon after
    text = log.read();
    if (text.empty()) std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(text, "GET /api/version auth=no\n");
}

// --stamp-tokens (the relay benchmarks' clock): each token's text is the steady clock when it
// was written, in ns, then a space; the count and the end are those of the answer it replaces.
TEST_F(SimScripts, StampedTokensCarryTheSteadyClockInsteadOfTheirText) {
  SimProcess sim({"--script", script_.path, "--stamp-tokens"});
  const auto before = std::chrono::steady_clock::now().time_since_epoch();
  auto a = read_ndjson(post_json(sim.port(), "/api/chat", ollama_chat(hello())).body);
  const auto after = std::chrono::steady_clock::now().time_since_epoch();
  ASSERT_TRUE(a.done);
  EXPECT_EQ(a.done->at("eval_count").as_int64(), 4);
  std::vector<std::int64_t> stamps;
  std::size_t pos = 0;
  while (pos < a.text.size()) {
    const auto space = a.text.find(' ', pos);
    ASSERT_NE(space, std::string::npos) << a.text;
    stamps.push_back(std::stoll(a.text.substr(pos, space - pos)));
    pos = space + 1;
  }
  ASSERT_EQ(stamps.size(), 4u) << a.text;
  EXPECT_GE(stamps.front(), std::chrono::duration_cast<std::chrono::nanoseconds>(before).count());
  EXPECT_LE(stamps.back(), std::chrono::duration_cast<std::chrono::nanoseconds>(after).count());
  EXPECT_TRUE(std::is_sorted(stamps.begin(), stamps.end()));
}

}  // namespace
}  // namespace yollayah::test
