// [[agent]] and [agents] in conductor.toml: what they set, and the mistakes named with their line.
#include "core/config.hpp"

#include <gtest/gtest.h>

namespace yollayah::core {
namespace {

using namespace std::chrono_literals;

std::string error_of(std::string_view text) {
  Config c;
  auto err = apply_config_text(c, text, "conductor.toml");
  return err ? err->message : std::string("(no error)");
}

TEST(ConfigAgents, AgentsAndTheirLimitsAreRead) {
  Config c;
  ASSERT_FALSE(apply_config_text(c, R"(
[agents]
max_active = 8
max_depth = 2
time_limit_ms = 60000

[[agent]]
id = "data-scientist"
name = "Tia Ana"
model = "qwen2.5:7b"
system_prompt = "You are Tia Ana, a data scientist."
max_tokens = 512

[[agent]]
id = "qa-engineer"
)", "conductor.toml"));
  ASSERT_EQ(c.agents.size(), 2u);
  EXPECT_EQ(c.agents[0].id, "data-scientist");
  EXPECT_EQ(c.agents[0].name, "Tia Ana");
  EXPECT_EQ(c.agents[0].model, "qwen2.5:7b");
  EXPECT_EQ(c.agents[0].system_prompt, "You are Tia Ana, a data scientist.");
  EXPECT_EQ(c.agents[0].max_tokens, 512u);
  EXPECT_EQ(c.agents[0].line, 7);
  EXPECT_EQ(c.agents[1].id, "qa-engineer");
  EXPECT_EQ(c.agents[1].max_tokens, 0u);
  EXPECT_EQ(c.agents_max_active, 8u);
  EXPECT_EQ(c.agents_max_depth, 2u);
  EXPECT_EQ(c.agent_time_limit, 60000ms);
}

TEST(ConfigAgents, TheDefaultsAllowFourAgentsAtOnceAndNoAgentsOfAgents) {
  Config c;
  EXPECT_EQ(c.agents_max_active, 4u);
  EXPECT_EQ(c.agents_max_depth, 1u);
  EXPECT_TRUE(c.agents.empty());
}

TEST(ConfigAgents, MistakesNameTheLineAndTheFix) {
  EXPECT_EQ(error_of("[[agent]]\nname = \"x\"\n"),
            "conductor.toml: line 1: this [[agent]] has no id (e.g. id = \"data-scientist\")");
  EXPECT_NE(error_of("\n[[agent]]\nid = \"Data Scientist\"\n").find("line 2: agent id \"Data Scientist\" must be"),
            std::string::npos);
  EXPECT_EQ(error_of("[[agent]]\nid = \"a\"\ncolour = \"red\"\n"),
            "conductor.toml: line 3: unknown key \"colour\" in [[agent]]; known keys: id, name, model, system_prompt, max_tokens");
  EXPECT_EQ(error_of("[[agent]]\nid = \"a\"\nmax_tokens = 0\n"),
            "conductor.toml: line 3: max_tokens must be a whole number from 1 to 1000000");
  EXPECT_NE(error_of("[[agent]]\nid = \"a\"\n[[agent]]\nid = \"a\"\n").find("line 3: two agents have the id \"a\" (the other is at line 1)"),
            std::string::npos);
  EXPECT_NE(error_of("[agent]\nid = \"a\"\n").find("two brackets"), std::string::npos);
  EXPECT_EQ(error_of("[agents]\nmax_active = 0\n"),
            "conductor.toml: line 2: max_active must be a whole number from 1 to 256");
  EXPECT_NE(error_of("[agents]\nmax_parallel = 3\n").find("line 2: unknown key \"max_parallel\" in [agents]"),
            std::string::npos);
}

}  // namespace
}  // namespace yollayah::core
