// ollama-sim's loaded models: GET /api/ps, and --load-ms, a cold model load during which the chat
// sends nothing at all while the other routes answer. The load time is long against the short
// "nothing yet" checks, so a slow machine cannot make them pass or fail by accident.
#include "sim/sim_fixture.hpp"

namespace yollayah::test {
namespace {

class SimModelLoad : public ::testing::Test {
 protected:
  TempFile script_{kScript};
};

TEST_F(SimModelLoad, PsIsEmptyUntilAChatThenListsTheModelInOllamasShape) {
  SimProcess sim({"--script", script_.path});
  auto empty = get(sim.port(), "/api/ps");
  ASSERT_EQ(empty.status, 200);
  EXPECT_TRUE(empty.json().at("models").as_array().empty());

  post_json(sim.port(), "/api/chat", ollama_chat(hello(), true, "llama3.2"));
  auto models = get(sim.port(), "/api/ps").json().at("models").as_array();
  ASSERT_EQ(models.size(), 1u);
  const auto& m = models[0].as_object();
  EXPECT_EQ(m.at("name").as_string(), "llama3.2:latest");
  EXPECT_EQ(m.at("model").as_string(), "llama3.2:latest");
  EXPECT_GT(m.at("size").as_int64(), 0);
  EXPECT_EQ(m.at("size_vram").as_int64(), m.at("size").as_int64());
  EXPECT_EQ(m.at("digest").as_string().size(), 64u);
  EXPECT_EQ(m.at("details").at("format").as_string(), "gguf");
  EXPECT_TRUE(m.at("details").at("parameter_size").is_string());
  EXPECT_EQ(m.at("expires_at").as_string().size(), 27u);  // RFC 3339, UTC
}

TEST_F(SimModelLoad, ColdLoadSendsNoByteWhileTheOtherRoutesAnswerThenReportsLoadDuration) {
  SimProcess sim({"--script", script_.path, "--load-ms", "3000"});
  SimConn ollama(sim.port());
  SimConn openai(sim.port());
  ASSERT_TRUE(ollama.write(http_request("POST", "/api/chat", json::serialize(ollama_chat(hello(), true, "a")))));
  ASSERT_TRUE(openai.write(http_request("POST", "/v1/chat/completions", json::serialize(openai_chat(hello(), true, "b")))));

  auto ps = get(sim.port(), "/api/ps");
  ASSERT_EQ(ps.status, 200);
  EXPECT_TRUE(ps.json().at("models").as_array().empty()) << "a loading model is not listed yet";
  EXPECT_EQ(get(sim.port(), "/api/version").status, 200);
  EXPECT_EQ(get(sim.port(), "/api/tags").status, 200);
  ollama.read_for(100ms);
  openai.read_for(10ms);
  EXPECT_TRUE(ollama.raw().empty()) << "no headers, no bytes while loading";
  EXPECT_TRUE(openai.raw().empty());

  ASSERT_TRUE(ollama.read_response(15s));
  ASSERT_TRUE(openai.read_response(15s));
  auto a = read_ndjson(ollama.response().body);
  EXPECT_EQ(a.text, kScriptText);
  ASSERT_TRUE(a.done);
  EXPECT_GE(a.done->at("load_duration").as_int64(), 3'000'000'000);
  EXPECT_EQ(read_sse(openai.response().body).text, kScriptText);

  auto listed = get(sim.port(), "/api/ps").json().at("models").as_array();
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].at("name").as_string(), "a:latest");
  EXPECT_EQ(listed[1].at("name").as_string(), "b:latest");

  // Warm now: a second chat reports only a small load time.
  auto warm = read_ndjson(post_json(sim.port(), "/api/chat", ollama_chat(hello(), true, "a")).body);
  ASSERT_TRUE(warm.done);
  EXPECT_LT(warm.done->at("load_duration").as_int64(), 1'000'000'000);
}

TEST_F(SimModelLoad, UnloadThroughControlMakesTheNextChatColdAgain) {
  SimProcess sim({"--script", script_.path});
  post_json(sim.port(), "/api/chat", ollama_chat(hello()));
  ASSERT_EQ(get(sim.port(), "/api/ps").json().at("models").as_array().size(), 1u);
  ASSERT_EQ(fetch(sim.port(), "POST", "/sim/control", R"({"unload":true,"load_ms":2000})").status, 200);
  EXPECT_TRUE(get(sim.port(), "/api/ps").json().at("models").as_array().empty());

  SimConn conn(sim.port());
  ASSERT_TRUE(conn.write(http_request("POST", "/api/chat", json::serialize(ollama_chat(hello())))));
  conn.read_for(200ms);
  EXPECT_TRUE(conn.raw().empty());
  ASSERT_TRUE(conn.read_response(15s));
  auto a = read_ndjson(conn.response().body);
  ASSERT_TRUE(a.done);
  EXPECT_GE(a.done->at("load_duration").as_int64(), 2'000'000'000);
}

}  // namespace
}  // namespace yollayah::test
