// The input rate per surface (issue 15, finding 8): each surface has its own window, the session
// a ceiling several times higher that its refusal states, and surfaces that went quiet are
// forgotten.
#include "conductor/input_validator.hpp"

#include <gtest/gtest.h>

namespace yollayah::conductor {
namespace {

using namespace std::chrono_literals;
const auto kT0 = InputValidator::Clock::time_point{} + 1000h;

TEST(InputRate, EachSurfaceHasItsOwnWindow) {
  InputValidator v;
  for (int i = 0; i < 35; ++i) (void)v.check_message(1, "hi", kT0 + std::chrono::milliseconds(i));
  EXPECT_EQ(v.recent_count(1, kT0 + 1s), 30u);
  EXPECT_TRUE(v.check_message(1, "hi", kT0 + 1s));
  EXPECT_FALSE(v.check_message(2, "hi", kT0 + 1s)) << "surface 2 must not wait for surface 1";
  EXPECT_FALSE(v.check_command(2, "help", {}, kT0 + 1s));
  EXPECT_EQ(v.recent_count(2, kT0 + 1s), 2u);
  EXPECT_EQ(v.session_count(kT0 + 1s), 32u);
}

TEST(InputRate, TheSessionCeilingIsFourTimesTheLimitAndSaysSo) {
  InputValidator v(InputLimits{.max_per_minute = 3});
  EXPECT_EQ(v.session_ceiling(), 12u);
  for (InputValidator::SurfaceKey s = 1; s <= 4; ++s)
    for (int i = 0; i < 3; ++i) ASSERT_FALSE(v.check_message(s, "hi", kT0 + std::chrono::seconds(s))) << s;
  const auto r = v.check_message(5, "hi", kT0 + 10s);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "Slow down: 12 messages per minute at most from all the windows of this conversation together (3 "
                "from each). Try again in 51 s.");
  EXPECT_EQ(v.recent_count(5, kT0 + 10s), 0u);  // refused input does not count
  EXPECT_FALSE(v.check_message(5, "hi", kT0 + 61s));  // surface 1's inputs have left the window
}

TEST(InputRate, ASurfacesOwnLimitKeepsItsWording) {
  InputValidator v(InputLimits{.max_per_minute = 2});
  ASSERT_FALSE(v.check_message(7, "hi", kT0));
  ASSERT_FALSE(v.check_message(7, "hi", kT0));
  const auto r = v.check_message(7, "hi", kT0 + 20s);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "Slow down: 2 messages per minute at most. Try again in 40 s.");
}

TEST(InputRate, NoCeilingWhenTheFactorIsZero) {
  InputValidator v(InputLimits{.max_per_minute = 1, .session_factor = 0});
  for (InputValidator::SurfaceKey s = 1; s <= 100; ++s) ASSERT_FALSE(v.check_message(s, "hi", kT0)) << s;
}

TEST(InputRate, SurfacesThatWentQuietAreForgotten) {
  InputValidator v(InputLimits{.session_factor = 0});
  for (InputValidator::SurfaceKey s = 1; s <= 1000; ++s)
    ASSERT_FALSE(v.check_message(s % 100, "hi", kT0 + std::chrono::milliseconds(s))) << s;
  EXPECT_EQ(v.recent_count(5, kT0 + 2s), 10u);
  EXPECT_EQ(v.tracked_surfaces(), 100u);
  ASSERT_FALSE(v.check_message(1000, "hi", kT0 + 2min));
  EXPECT_EQ(v.tracked_surfaces(), 1u);
  EXPECT_EQ(v.recent_count(5, kT0 + 2min), 0u);
  EXPECT_EQ(v.session_count(kT0 + 2min), 1u);
}

}  // namespace
}  // namespace yollayah::conductor
