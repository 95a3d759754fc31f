// The stall budget for tests: the worst event-loop lag any test scenario may show, and the
// GoogleTest checks that hold a loop (or every loop in the process) to it. See StallMonitor.
#pragma once

#include "core/stall_monitor.hpp"

#include <chrono>

#if defined(__SANITIZE_ADDRESS__)
#define YOLLAYAH_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define YOLLAYAH_TEST_ASAN 1
#endif
#endif

namespace yollayah::test {

// The worst lag allowed in a scenario. A real blocking call on a loop (disk, DNS, a synchronous
// connect, a sleep, SQLite) costs tens of milliseconds or more, while our handlers take
// microseconds; the budget sits at the stall-warning threshold, so anything that would log a stall
// in production fails the test. It is not tighter because CI shares 2 cores between the build and
// the tests, and the monitor cannot tell the OS preempting a loop's thread from the loop blocking.
// ASan and UBSan slow everything down several times, hence the looser budget there.
#if defined(YOLLAYAH_TEST_ASAN)
inline constexpr std::chrono::milliseconds kStallBudget{200};
#else
inline constexpr std::chrono::milliseconds kStallBudget{50};
#endif

// EXPECTs that the loop's worst lag is within `budget`, printing its figures otherwise. With
// `require_samples`, also EXPECTs that it was measured at all: a loop with no samples means its
// owner never calls note_activity(), and the budget would prove nothing.
void expect_stall_budget(const core::LoopStats& stats,
                         std::chrono::milliseconds budget = kStallBudget,
                         bool require_samples = true);
void expect_stall_budget(const core::StallMonitor& monitor,
                         std::chrono::milliseconds budget = kStallBudget,
                         bool require_samples = true);

// The same for every monitor alive in the process (StallMonitor::snapshot()); loops that were
// never active are skipped.
void expect_all_loops_within_budget(std::chrono::milliseconds budget = kStallBudget);

}  // namespace yollayah::test
