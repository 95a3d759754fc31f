// Measuring what the relay adds: a Backend decorator stamps when lines of the model's answer are
// parsed, the surface records when its Tokens arrive (cumulative bytes), and the two are matched
// per line. Used by token_relay (in-process) and socket_latency (through the Unix socket).
#pragma once

#include "backend/backend.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace yollayah::bench {

using Clock = std::chrono::steady_clock;

struct Stamps {
  std::vector<Clock::time_point> at;    // when stamped line i's content was parsed
  std::vector<std::uint64_t> end_byte;  // cumulative content bytes after that line
  std::uint64_t lines = 0;              // all lines, stamped or not
};

// (arrival time, cumulative content bytes the surface holds by then), one per Token received.
using Arrivals = std::vector<std::pair<Clock::time_point, std::uint64_t>>;

// Wraps a ChatSink: stamps one line in `every` (reading the clock on every line would cost a
// saturated relay more than what it measures; at a paced rate, stamp them all).
class StampingSink final : public backend::ChatSink {
 public:
  StampingSink(backend::ChatSink& inner, Stamps& stamps, std::uint64_t every)
      : inner_(inner), stamps_(stamps), every_(every) {}
  void on_content(std::string_view text) override {
    bytes_ += text.size();
    if (++stamps_.lines % every_ == 0) {
      stamps_.at.push_back(Clock::now());
      stamps_.end_byte.push_back(bytes_);
    }
    inner_.on_content(text);
  }
  void on_batch_end() override { inner_.on_batch_end(); }

 private:
  backend::ChatSink& inner_;
  Stamps& stamps_;
  std::uint64_t every_;
  std::uint64_t bytes_ = 0;
};

class StampingBackend final : public backend::Backend {
 public:
  StampingBackend(std::shared_ptr<backend::Backend> inner, Stamps& stamps, std::uint64_t every = 1)
      : inner_(std::move(inner)), stamps_(stamps), every_(every) {}
  std::string endpoint() const override { return inner_->endpoint(); }
  boost::asio::awaitable<backend::Result<backend::ChatStats>> chat(const backend::ChatRequest& r,
                                                                   backend::ChatSink& sink) override {
    StampingSink stamping(sink, stamps_, every_);
    co_return co_await inner_->chat(r, stamping);
  }
  boost::asio::awaitable<backend::Result<std::vector<backend::ModelInfo>>> list_models() override {
    return inner_->list_models();
  }
  boost::asio::awaitable<backend::Result<std::string>> version() override { return inner_->version(); }

 private:
  std::shared_ptr<backend::Backend> inner_;
  Stamps& stamps_;
  std::uint64_t every_;
};

// The added latency of each stamped line, in µs, sorted: a line is delivered by the first arrival
// whose cumulative bytes cover it.
inline std::vector<double> sorted_latencies_us(const Stamps& stamps, const Arrivals& arrivals) {
  std::vector<double> lat;
  lat.reserve(stamps.at.size());
  std::size_t a = 0;
  for (std::size_t i = 0; i < stamps.at.size(); ++i) {
    while (a < arrivals.size() && arrivals[a].second < stamps.end_byte[i]) ++a;
    if (a == arrivals.size()) break;
    lat.push_back(std::chrono::duration<double, std::micro>(arrivals[a].first - stamps.at[i]).count());
  }
  std::sort(lat.begin(), lat.end());
  return lat;
}

// The p-th percentile (0..100) of sorted values; 0 when there are none.
inline double percentile(const std::vector<double>& sorted, std::size_t p) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1, sorted.size() * p / 100)];
}

}  // namespace yollayah::bench
