#include "core/duration_histogram.hpp"

#include <gtest/gtest.h>

namespace yollayah::core {
namespace {

using namespace std::chrono_literals;

TEST(DurationHistogram, AnObservationLandsInTheFirstBucketWhoseBoundHoldsIt) {
  DurationHistogram h(ms_bounds({1, 10}));
  ASSERT_EQ(h.bounds(), 2u);
  EXPECT_EQ(h.bound_ns(0), 1'000'000u);
  h.observe(1ms);     // on the bound: le="0.001"
  h.observe(2ms);     // le="0.01"
  h.observe(10ms);    // le="0.01"
  h.observe(11ms);    // +Inf
  h.observe(-5ms);    // a clock that went back counts as 0
  EXPECT_EQ(h.count(0), 2u);
  EXPECT_EQ(h.count(1), 2u);
  EXPECT_EQ(h.count(2), 1u);
  EXPECT_EQ(h.sum_ns(), 24'000'000u);
}

TEST(DurationHistogram, MoreBoundsThanItHoldsAreCutToItsBuckets) {
  std::vector<std::uint64_t> many(DurationHistogram::kMaxBuckets + 5);
  for (std::size_t i = 0; i < many.size(); ++i) many[i] = i + 1;
  DurationHistogram h(many);
  EXPECT_EQ(h.bounds(), DurationHistogram::kMaxBuckets);
  h.observe(std::chrono::nanoseconds(1000));
  EXPECT_EQ(h.count(DurationHistogram::kMaxBuckets), 1u);
}

}  // namespace
}  // namespace yollayah::core
