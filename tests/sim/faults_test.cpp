// ollama-sim's fault knobs on both chat APIs: hang, stall then close, reset mid-chunk, 429 with
// Retry-After, slow accept, an error inside the SSE stream, and real-world SSE noise.
// No timing is asserted; "nothing arrived" checks wait a short while against a much longer knob.
#include "sim/sim_fixture.hpp"

#include <boost/asio/error.hpp>

namespace yollayah::test {
namespace {

namespace asio = boost::asio;

class SimFaults : public ::testing::Test {
 protected:
  TempFile script_{kScript};

  std::vector<std::string> args(std::initializer_list<std::string> more) {
    std::vector<std::string> a{"--script", script_.path};
    a.insert(a.end(), more);
    return a;
  }

  static std::string ollama_request(bool stream = true) {
    return http_request("POST", "/api/chat", json::serialize(ollama_chat(hello(), stream)));
  }
  static std::string openai_request(bool stream = true) {
    return http_request("POST", "/v1/chat/completions", json::serialize(openai_chat(hello(), stream)));
  }
};

// ---- --hang ----

TEST_F(SimFaults, HangReadsTheRequestButNeverAnswersNorCloses) {
  SimProcess sim({"--hang"});
  for (const auto* target : {"/api/version", "/api/tags", "/v1/models"}) {
    SimConn conn(sim.port());
    ASSERT_TRUE(conn.write(http_request("GET", target)));
    conn.read_for(300ms);
    EXPECT_TRUE(conn.raw().empty()) << target;
    EXPECT_FALSE(conn.ended()) << target << ": " << conn.error().message();
  }
  SimConn chat(sim.port());
  ASSERT_TRUE(chat.write(openai_request()));
  chat.read_for(300ms);
  EXPECT_TRUE(chat.raw().empty());
  EXPECT_FALSE(chat.ended());
  // The requests did reach it, and the test's back door stays open.
  auto stats = get(sim.port(), "/sim/stats");
  ASSERT_EQ(stats.status, 200);
  EXPECT_EQ(stats.json().at("requests").as_int64(), 5);
  EXPECT_EQ(stats.json().at("openai_requests").as_int64(), 1);
}

// ---- --stall-after, --stall-close-ms ----

TEST_F(SimFaults, StallCloseEndsTheOllamaStreamAfterTheSilence) {
  SimProcess sim(args({"--stall-after", "2", "--stall-close-ms", "200"}));
  SimConn conn(sim.port());
  ASSERT_TRUE(conn.write(ollama_request()));
  ASSERT_TRUE(conn.read_until_closed(10s)) << "the sim should have closed the stalled connection";
  auto r = conn.response();
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.complete);
  auto a = read_ndjson(r.body);
  EXPECT_EQ(a.text, "Hello,");
  EXPECT_FALSE(a.done);
}

TEST_F(SimFaults, StallCloseEndsTheSseStreamWithoutFinishOrDone) {
  SimProcess sim(args({"--stall-after", "3", "--stall-close-ms", "200"}));
  SimConn conn(sim.port());
  ASSERT_TRUE(conn.write(openai_request()));
  ASSERT_TRUE(conn.read_until_closed(10s));
  auto a = read_sse(conn.response().body);
  EXPECT_EQ(a.text, "Hello, world");
  EXPECT_EQ(a.finish_reason, "");
  EXPECT_FALSE(a.done_marker);
}

TEST_F(SimFaults, StallWithoutCloseKeepsTheConnectionOpen) {
  SimProcess sim(args({"--stall-after", "1"}));
  SimConn conn(sim.port());
  ASSERT_TRUE(conn.write(openai_request()));
  ASSERT_TRUE(conn.read_until_contains("Hello"));
  conn.read_for(300ms);
  EXPECT_FALSE(conn.ended());
  EXPECT_EQ(read_sse(conn.response().body).text, "Hello");
}

TEST_F(SimFaults, StallCloseAppliesWithoutStreamToo) {
  SimProcess sim(args({"--stall-after", "1", "--stall-close-ms", "100"}));
  SimConn conn(sim.port());
  ASSERT_TRUE(conn.write(openai_request(false)));
  ASSERT_TRUE(conn.read_until_closed(10s));
  EXPECT_TRUE(conn.raw().empty());
}

// ---- --reset-after ----

TEST_F(SimFaults, ResetAfterCutsAChunkInHalfThenResetsTheOllamaStream) {
  SimProcess sim(args({"--reset-after", "2"}));
  SimConn conn(sim.port());
  ASSERT_TRUE(conn.write(ollama_request()));
  ASSERT_TRUE(conn.read_until_closed(10s));
  EXPECT_EQ(conn.error(), asio::error::connection_reset) << conn.error().message();
  auto r = conn.response();
  EXPECT_TRUE(r.chunk_cut) << "the last chunk should be shorter than its size line says";
  auto a = read_ndjson(r.body);
  EXPECT_EQ(a.text, "Hello,");
  EXPECT_FALSE(a.done);
  EXPECT_FALSE(a.partial.empty()) << "half a line after the two whole ones";
  EXPECT_TRUE(a.partial.starts_with("{\"model\":\"m\""));
}

TEST_F(SimFaults, ResetAfterCutsAnSseEventInHalf) {
  SimProcess sim(args({"--reset-after", "1"}));
  SimConn conn(sim.port());
  ASSERT_TRUE(conn.write(openai_request()));
  ASSERT_TRUE(conn.read_until_closed(10s));
  EXPECT_EQ(conn.error(), asio::error::connection_reset) << conn.error().message();
  auto r = conn.response();
  EXPECT_TRUE(r.chunk_cut);
  auto a = read_sse(r.body);
  EXPECT_EQ(a.text, "Hello");
  EXPECT_FALSE(a.done_marker);
  EXPECT_FALSE(r.body.ends_with("\n\n")) << "the second event is cut";
}

TEST_F(SimFaults, ResetAfterWithoutStreamSendsHalfTheBody) {
  SimProcess sim(args({"--reset-after", "2"}));
  SimConn conn(sim.port());
  ASSERT_TRUE(conn.write(openai_request(false)));
  ASSERT_TRUE(conn.read_until_closed(10s));
  EXPECT_EQ(conn.error(), asio::error::connection_reset);
  auto r = conn.response();
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.complete);
  EXPECT_FALSE(r.body.empty());
}

