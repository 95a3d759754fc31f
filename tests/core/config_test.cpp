#include "core/config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace yollayah::core {
namespace {

using namespace std::chrono_literals;

Config parse(std::string_view text) {
  Config c;
  auto err = apply_config_text(c, text, "conductor.toml");
  EXPECT_FALSE(err) << (err ? err->message : "");
  return c;
}

std::string error_of(std::string_view text) {
  Config c;
  auto err = apply_config_text(c, text, "conductor.toml");
  return err ? err->message : std::string("(no error)");
}

TEST(Config, TwoBackendsWithEverySetting) {
  auto c = parse(R"(
[[backend]]
name = "laptop"
kind = "ollama"
url = "http://127.0.0.1:11434"
models = ["*"]
priority = 1
max_concurrent = 4

[[backend]]
name = "gpu-box"
kind = "openai"
url = "https://10.0.0.5:8080/v1"
models = ["llama3*", "qwen*"]
priority = 2
max_queue = 3
queue_timeout_ms = 1500
api_key_env = "GPU_BOX_KEY"
ca_file = "/etc/ssl/private-ca.pem"
first_token_timeout_ms = 20000
idle_timeout_ms = 5000

[model_alias]
fast = "qwen2:0.5b"

[routing]
mid_stream_fallback = false
breaker_failures = 5
breaker_open_ms = 250
)");
  EXPECT_EQ(c.breaker_failures, 5u);
  EXPECT_EQ(c.breaker_open, 250ms);
  ASSERT_EQ(c.backends.size(), 2u);
  EXPECT_EQ(c.backends[0].name, "laptop");
  EXPECT_EQ(c.backends[0].kind, "ollama");
  EXPECT_EQ(c.backends[0].max_concurrent, 4u);
  const auto& gpu = c.backends[1];
  EXPECT_EQ(gpu.kind, "openai");
  EXPECT_EQ(gpu.url, "https://10.0.0.5:8080/v1");
  EXPECT_EQ(gpu.models, (std::vector<std::string>{"llama3*", "qwen*"}));
  EXPECT_EQ(gpu.priority, 2);
  EXPECT_EQ(gpu.max_queue, 3u);
  EXPECT_EQ(gpu.queue_timeout, 1500ms);
  EXPECT_EQ(gpu.api_key_env, "GPU_BOX_KEY");
  EXPECT_EQ(gpu.ca_file, "/etc/ssl/private-ca.pem");
  EXPECT_EQ(gpu.first_token_timeout, std::optional(20000ms));
  EXPECT_EQ(gpu.idle_timeout, std::optional(5000ms));
  EXPECT_FALSE(gpu.connect_timeout);
  EXPECT_EQ(c.model_aliases.at("fast"), "qwen2:0.5b");
  EXPECT_FALSE(c.mid_stream_fallback);
}

TEST(Config, TheOneServerBackendTableStillWorks) {
  auto c = parse("[backend]\nollama_host = \"10.0.0.9:11434\"\nmodel = \"llama3.2:3b\"\n");
  EXPECT_TRUE(c.backends.empty());
  EXPECT_EQ(c.ollama_host, "10.0.0.9:11434");
  EXPECT_EQ(c.model, "llama3.2:3b");
}

TEST(Config, AnUnnamedBackendGetsANumberedName) {
  auto c = parse("[[backend]]\nurl = \"http://a:1\"\n[[backend]]\nurl = \"http://b:2\"\n");
  ASSERT_EQ(c.backends.size(), 2u);
  EXPECT_EQ(c.backends[1].name, "backend-2");
  EXPECT_EQ(c.backends[1].models, std::vector<std::string>{"*"});
}

TEST(Config, MistakesInABackendNameTheLineAndTheFix) {
  EXPECT_EQ(error_of("[[backend]]\nurl = \"http://a:1\"\nmodles = [\"*\"]\n").rfind("conductor.toml: line 3: unknown key \"modles\"", 0), 0u)
      << error_of("[[backend]]\nurl = \"http://a:1\"\nmodles = [\"*\"]\n");
  EXPECT_NE(error_of("[[backend]]\nname = \"x\"\n").find("has no url"), std::string::npos);
  EXPECT_NE(error_of("[[backend]]\nurl = \"http://a\"\nkind = \"anthropic\"\n").find("kind must be \"ollama\" or \"openai\""),
            std::string::npos);
  EXPECT_NE(error_of("[[backend]]\nurl = \"http://a\"\nmax_concurrent = 0\n").find("max_concurrent must be a whole number from 1"),
            std::string::npos);
  EXPECT_NE(error_of("[[backend]]\nurl = \"http://a\"\nmodels = \"*\"\n").find("models must be a list"), std::string::npos);
  EXPECT_NE(error_of("[[backend]]\nname = \"a\"\nurl = \"http://a\"\n[[backend]]\nname = \"a\"\nurl = \"http://b\"\n")
                .find("two backends are named \"a\" (the other is at line 1)"),
            std::string::npos);
  EXPECT_NE(error_of("[[backend]]\nurl = \"http://a\"\napi_key = \"sk-123\"\n").find("api_key_env"), std::string::npos);
  EXPECT_NE(error_of("[[backend]\n").find("conductor.toml:1"), std::string::npos);
}

TEST(Config, TheApiKeyIsReadFromTheNamedVariableAndAMissingOneIsAWarning) {
  ::setenv("YOLLAYAH_TEST_KEY", "sk-test-123", 1);
  ::unsetenv("YOLLAYAH_TEST_MISSING");
  const std::string path = ::testing::TempDir() + "/conductor_keys.toml";
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_TRUE(f);
    std::fputs("[[backend]]\nname = \"a\"\nurl = \"http://a\"\napi_key_env = \"YOLLAYAH_TEST_KEY\"\n"
               "[[backend]]\nname = \"b\"\nurl = \"http://b\"\napi_key_env = \"YOLLAYAH_TEST_MISSING\"\n",
               f);
    std::fclose(f);
  }
  Config c;
  ASSERT_FALSE(load_config(c, path));
  EXPECT_EQ(c.backends[0].api_key, "sk-test-123");
  EXPECT_TRUE(c.backends[1].api_key.empty());
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("YOLLAYAH_TEST_MISSING"), std::string::npos);
  EXPECT_EQ(c.warnings[0].find("sk-test"), std::string::npos);
  std::remove(path.c_str());
  ::unsetenv("YOLLAYAH_TEST_KEY");
}

