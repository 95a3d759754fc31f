// ollama-sim --demo as a server: both chat APIs answer from the demo persona, a follow-up reads the
// conversation the request carries, --route still wins, and a bad demo directory stops it at start.
#include "sim/sim_fixture.hpp"

#include <cstdio>
#include <sys/wait.h>

namespace yollayah::test {
namespace {

const std::string kDemoDir = YOLLAYAH_SOURCE_DIR "/apps/ollama-sim/demo";
// Unpaced, so the tests do not wait out the demo's model-like pace.
const std::vector<std::string> kDemo = {"--demo", kDemoDir, "--tokens-per-sec", "0", "--ttft-ms", "0"};

TEST(SimDemo, OllamaChatAnswersCodeInTheLanguageAsked) {
  SimProcess sim(kDemo);
  auto a = read_ndjson(post_json(sim.port(), "/api/chat", ollama_chat({message("user", "write a function in Rust")})).body);
  EXPECT_NE(a.text.find("```rust\n"), std::string::npos) << a.text;
  EXPECT_GT(a.token_lines, 50u) << "streamed as many tokens, not one block";
  ASSERT_TRUE(a.done);
  EXPECT_EQ(a.done->at("done_reason").as_string(), "stop");
}

TEST(SimDemo, AFollowUpUsesTheConversationTheRequestCarries) {
  SimProcess sim(kDemo);
  json::array turns{message("user", "write a function that counts words"), message("assistant", "(Python)"),
                    message("user", "and in Go?")};
  auto a = read_sse(post_json(sim.port(), "/v1/chat/completions", openai_chat(turns)).body);
  EXPECT_NE(a.text.find("```go\n"), std::string::npos) << a.text;
}

TEST(SimDemo, WithoutADirectoryTheCheckoutsDemoIsUsed) {
  SimProcess sim({"--demo", "--tokens-per-sec", "0", "--ttft-ms", "0"});
  auto a = read_ndjson(post_json(sim.port(), "/api/chat", ollama_chat({message("user", "compare go and rust")})).body);
  EXPECT_NE(a.text.find("|:---"), std::string::npos) << a.text;
}

TEST(SimDemo, ARouteStillWinsOverTheDemo) {
  TempFile weather("Sunny\n");
  auto flags = kDemo;
  flags.insert(flags.end(), {"--route", "weather=" + weather.path});
  SimProcess sim(flags);
  auto a = read_ndjson(post_json(sim.port(), "/api/chat", ollama_chat({message("user", "weather in code?")})).body);
  EXPECT_EQ(a.text, "Sunny");
}

TEST(SimDemo, AMissingDemoDirectoryStopsTheSimWithAClearError) {
  std::string cmd = YOLLAYAH_BIN_DIR;  // appended, not `std::string(…) + "…"`: GCC 12 warns falsely on that
  cmd += "/ollama-sim --port 0 --demo /no/such/demo 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  const int status = ::pclose(p);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_NE(out.find("demo: no directory /no/such/demo"), std::string::npos) << out;
  EXPECT_EQ(out.find("listening on"), std::string::npos);
}

}  // namespace
}  // namespace yollayah::test
