// Checks on user input: sizes, control characters, command syntax and the sliding rate window.
#include "conductor/input_validator.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace yollayah::conductor {
namespace {

using namespace std::chrono_literals;
using Clock = InputValidator::Clock;
const Clock::time_point kT0{1000s};

TEST(InputValidator, AcceptsOrdinaryMessagesWithNewlinesTabsAndUnicode) {
  InputValidator v;
  EXPECT_FALSE(v.check_message("Hello!\n\tHow are you?\r\n", kT0));
  EXPECT_FALSE(v.check_message("día 🦎 ñ \u00a0 ✓", kT0));
  EXPECT_FALSE(v.check_message("", kT0));
}

TEST(InputValidator, MessageOf100KiBIsAcceptedButNotOneByteMore) {
  InputValidator v;
  EXPECT_FALSE(v.validate_message(std::string(102'400, 'a')));
  const auto r = v.validate_message(std::string(102'401, 'a'));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "Message is 101 KiB; the limit is 100 KiB. Shorten it or split it into parts.");
}

TEST(InputValidator, OversizeMessageReasonSaysHowBigAndWhatToDo) {
  InputValidator v;
  const auto r = v.validate_message(std::string(120 * 1024, 'a'));
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "Message is 120 KiB; the limit is 100 KiB. Shorten it or split it into parts.");
}

TEST(InputValidator, RejectsControlCharactersInMessages) {
  InputValidator v;
  for (const std::string& bad : {std::string("bell\x07"), std::string("esc\x1b[31m"), std::string("nul\0x", 5),
                                 std::string("del\x7f"), std::string("c1 \xc2\x85 next line")}) {
    const auto r = v.validate_message(bad);
    ASSERT_TRUE(r) << bad;
    EXPECT_NE(r->find("control character"), std::string::npos);
  }
  EXPECT_NE(v.validate_message("a\x07")->find("U+0007"), std::string::npos);
  EXPECT_NE(v.validate_message("a\xc2\x85")->find("U+0085"), std::string::npos);
}

TEST(InputValidator, CommandNamesAreOneToFiftyIdCharacters) {
  InputValidator v;
  const std::vector<std::string> none;
  for (const auto* good : {"help", "model", "my-cmd_2", "X"}) EXPECT_FALSE(v.validate_command(good, none)) << good;
  EXPECT_FALSE(v.validate_command(std::string(50, 'c'), none));
  for (const std::string& bad : {std::string(), std::string(51, 'c'), std::string("a b"), std::string("/help"),
                                 std::string("héllo"), std::string("x.y")}) {
    const auto r = v.validate_command(bad, none);
    ASSERT_TRUE(r) << bad;
    EXPECT_NE(r->find("/help"), std::string::npos) << *r;  // tells the user where to look
  }
}

TEST(InputValidator, AtMostTenArgumentsOfAtMost1000BytesWithoutControlCharacters) {
  InputValidator v;
  EXPECT_FALSE(v.validate_command("model", std::vector<std::string>(10, "a")));
  const auto too_many = v.validate_command("model", std::vector<std::string>(11, "a"));
  ASSERT_TRUE(too_many);
  EXPECT_EQ(*too_many, "/model got 11 arguments; the limit is 10. Drop some and try again.");

  EXPECT_FALSE(v.validate_command("model", std::vector<std::string>{std::string(1000, 'a')}));
  const auto too_long = v.validate_command("model", std::vector<std::string>{"ok", std::string(1001, 'a')});
  ASSERT_TRUE(too_long);
  EXPECT_EQ(*too_long, "Argument 2 of /model is 1001 bytes; the limit is 1000. Shorten it.");

  EXPECT_TRUE(v.validate_command("model", std::vector<std::string>{"line\nbreak"}));
  EXPECT_TRUE(v.validate_command("model", std::vector<std::string>{"tab\there"}));
  EXPECT_FALSE(v.validate_command("model", std::vector<std::string>{"llama3.2:3b", "día"}));
}

TEST(InputValidator, ThirtyInputsPerMinuteThenSlowDown) {
  InputValidator v;
  for (int i = 0; i < 30; ++i) ASSERT_FALSE(v.check_message("hi", kT0 + std::chrono::milliseconds(i * 100))) << i;
  const auto r = v.check_message("hi", kT0 + 3s);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "Slow down: 30 messages per minute at most. Try again in 57 s.");
  EXPECT_EQ(v.recent_count(kT0 + 3s), 30u);
}

TEST(InputValidator, RateWindowSlidesInsteadOfResettingEachMinute) {
  InputValidator v;
  // One input a second from t=30 s to t=59 s.
  for (int i = 30; i < 60; ++i) ASSERT_FALSE(v.check_message("hi", kT0 + std::chrono::seconds(i)));
  // A fixed window would reset at t=60 s; the sliding one still holds 30 inputs until t=90 s.
  const auto r = v.check_message("hi", kT0 + 61s);
  ASSERT_TRUE(r);
  EXPECT_NE(r->find("Try again in 29 s."), std::string::npos) << *r;
  EXPECT_TRUE(v.check_message("hi", kT0 + 89s + 999ms));
  EXPECT_FALSE(v.check_message("hi", kT0 + 90s));  // the t=30 s input has left the window
  EXPECT_TRUE(v.check_message("hi", kT0 + 90s + 500ms));
  EXPECT_FALSE(v.check_message("hi", kT0 + 91s));
}

TEST(InputValidator, MessagesAndCommandsShareTheRateLimit) {
  InputValidator v;
  const std::vector<std::string> none;
  for (int i = 0; i < 15; ++i) ASSERT_FALSE(v.check_message("hi", kT0));
  for (int i = 0; i < 15; ++i) ASSERT_FALSE(v.check_command("help", none, kT0));
  EXPECT_TRUE(v.check_command("help", none, kT0 + 1s));
  EXPECT_TRUE(v.check_message("hi", kT0 + 1s));
}

TEST(InputValidator, RejectedInputDoesNotUseUpTheQuota) {
  InputValidator v(InputLimits{.max_message_bytes = 10, .max_per_minute = 2});
  EXPECT_TRUE(v.check_message(std::string(11, 'a'), kT0));
  EXPECT_TRUE(v.check_command("bad name", {}, kT0));
  EXPECT_FALSE(v.check_message("ok", kT0));
  EXPECT_FALSE(v.check_message("ok", kT0));
  EXPECT_TRUE(v.check_message("ok", kT0));  // rate-limited attempts don't count either…
  EXPECT_FALSE(v.check_message("ok", kT0 + 60s));
  EXPECT_EQ(v.recent_count(kT0 + 60s), 1u);
}

TEST(InputValidator, ZeroRateLimitMeansUnlimited) {
  InputValidator v(InputLimits{.max_per_minute = 0});
  for (int i = 0; i < 1000; ++i) ASSERT_FALSE(v.check_message("hi", kT0));
}

TEST(InputValidator, WaitIsAtLeastOneSecond) {
  InputValidator v(InputLimits{.max_per_minute = 1});
  ASSERT_FALSE(v.check_message("hi", kT0));
  const auto r = v.check_message("hi", kT0 + 59s + 900ms);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "Slow down: 1 message per minute at most. Try again in 1 s.");
}

}  // namespace
}  // namespace yollayah::conductor
