// Real peers against the gateway: the official ollama and openai npm clients (pinned in tests/npm,
// installed by scripts/setup), curl, and promtool on /metrics. Each is a child process run from
// the test thread (the gateway runs on its own thread).
#include "gateway/gateway_fixture.hpp"
#include "gateway/run_tool.hpp"

#include <filesystem>

namespace yollayah::test {
namespace {

const std::string kModel = "llama3.2:3b";

std::vector<std::string> sim_args() { return {"--tokens", "8", "--tokens-per-sec", "0", "--models", kModel}; }

TEST(GatewayClients, TheOfficialOllamaAndOpenAiNpmClientsChatStreamAndListModelsWithAToken) {
  const std::string npm_dir = npm_clients_dir();
  if (!on_path("node")) GTEST_SKIP() << "node is not installed (scripts/setup installs it)";
  ASSERT_TRUE(npm_clients_installed()) << "the npm clients are missing: run scripts/setup (npm ci in tests/npm)";
  GatewayUnderTest g(sim_args());
  const auto r = run("node " + npm_dir + "/clients.mjs " + g.gateway().base_url() + " " + kToken + " " + kModel);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto v = boost::json::parse(last_line(r.output)).as_object();

  EXPECT_FALSE(v.at("ollama_chat").at("content").as_string().empty()) << r.output;
  EXPECT_TRUE(v.at("ollama_chat").at("done").as_bool());
  EXPECT_EQ(v.at("ollama_chat").at("eval_count").as_int64(), 8);
  EXPECT_GE(v.at("ollama_stream").at("chunks").as_int64(), 2) << r.output;
  EXPECT_TRUE(v.at("ollama_stream").at("done").as_bool());
  EXPECT_EQ(v.at("ollama_stream").at("content"), v.at("ollama_chat").at("content"));
  EXPECT_FALSE(v.at("ollama_generate").at("content").as_string().empty()) << r.output;
  EXPECT_EQ(v.at("ollama_list").at("names").at(0).as_string(), kModel) << r.output;
  EXPECT_EQ(v.at("ollama_bad_token").at("status").as_int64(), 401) << r.output;

  EXPECT_FALSE(v.at("openai_chat").at("content").as_string().empty()) << r.output;
  EXPECT_EQ(v.at("openai_chat").at("finish_reason").as_string(), "stop");
  EXPECT_EQ(v.at("openai_chat").at("completion_tokens").as_int64(), 8);
  EXPECT_GE(v.at("openai_stream").at("chunks").as_int64(), 3) << r.output;
  EXPECT_EQ(v.at("openai_stream").at("content"), v.at("openai_chat").at("content"));
  EXPECT_EQ(v.at("openai_stream").at("finish_reason").as_string(), "stop");
  EXPECT_EQ(v.at("openai_stream").at("completion_tokens").as_int64(), 8);
  EXPECT_EQ(v.at("openai_models").at("ids").at(0).as_string(), kModel) << r.output;
  EXPECT_EQ(v.at("openai_bad_token").at("status").as_int64(), 401) << r.output;
  EXPECT_EQ(v.at("openai_unknown_model").at("status").as_int64(), 404) << r.output;
}

TEST(GatewayClients, CurlStreamsBothApisWithABearerToken) {
  if (!on_path("curl")) GTEST_SKIP() << "curl is not installed (scripts/setup installs it)";
  GatewayUnderTest g(sim_args());
  const std::string auth = " -H 'Authorization: Bearer " + std::string(kToken) + "' ";
  const auto ollama = run("curl -sS -N --max-time 30" + auth + "-d '{\"model\":\"" + kModel +
                          "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}' " + g.gateway().base_url() + "/api/chat");
  ASSERT_EQ(ollama.exit_code, 0) << ollama.output;
  const auto lines = ndjson(ollama.output);
  ASSERT_GE(lines.size(), 2u) << ollama.output;
  EXPECT_TRUE(lines.back().at("done").as_bool());
  const auto openai = run("curl -sS -N --max-time 30" + auth + "-H 'Content-Type: application/json' -d '{\"model\":\"" +
                          kModel + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}' " +
                          g.gateway().base_url() + "/v1/chat/completions");
  ASSERT_EQ(openai.exit_code, 0) << openai.output;
  const auto events = sse_data(openai.output);
  ASSERT_GE(events.size(), 3u) << openai.output;
  EXPECT_EQ(events.back(), "[DONE]");
  const auto refused = run("curl -sS -o /dev/null -w '%{http_code}' " + g.gateway().base_url() + "/api/tags");
  EXPECT_EQ(refused.output, "401");
}

TEST(GatewayClients, MetricsPassPromtoolCheckAfterTrafficOnEverySurface) {
  if (!on_path("promtool")) GTEST_SKIP() << "promtool is not installed (scripts/setup installs Debian's prometheus)";
  GatewayUnderTest g(sim_args(), test_options(), /*unix_socket=*/true);
  HttpClient c(g.port());
  ASSERT_EQ(c.request(http::verb::post, "/api/chat", R"({"model":"llama3.2:3b","messages":[{"role":"user","content":"hi"}]})").status, 200u);
  ASSERT_EQ(c.request(http::verb::post, "/api/chat", R"({"model":"nope","messages":[{"role":"user","content":"hi"}]})").status, 404u);
  WsClient ws(g.port());
  ASSERT_TRUE(ws.open());
  ws.send(ws_handshake());
  auto m = c.request(http::verb::get, "/metrics");
  ASSERT_EQ(m.status, 200u);
  EXPECT_NE(m.body.find("yollayah_"), std::string::npos);
  EXPECT_NE(m.body.find("yollayah_backend_requests_total"), std::string::npos) << m.body;
  const std::string file = write_temp_file(m.body);
  const auto r = run("promtool check metrics < " + file);
  std::filesystem::remove(file);
  EXPECT_EQ(r.exit_code, 0) << r.output << "\n--- metrics ---\n" << m.body;
}

}  // namespace
}  // namespace yollayah::test
