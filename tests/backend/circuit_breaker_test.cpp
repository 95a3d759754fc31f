#include "backend/routing/circuit_breaker.hpp"

#include <gtest/gtest.h>

namespace yollayah::backend::routing {
namespace {

using namespace std::chrono_literals;
using State = CircuitBreaker::State;
const CircuitBreaker::Clock::time_point t0{std::chrono::hours(1)};

CircuitBreaker breaker() { return CircuitBreaker({3, 5s, 60s}); }

TEST(CircuitBreaker, StaysClosedBelowTheThreshold) {
  auto b = breaker();
  b.record_failure(t0);
  b.record_failure(t0);
  EXPECT_EQ(b.state(), State::Closed);
  EXPECT_TRUE(b.try_admit(t0));
}

TEST(CircuitBreaker, OpensAfterConsecutiveFailuresAndRefusesUntilTheIntervalEnds) {
  auto b = breaker();
  for (int i = 0; i < 3; ++i) b.record_failure(t0);
  EXPECT_EQ(b.state(), State::Open);
  EXPECT_FALSE(b.try_admit(t0 + 4999ms));
  EXPECT_EQ(b.available_at(t0), t0 + 5s);
}

TEST(CircuitBreaker, ASuccessResetsTheCount) {
  auto b = breaker();
  b.record_failure(t0);
  b.record_failure(t0);
  b.record_success();
  b.record_failure(t0);
  b.record_failure(t0);
  EXPECT_EQ(b.state(), State::Closed);
}

TEST(CircuitBreaker, HalfOpenLetsExactlyOneProbeThrough) {
  auto b = breaker();
  for (int i = 0; i < 3; ++i) b.record_failure(t0);
  EXPECT_TRUE(b.try_admit(t0 + 5s));
  EXPECT_EQ(b.state(), State::HalfOpen);
  EXPECT_FALSE(b.try_admit(t0 + 5s));  // the probe is still out
  b.record_success();
  EXPECT_EQ(b.state(), State::Closed);
  EXPECT_TRUE(b.try_admit(t0 + 5s));
  EXPECT_TRUE(b.try_admit(t0 + 5s));
}

TEST(CircuitBreaker, AFailedProbeReopensForTwiceAsLongUpToTheCeiling) {
  auto b = breaker();
  for (int i = 0; i < 3; ++i) b.record_failure(t0);
  auto t = t0;
  std::chrono::seconds expected = 5s;
  for (int round = 0; round < 6; ++round) {
    t = b.open_until();
    ASSERT_TRUE(b.try_admit(t));
    b.record_failure(t);
    expected = std::min<std::chrono::seconds>(expected * 2, 60s);
    EXPECT_EQ(b.open_until() - t, expected) << "round " << round;
  }
  ASSERT_TRUE(b.try_admit(b.open_until()));
  b.record_success();
  for (int i = 0; i < 3; ++i) b.record_failure(t);
  EXPECT_EQ(b.open_until() - t, 5s);  // closed in between: back to the first interval
}

TEST(CircuitBreaker, ANeutralProbeLetsTheNextRequestProbe) {
  auto b = breaker();
  for (int i = 0; i < 3; ++i) b.record_failure(t0);
  ASSERT_TRUE(b.try_admit(t0 + 5s));
  b.record_neutral();
  EXPECT_EQ(b.state(), State::HalfOpen);
  EXPECT_TRUE(b.try_admit(t0 + 5s));
}

TEST(CircuitBreaker, CoolDownRefusesUntilItEndsWithoutCountingAFailure) {
  auto b = breaker();
  b.cool_down(t0 + 30s);
  EXPECT_FALSE(b.try_admit(t0 + 29s));
  EXPECT_TRUE(b.try_admit(t0 + 30s));
  EXPECT_EQ(b.consecutive_failures(), 0u);
  EXPECT_EQ(b.available_at(t0), t0 + 30s);
}

TEST(CircuitBreaker, ForcedProbeGoesThroughAnOpenBreaker) {
  auto b = breaker();
  for (int i = 0; i < 3; ++i) b.record_failure(t0);
  ASSERT_FALSE(b.try_admit(t0 + 1s));
  b.force_probe();
  EXPECT_TRUE(b.try_admit(t0 + 1s));
  EXPECT_FALSE(b.try_admit(t0 + 1s));
}

}  // namespace
}  // namespace yollayah::backend::routing
