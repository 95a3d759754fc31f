// ollama-sim's run-time control (POST/GET /sim/control) and counters (GET /sim/stats): one
// long-lived sim that fails, recovers and stalls between requests, as circuit-breaker tests need.
#include "sim/sim_fixture.hpp"

namespace yollayah::test {
namespace {

class SimControl : public ::testing::Test {
 protected:
  TempFile script_{kScript};

  static HttpResponse control(const SimProcess& sim, std::string_view body) {
    return fetch(sim.port(), "POST", "/sim/control", body);
  }
};

TEST_F(SimControl, AnswersEverySettingAfterAChange) {
  SimProcess sim;
  auto r = control(sim, R"({"http_error":503,"retry_after":2,"fail_after":3,"stall_after":5,"hang":false,)"
                        R"("ttft_ms":40,"tokens_per_sec":12.5})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = r.json().as_object();
  EXPECT_EQ(v.at("http_error").as_int64(), 503);
  EXPECT_EQ(v.at("retry_after").as_int64(), 2);
  EXPECT_EQ(v.at("fail_after").as_int64(), 3);
  EXPECT_EQ(v.at("stall_after").as_int64(), 5);
  EXPECT_EQ(v.at("hang").as_bool(), false);
  EXPECT_EQ(v.at("ttft_ms").as_int64(), 40);
  EXPECT_DOUBLE_EQ(v.at("tokens_per_sec").to_number<double>(), 12.5);
  for (const auto* key : {"reset_after", "sse_error_after", "load_ms", "stall_close_ms", "accept_delay_ms", "sse_noise"}) {
    EXPECT_TRUE(v.contains(key)) << key;
  }
  EXPECT_EQ(get(sim.port(), "/sim/control").json(), r.json()) << "GET reads the same settings";
}

TEST_F(SimControl, StartsFromTheCommandLineFlags) {
  SimProcess sim({"--http-error", "429", "--retry-after", "9", "--fail-after", "4"});
  auto v = get(sim.port(), "/sim/control").json();
  EXPECT_EQ(v.at("http_error").as_int64(), 429);
  EXPECT_EQ(v.at("retry_after").as_int64(), 9);
  EXPECT_EQ(v.at("fail_after").as_int64(), 4);
  EXPECT_EQ(v.at("tokens_per_sec").as_int64(), 0);
}

TEST_F(SimControl, FailsAndRecoversBetweenRequests) {
  SimProcess sim({"--script", script_.path});
  auto chat = [&] { return post_json(sim.port(), "/api/chat", ollama_chat(hello())); };
  auto chat_v1 = [&] { return post_json(sim.port(), "/v1/chat/completions", openai_chat(hello())); };
  EXPECT_EQ(read_ndjson(chat().body).text, kScriptText);

  ASSERT_EQ(control(sim, R"({"http_error":503,"retry_after":2})").status, 200);
  auto down = chat();
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(down.header("retry-after"), "2");
  EXPECT_EQ(chat_v1().status, 503);

  ASSERT_EQ(control(sim, R"({"http_error":0})").status, 200);
  EXPECT_EQ(read_ndjson(chat().body).text, kScriptText);
  EXPECT_EQ(read_sse(chat_v1().body).text, kScriptText);

  auto stats = get(sim.port(), "/sim/stats").json();
  EXPECT_EQ(stats.at("chat_requests").as_int64(), 3);
  EXPECT_EQ(stats.at("openai_requests").as_int64(), 2);
}

TEST_F(SimControl, FailAfterSetAndClearedAtRunTime) {
  SimProcess sim({"--script", script_.path});
  ASSERT_EQ(control(sim, R"({"fail_after":1})").status, 200);
  SimConn conn(sim.port());
  ASSERT_TRUE(conn.write(http_request("POST", "/v1/chat/completions", json::serialize(openai_chat(hello())))));
  ASSERT_TRUE(conn.read_until_closed());
  auto cut = read_sse(conn.response().body);
  EXPECT_EQ(cut.text, "Hello");
  EXPECT_FALSE(cut.done_marker);

  auto cleared = control(sim, R"({"fail_after":0})");
  EXPECT_EQ(cleared.json().at("fail_after").as_int64(), 0);
  auto whole = read_sse(post_json(sim.port(), "/v1/chat/completions", openai_chat(hello())).body);
  EXPECT_EQ(whole.text, kScriptText);
  EXPECT_TRUE(whole.done_marker);
}

TEST_F(SimControl, StallAndHangSetAtRunTimeAndTheBackDoorStaysOpen) {
  SimProcess sim({"--script", script_.path});
  ASSERT_EQ(control(sim, R"({"stall_after":2})").status, 200);
  SimConn stalled(sim.port());
  ASSERT_TRUE(stalled.write(http_request("POST", "/api/chat", json::serialize(ollama_chat(hello())))));
  ASSERT_TRUE(stalled.read_until_contains(R"("content":",")"));
  stalled.read_for(200ms);
  EXPECT_FALSE(stalled.ended());
  EXPECT_EQ(read_ndjson(stalled.response().body).text, "Hello,");

  ASSERT_EQ(control(sim, R"({"stall_after":null,"hang":true})").status, 200);
  SimConn hung(sim.port());
  ASSERT_TRUE(hung.write(http_request("GET", "/api/version")));
  hung.read_for(200ms);
  EXPECT_TRUE(hung.raw().empty());

  auto back = control(sim, R"({"hang":false})");
  ASSERT_EQ(back.status, 200);
  EXPECT_EQ(back.json().at("stall_after").as_int64(), 0);
  EXPECT_EQ(get(sim.port(), "/api/version").status, 200);
}

TEST_F(SimControl, PacingSetAtRunTimeStillDeliversEveryToken) {
  SimProcess sim({"--script", script_.path});
  ASSERT_EQ(control(sim, R"({"ttft_ms":20,"tokens_per_sec":100})").status, 200);
  EXPECT_EQ(read_sse(post_json(sim.port(), "/v1/chat/completions", openai_chat(hello())).body).text, kScriptText);
}

TEST_F(SimControl, AnUnknownKeyOrBadValueChangesNothing) {
  SimProcess sim;
  for (const auto* body : {R"({"fail_after":2,"no_such_knob":1})", R"({"fail_after":2,"hang":"yes"})",
                           R"({"fail_after":2,"http_error":42})", R"({"fail_after":-1})", R"([1,2])", "{oops"}) {
    auto r = control(sim, body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_TRUE(r.json().at("error").is_string()) << body;
  }
  auto v = get(sim.port(), "/sim/control").json();
  EXPECT_EQ(v.at("fail_after").as_int64(), 0);
  EXPECT_EQ(v.at("http_error").as_int64(), 0);
}

TEST_F(SimControl, IsReachableWhileEverythingElseFails) {
  SimProcess sim({"--http-error", "500", "--require-api-key", "sk-k", "--hang"});
  EXPECT_EQ(get(sim.port(), "/sim/stats").status, 200);
  EXPECT_EQ(control(sim, R"({"hang":false,"http_error":0})").status, 200);
  EXPECT_EQ(get(sim.port(), "/api/version").status, 200);
}

TEST_F(SimControl, StatsCountConnectionsAndRequestsPerApi) {
  SimProcess sim({"--script", script_.path});
  post_json(sim.port(), "/api/chat", ollama_chat(hello()));
  post_json(sim.port(), "/api/chat", ollama_chat(hello(), false));
  post_json(sim.port(), "/api/generate", json::object{{"model", "m"}, {"prompt", "hi"}});
  post_json(sim.port(), "/v1/chat/completions", openai_chat(hello()));
  // Two requests on one kept-alive connection.
  SimConn conn(sim.port());
  ASSERT_TRUE(conn.write(http_request("GET", "/api/tags")));
  ASSERT_TRUE(conn.read_response());
  ASSERT_TRUE(conn.write(http_request("GET", "/v1/models")));
  ASSERT_TRUE(conn.read_until_contains("\"object\":\"list\""));

  auto v = get(sim.port(), "/sim/stats").json().as_object();
  EXPECT_EQ(v.at("chat_requests").as_int64(), 2);
  EXPECT_EQ(v.at("generate_requests").as_int64(), 1);
  EXPECT_EQ(v.at("openai_requests").as_int64(), 1);
  EXPECT_EQ(v.at("requests").as_int64(), 7);     // the stats request itself included
  EXPECT_EQ(v.at("connections").as_int64(), 6);  // four fetches, the kept-alive one, the stats one
}

TEST_F(SimControl, UnknownSimPathIs404) {
  SimProcess sim;
  EXPECT_EQ(get(sim.port(), "/sim/nothing").status, 404);
  EXPECT_EQ(fetch(sim.port(), "DELETE", "/sim/control").status, 404);
}

}  // namespace
}  // namespace yollayah::test
