// A Backend whose every chat() does what the test scripted: stream some content, then succeed,
// fail with a given error, or hold until released or cancelled. Records the requests it got.
// For the router's and the session's tests (one io_context thread; no locking).
#pragma once

#include "backend/backend.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace yollayah::test {

class FakeBackend final : public backend::Backend {
 public:
  struct Step {
    std::vector<std::string> pieces;              // content handed to the sink first, one batch each
    std::optional<backend::BackendError> error;   // then this failure (none: success)
    bool hold = false;                            // after the pieces, wait for release_all() or a cancel
  };

  explicit FakeBackend(std::string name, std::string url = "http://fake.invalid")
      : name_(std::move(name)), url_(std::move(url)) {}

  static backend::BackendError error(backend::BackendError::Kind kind, std::string message, unsigned status = 0) {
    return backend::BackendError{kind, std::move(message), "http://fake.invalid/api/chat", status, {}, {}};
  }

  void push(Step step) { steps_.push_back(std::move(step)); }
  Step default_step{{"ok"}, std::nullopt, false};  // what a call does when nothing was pushed

  std::string endpoint() const override { return url_; }
  std::string name() const override { return name_; }

  boost::asio::awaitable<backend::Result<backend::ChatStats>> chat(const backend::ChatRequest& request,
                                                                   backend::ChatSink& sink) override {
    requests.push_back(request);
    ++calls;
    ++active;
    max_active = std::max(max_active, active);
    Step step = steps_.empty() ? default_step : std::move(steps_.front());
    if (!steps_.empty()) steps_.pop_front();
    for (const auto& piece : step.pieces) {
      sink.on_content(piece);
      sink.on_batch_end();
    }
    if (step.hold) {
      auto timer = std::make_shared<boost::asio::steady_timer>(co_await boost::asio::this_coro::executor,
                                                               boost::asio::steady_timer::time_point::max());
      held_.push_back(timer);
      co_await timer->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      std::erase(held_, timer);
      auto cs = co_await boost::asio::this_coro::cancellation_state;
      if (cs.cancelled() != boost::asio::cancellation_type::none) {
        --active;
        co_return error(backend::BackendError::Kind::Cancelled, name_ + " was cancelled");
      }
    }
    --active;
    if (step.error) co_return *step.error;
    backend::ChatStats stats;
    stats.model = request.model;
    stats.eval_count = static_cast<std::uint32_t>(step.pieces.size());
    co_return stats;
  }

  boost::asio::awaitable<backend::Result<std::vector<backend::ModelInfo>>> list_models() override {
    if (models_error) co_return *models_error;
    std::vector<backend::ModelInfo> out;
    for (const auto& m : models) out.push_back({m, 0, {}});
    co_return out;
  }

  boost::asio::awaitable<backend::Result<std::string>> version() override {
    if (version_error) co_return *version_error;
    co_return std::string("fake 1.0");
  }

  // Wakes every held chat; each then finishes as its step says.
  void release_all() {
    for (auto& t : held_) t->cancel();
  }
  std::size_t held() const { return held_.size(); }

  std::vector<backend::ChatRequest> requests;
  std::size_t calls = 0;
  std::size_t active = 0;
  std::size_t max_active = 0;
  std::vector<std::string> models{"sim"};
  std::optional<backend::BackendError> models_error;
  std::optional<backend::BackendError> version_error;

 private:
  std::string name_;
  std::string url_;
  std::deque<Step> steps_;
  std::vector<std::shared_ptr<boost::asio::steady_timer>> held_;
};

// A ChatSink that keeps what it was given.
struct CollectingSink final : backend::ChatSink {
  void on_content(std::string_view text) override { content += text; }
  void on_loading(std::string_view model) override { loading.emplace_back(model); }
  void on_switch(std::string_view text) override { switches.emplace_back(text); }
  std::string content;
  std::vector<std::string> loading;
  std::vector<std::string> switches;
};

}  // namespace yollayah::test