// ---- --fail-after on the OpenAI stream ----

TEST_F(SimFaults, FailAfterEndsTheSseStreamWithoutFinishOrDone) {
  SimProcess sim(args({"--fail-after", "2"}));
  SimConn conn(sim.port());
  ASSERT_TRUE(conn.write(openai_request()));
  ASSERT_TRUE(conn.read_until_closed(10s));
  auto r = conn.response();
  EXPECT_FALSE(r.complete);
  auto a = read_sse(r.body);
  EXPECT_EQ(a.text, "Hello,");
  EXPECT_EQ(a.finish_reason, "");
  EXPECT_FALSE(a.done_marker);
}

// ---- --http-error with --retry-after ----

TEST_F(SimFaults, TooManyRequestsCarriesRetryAfterOnBothApis) {
  SimProcess sim({"--http-error", "429", "--retry-after", "7"});
  auto ollama = post_json(sim.port(), "/api/chat", ollama_chat(hello()));
  EXPECT_EQ(ollama.status, 429);
  EXPECT_EQ(ollama.header("retry-after"), "7");
  EXPECT_EQ(ollama.json().at("error").as_string(), "simulated error 429");
  auto openai = post_json(sim.port(), "/v1/chat/completions", openai_chat(hello()));
  EXPECT_EQ(openai.status, 429);
  EXPECT_EQ(openai.header("retry-after"), "7");
  EXPECT_EQ(openai.json().at("error").at("type").as_string(), "rate_limit_error");
}

TEST_F(SimFaults, ServiceUnavailableCarriesRetryAfterButOtherErrorsDoNot) {
  {
    SimProcess sim({"--http-error", "503", "--retry-after", "2"});
    auto r = get(sim.port(), "/api/tags");
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.header("retry-after"), "2");
  }
  SimProcess sim({"--http-error", "502", "--retry-after", "2"});
  auto r = get(sim.port(), "/api/tags");
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(r.headers.count("retry-after"), 0u);
}

// ---- --accept-delay-ms ----

