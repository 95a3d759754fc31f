#include "support/stall_budget.hpp"

#include <gtest/gtest.h>

namespace yollayah::test {

namespace {

std::string describe(const core::LoopStats& s) {
  return "event loop '" + s.name + "': worst " + std::to_string(s.worst.count()) + " us, p99 " +
         std::to_string(s.p99.count()) + " us over " + std::to_string(s.samples) + " probes";
}

}  // namespace

void expect_stall_budget(const core::LoopStats& stats, std::chrono::milliseconds budget,
                         bool require_samples) {
  if (require_samples) {
    EXPECT_GT(stats.samples, 0u) << describe(stats)
                                 << ": never measured (does its owner call note_activity()?)";
  }
  EXPECT_LE(stats.worst, budget) << describe(stats) << ", over the stall budget of "
                                 << budget.count() << " ms";
}

void expect_stall_budget(const core::StallMonitor& monitor, std::chrono::milliseconds budget,
                         bool require_samples) {
  expect_stall_budget(monitor.stats(), budget, require_samples);
}

void expect_all_loops_within_budget(std::chrono::milliseconds budget) {
  for (const auto& stats : core::StallMonitor::snapshot()) {
    if (stats.samples > 0) expect_stall_budget(stats, budget, false);
  }
}

}  // namespace yollayah::test
