// Retry-After: both forms parsed, and carried by 429 and 503 answers into BackendError::retry_after.
#include "backend/fake_server.hpp"
#include "backend/http_client.hpp"
#include "backend/sim_harness.hpp"
#include "core/log.hpp"

#include <gtest/gtest.h>

namespace yollayah::backend {
namespace {

using namespace testing;
using namespace std::chrono;
namespace http = boost::beast::http;

// Sun, 06 Nov 1994 08:49:37 GMT
const system_clock::time_point kDate = system_clock::from_time_t(784111777);

TEST(RetryAfter, DeltaSeconds) {
  EXPECT_EQ(parse_retry_after("120", kDate), milliseconds(120000));
  EXPECT_EQ(parse_retry_after(" 0 ", kDate), milliseconds(0));
}

TEST(RetryAfter, AllThreeHttpDateForms) {
  const auto before = kDate - seconds(30);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", before), milliseconds(30000));
  EXPECT_EQ(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", before), milliseconds(30000));
  EXPECT_EQ(parse_retry_after("Sun Nov  6 08:49:37 1994", before), milliseconds(30000));
}

TEST(RetryAfter, ADateInThePastMeansNow) {
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", kDate + hours(1)), milliseconds(0));
}

TEST(RetryAfter, IsCappedAtADay) {
  EXPECT_EQ(parse_retry_after("99999999999999999999999", kDate), milliseconds(hours(24)));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 2094 08:49:37 GMT", kDate), milliseconds(hours(24)));
}

TEST(RetryAfter, AnythingElseIsNothing) {
  for (const char* bad : {"", "  ", "-5", "1.5", "soon", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Foo 1994 08:49:37 GMT",
                          "Sun, 06 Nov 1994 08:49:37 GMT trailing", "Sun, 36 Nov 1994 08:49:37 GMT"}) {
    EXPECT_FALSE(parse_retry_after(bad, kDate)) << '"' << bad << '"';
  }
}

class RetryAfterAnswers : public ::testing::Test {
 protected:
  void SetUp() override { core::disable_logging(); }

  BackendError error_for(unsigned status, const std::string& header) {
    fake::Server server(ioc_, [&](const fake::Request&) {
      return fake::Reply{fake::response(status, R"({"error":"busy"})", header)};
    });
    BackendConfig config;
    config.endpoint = parse_ollama_host(server.url());
    HttpClient client(ioc_.get_executor(), config);
    auto r = run_bounded(ioc_, client.fetch(http::verb::get, "/v1/models"), 5s);
    EXPECT_TRUE(r && !*r);
    return r && !*r ? r->error() : BackendError{};
  }

  boost::asio::io_context ioc_;
};

TEST_F(RetryAfterAnswers, A429CarriesTheWaitTheServerAskedFor) {
  auto e = error_for(429, "Retry-After: 7\r\n");
  EXPECT_EQ(e.kind, BackendError::Kind::Http);
  EXPECT_EQ(e.http_status, 429u);
  EXPECT_EQ(e.message, "busy");
  EXPECT_EQ(e.retry_after, 7s);
}

TEST_F(RetryAfterAnswers, A503CarriesAnHttpDate) {
  auto in_a_minute = system_clock::to_time_t(system_clock::now() + minutes(1) + seconds(1));
  char date[64];
  std::tm tm{};
  gmtime_r(&in_a_minute, &tm);
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  auto e = error_for(503, std::string("Retry-After: ") + date + "\r\n");
  EXPECT_EQ(e.http_status, 503u);
  EXPECT_GT(e.retry_after, 50s);
  EXPECT_LE(e.retry_after, 61s);
}

TEST_F(RetryAfterAnswers, OtherStatusesAndMissingHeadersLeaveItZero) {
  EXPECT_EQ(error_for(500, "Retry-After: 7\r\n").retry_after, 0ms);
  EXPECT_EQ(error_for(429, "").retry_after, 0ms);
  EXPECT_EQ(error_for(429, "Retry-After: later\r\n").retry_after, 0ms);
}

}  // namespace
}  // namespace yollayah::backend
