// The /metrics exposition itself (the gateway tests scrape it over HTTP and check it with promtool).
#include "gateway/metrics.hpp"

#include <gtest/gtest.h>

namespace yollayah::gateway {
namespace {

using namespace std::chrono_literals;

TEST(MetricsText, TheHistoryWriteHistogramIsThereOnlyWhenTheHistoryIs) {
  Metrics m({"local"});
  EXPECT_EQ(m.render(nullptr, {}).find("yollayah_history_write_seconds"), std::string::npos);

  DurationHistogram writes(core::ms_bounds({1, 10}));
  writes.observe(500us);
  writes.observe(20ms);
  const std::string text = m.render(nullptr, {}, &writes);
  EXPECT_NE(text.find("# TYPE yollayah_history_write_seconds histogram\n"), std::string::npos);
  EXPECT_NE(text.find("yollayah_history_write_seconds_bucket{le=\"0.001\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("yollayah_history_write_seconds_bucket{le=\"0.01\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("yollayah_history_write_seconds_bucket{le=\"+Inf\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("yollayah_history_write_seconds_sum 0.0205\n"), std::string::npos) << text;
  EXPECT_NE(text.find("yollayah_history_write_seconds_count 2\n"), std::string::npos) << text;
}

TEST(MetricsText, BackendHistogramsKeepTheirLabelsBesideLe) {
  Metrics m({"local"});
  m.on_attempt(0, nullptr, 30ms, 1);
  const std::string text = m.render(nullptr, {});
  EXPECT_NE(text.find("yollayah_backend_first_token_seconds_bucket{backend=\"local\",le=\"0.05\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("yollayah_backend_first_token_seconds_count{backend=\"local\"} 1\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace yollayah::gateway