TEST(Config, TheAnswerCapIsSettable) {
  EXPECT_EQ(parse("[conductor]\nmax_answer_bytes = 4096\n").max_answer_bytes, 4096u);
  EXPECT_NE(error_of("[conductor]\nmax_answer_bytes = 5\n").find("max_answer_bytes"), std::string::npos);
}

TEST(Config, NumbersOutOfRangeAreRefusedWithTheKeyAndTheRange) {
  // These were taken as they came: -1 became 4 billion messages of context, a timeout of -1 ms
  // or a message cap of 18 exabytes.
  for (const char* text : {"[conductor]\nmax_context = -1\n", "[conductor]\nmax_context = 0\n",
                           "[transport]\nconnect_timeout_ms = -1\n", "[transport]\nread_timeout_ms = 0\n",
                           "[security]\nmax_message_size = -1\n", "[security]\nmax_message_size = 10\n",
                           "[transport]\nconnect_timeout_ms = \"5s\"\n"}) {
    const std::string error = error_of(text);
    EXPECT_NE(error.find("must be a whole number from"), std::string::npos) << text << " gave: " << error;
    EXPECT_NE(error.find("line "), std::string::npos) << error;
  }
  const auto c = parse("[conductor]\nmax_context = 40\n[transport]\nconnect_timeout_ms = 250\nread_timeout_ms = 9000\n"
                       "[security]\nmax_message_size = 65536\n");
  EXPECT_EQ(c.max_context, 40u);
  EXPECT_EQ(c.connect_timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(c.idle_timeout, std::chrono::milliseconds(9000));
  EXPECT_EQ(c.max_message_bytes, 65536u);
}

TEST(Config, HistoryIsOnUnlessTheFileOrTheEnvironmentTurnsItOff) {
  EXPECT_TRUE(parse("").history);
  EXPECT_FALSE(parse("[conductor]\nhistory = false\n").history);
  EXPECT_FALSE(parse("[history]\nenabled = false\n").history);
  EXPECT_TRUE(parse("[history]\nenabled = true\n").history);

  const char* saved = std::getenv("YOLLAYAH_NO_HISTORY");
  const std::string before = saved ? saved : "";
  Config c;
  ::setenv("YOLLAYAH_NO_HISTORY", "1", 1);
  apply_environment(c);
  EXPECT_FALSE(c.history);
  Config d;
  ::setenv("YOLLAYAH_NO_HISTORY", "0", 1);
  apply_environment(d);
  EXPECT_TRUE(d.history);
  if (saved) ::setenv("YOLLAYAH_NO_HISTORY", before.c_str(), 1);
  else ::unsetenv("YOLLAYAH_NO_HISTORY");
}

TEST(Config, MistakesInTheHistorySettingsNameTheLine) {
  EXPECT_EQ(error_of("[conductor]\nhistory = \"no\"\n"), "conductor.toml: line 2: history must be true or false");
  EXPECT_EQ(error_of("[history]\nenabled = \"off\"\n"), "conductor.toml: line 2: enabled must be true or false");
  EXPECT_EQ(error_of("[history]\nenabled = true\npath = \"/tmp/h.db\"\n"),
            "conductor.toml: line 3: unknown key \"path\" in [history]; known keys: enabled");
  EXPECT_NE(error_of("history = 1\n").find("[history] must be a table"), std::string::npos);
}

TEST(Config, GatewayRecordIsOffUnlessTheFileTurnsItOnAndMustBeABoolean) {
  EXPECT_FALSE(parse("").gateway.record);
  EXPECT_FALSE(parse("[gateway]\nlisten = \"127.0.0.1:0\"\n").gateway.record);
  EXPECT_TRUE(parse("[gateway]\nrecord = true\n").gateway.record);
  EXPECT_EQ(error_of("[gateway]\nrecord = \"yes\"\n"), "conductor.toml: line 2: record must be true or false");
}

// Found by fuzz_config_loader: toml++ 3.3 reaches undefined behaviour (__builtin_unreachable) when
// it asks whether some non-ASCII characters are whitespace (marzer/tomlplusplus#190, #295). The
// one valid TOML case, a line-ending backslash in a """ string followed by such a character, must
// give the text TOML says.
TEST(Config, ALineEndingBackslashBeforeANonAsciiCharacterKeepsIt) {
  auto c = parse("[conductor]\nsystem_prompt = \"\"\"\\\n  \xC2\xA7t\xC3\xA9 \\  \n\n \xE3\x81\x82 \\u00e9\"\"\"\n");
  EXPECT_EQ(c.system_prompt, std::optional<std::string>("\xC2\xA7t\xC3\xA9 \xE3\x81\x82 \xC3\xA9"));
}

TEST(Config, NonAsciiTextInStringsKeysAndCommentsLoads) {
  auto c = parse("# caf\xC3\xA9 \xEF\xBB\x86\n[conductor]\nsystem_prompt = 'caf\xC3\xA9 \xEF\xBB\x86'\n"
                 "[model_alias]\n\"caf\xC3\xA9\" = \"m\"\n[other]\nx.\"\xC3\xA9\" = { \"\xC3\xA9\" = [\"\xC3\xA9\", 1] }\n"
                 "d = 1979-05-27 07:32:00\ny = [1,\"\xC3\xA9\", { a = '\xC3\xA9' }, true]\n");
  EXPECT_EQ(c.system_prompt, std::optional<std::string>("caf\xC3\xA9 \xEF\xBB\x86"));
  EXPECT_EQ(c.model_aliases.at("caf\xC3\xA9"), "m");
}

TEST(Config, ANonAsciiCharacterOutsideAStringIsRefusedWithItsLine) {
  EXPECT_EQ(error_of("x = 1\n\xC3\xA9 = 2\n"),
            "conductor.toml: line 2: a non-ASCII character outside a string or comment");
  EXPECT_NE(error_of("x = 2\"\xEF\xBB\xBB\"\n").find("conductor.toml: line 1: "), std::string::npos);
  EXPECT_NE(error_of("s = \"\"\"\\\xC3\xA9\"\"\"\n").find("conductor.toml: line 1: "), std::string::npos);
  EXPECT_NE(error_of("x =0['''2\xEF\xB9\xBF['").find("conductor.toml: line 1: "), std::string::npos);
}

}  // namespace
}  // namespace yollayah::core
