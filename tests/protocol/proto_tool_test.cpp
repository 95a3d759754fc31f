// The yollayah-proto binary, run through a shell pipe: JSON lines -> frames -> JSON lines, and
// a clear, non-zero failure on a corrupted stream.
#include "protocol/frame.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace yollayah::protocol {
namespace {

using ::testing::HasSubstr;

const std::string kTool = YOLLAYAH_BIN_DIR "/yollayah-proto";

struct RunResult {
  int exit_code = -1;
  std::string output;
};

// Runs a shell command and captures its stdout.
RunResult run(const std::string& command) {
  RunResult r;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class ProtoTool : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kTool)) << kTool << " is missing: build the yollayah-proto target";
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("proto_tool_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write_file(const std::string& name, const std::string& bytes) {
    const auto path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(ProtoTool, EncodeThenDecodeRoundTripsMessagesInCanonicalForm) {
  const std::string input =
      "{\"Token\":{\"message_id\":\"msg_7\",\"text\":\"Hi\"}}\n"
      "\n"
      "  \"QueryCapabilities\"  \n"
      "{\"Notify\":{\"message\":\"x\\u00e9\",\"level\":\"Info\",\"unknown\":1}}\n"
      "{\"Ping\":{\"seq\":1}}\n";
  const std::string expected =
      "{\"Token\":{\"message_id\":\"msg_7\",\"text\":\"Hi\"}}\n"
      "\"QueryCapabilities\"\n"
      "{\"Notify\":{\"level\":\"Info\",\"title\":null,\"message\":\"x\u00e9\"}}\n"
      "{\"Ping\":{\"seq\":1}}\n";
  const auto in = write_file("in.jsonl", input);
  const auto r = run(kTool + " encode --message < " + in + " | " + kTool + " decode --message");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, expected);
}

TEST_F(ProtoTool, EncodeWritesGoldenFrameBytes) {
  const auto in = write_file("ping.jsonl", "{\"Ping\":{\"seq\":1}}\n");
  const auto r = run(kTool + " encode --message < " + in);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, make_frame("{\"Ping\":{\"seq\":1}}"));
}

TEST_F(ProtoTool, EncodeThenDecodeRoundTripsEvents) {
  const std::string input =
      "{\"UserMessage\":{\"event_id\":\"e1\",\"content\":\"hello\"}}\n"
      "{\"Pong\":{\"seq\":3}}\n";
  const auto in = write_file("events.jsonl", input);
  const auto r = run(kTool + " encode --event < " + in + " | " + kTool + " decode --event");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, input);
}

TEST_F(ProtoTool, CorruptedFrameFailsNamingItsOffset) {
  std::string stream = make_frame("{\"Ping\":{\"seq\":1}}");
  const std::size_t second = stream.size();
  std::string bad = make_frame("{\"Ping\":{\"seq\":2}}");
  bad[10] ^= 0x01;
  stream += bad;
  const auto in = write_file("bad.bin", stream);
  const auto r = run(kTool + " decode --message < " + in + " 2>&1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("{\"Ping\":{\"seq\":1}}\n"));  // the good frame came first
  EXPECT_THAT(r.output, HasSubstr("byte " + std::to_string(second)));
  EXPECT_THAT(r.output, HasSubstr("CrcMismatch"));
}

TEST_F(ProtoTool, TruncatedStreamFailsNamingTheOffset) {
  const std::string frame = make_frame("{\"Ping\":{\"seq\":1}}");
  const auto in = write_file("short.bin", frame + frame.substr(0, 12));
  const auto r = run(kTool + " decode --message < " + in + " 2>&1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("Truncated"));
  EXPECT_THAT(r.output, HasSubstr("byte " + std::to_string(frame.size())));
}

TEST_F(ProtoTool, BadJsonLineFailsNamingTheLine) {
  const auto in = write_file("bad.jsonl", "{\"Ping\":{\"seq\":1}}\n{\"Ping\":{\"seq\":-4}}\n");
  const auto r = run(kTool + " encode --message < " + in + " 2>&1 >/dev/null");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("line 2"));
  EXPECT_THAT(r.output, HasSubstr("Ping.seq: expected u64, got -4"));
}

TEST_F(ProtoTool, RequiresExactlyOneFamily) {
  EXPECT_NE(run(kTool + " encode < /dev/null 2>/dev/null").exit_code, 0);
  EXPECT_NE(run(kTool + " encode --message --event < /dev/null 2>/dev/null").exit_code, 0);
}

}  // namespace
}  // namespace yollayah::protocol