TEST_F(SimFaults, AcceptDelayHoldsANewConnectionThenServesIt) {
  SimProcess sim(args({"--accept-delay-ms", "2000"}));
  SimConn conn(sim.port());
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(conn.write(ollama_request()));
  conn.read_for(300ms);
  EXPECT_TRUE(conn.raw().empty()) << "answered before the accept delay was over";
  ASSERT_TRUE(conn.read_response(15s));
  EXPECT_EQ(read_ndjson(conn.response().body).text, kScriptText);
}

// ---- --sse-error-after ----

TEST_F(SimFaults, SseErrorAfterSendsAnErrorEventInsideTheOkStream) {
  SimProcess sim(args({"--sse-error-after", "2"}));
  auto r = post_json(sim.port(), "/v1/chat/completions", openai_chat(hello()));
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.complete) << "the stream ends properly; only its content says it failed";
  auto a = read_sse(r.body);
  EXPECT_EQ(a.text, "Hello,");
  ASSERT_TRUE(a.error);
  EXPECT_EQ(a.error->at("error").at("message").as_string(), "simulated failure");
  EXPECT_EQ(a.error->at("error").at("type").as_string(), "server_error");
  EXPECT_EQ(a.finish_reason, "");
  EXPECT_FALSE(a.done_marker);
  EXPECT_NE(r.body.find("data: {\"error\":{\"message\":\"simulated failure\",\"type\":\"server_error\"}}\n\n"),
            std::string::npos);
}

TEST_F(SimFaults, SseErrorAfterSendsOllamasErrorLineOnNdjson) {
  SimProcess sim(args({"--sse-error-after", "1"}));
  auto r = post_json(sim.port(), "/api/chat", ollama_chat(hello()));
  EXPECT_EQ(r.status, 200);
  auto a = read_ndjson(r.body);
  EXPECT_EQ(a.text, "Hello");
  ASSERT_TRUE(a.error);
  EXPECT_EQ(a.error->at("error").as_string(), "simulated failure");
  EXPECT_FALSE(a.done);
}

TEST_F(SimFaults, SseErrorAfterWithoutStreamIs500) {
  SimProcess sim(args({"--sse-error-after", "1"}));
  auto r = post_json(sim.port(), "/v1/chat/completions", openai_chat(hello(), false));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.json().at("error").at("type").as_string(), "server_error");
}

// ---- --sse-noise ----

TEST_F(SimFaults, SseNoiseKeepsTheContentButAddsEverythingRealServersSend) {
  TempFile long_script("One\n two\n three\n four\n five\n six\n seven\n eight\n nine\n ten\n");
  SimProcess sim({"--script", long_script.path, "--sse-noise"});
  auto body = openai_chat(hello());
  body["stream_options"] = json::object{{"include_usage", true}};
  auto r = post_json(sim.port(), "/v1/chat/completions", body);
  ASSERT_EQ(r.status, 200);
  auto a = read_sse(r.body);
  EXPECT_EQ(a.text, "One two three four five six seven eight nine ten");
  EXPECT_EQ(a.content_chunks, 10u);
  EXPECT_EQ(a.finish_reason, "stop");
  ASSERT_TRUE(a.usage);
  EXPECT_EQ(a.usage->at("completion_tokens").as_int64(), 10);
  EXPECT_TRUE(a.done_marker_last);
  EXPECT_GT(a.sse.comments, 0u);
  EXPECT_GT(a.sse.crlf_lines, 0u);
  EXPECT_GT(a.sse.data_without_space, 0u);
  EXPECT_GT(a.sse.retry_fields, 0u);
  EXPECT_NE(r.body.find(": keep-alive"), std::string::npos);
  bool named = false, numbered = false;
  for (const auto& e : a.sse.events) {
    named |= e.event == "message";
    numbered |= !e.id.empty();
  }
  EXPECT_TRUE(named);
  EXPECT_TRUE(numbered);
  // OpenAI's shape rather than Ollama's: the role alone first, then deltas without it.
  const auto& first = a.chunks.front().at("choices").at(0).at("delta").as_object();
  EXPECT_EQ(first.at("role").as_string(), "assistant");
  EXPECT_FALSE(first.contains("content"));
  EXPECT_FALSE(a.chunks[1].at("choices").at(0).at("delta").as_object().contains("role"));
}

}  // namespace
}  // namespace yollayah::test
