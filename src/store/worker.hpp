// One thread that owns a blocking library (SQLite, for the store): tasks run one at a time in the
// order they were posted, and an alarm runs a callback at a time of the owner's choosing. Event
// loops only post here, and co_await the replies of call() (ASYNC.md, "Handing off blocking work").
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace yollayah::store {

class Worker {
 public:
  using Clock = std::chrono::steady_clock;

  // `on_alarm` runs on the worker when the time given to arm() comes. While nothing is queued and
  // no alarm is set, the thread sleeps on a condition variable: an idle store makes no wake-ups.
  Worker(std::string name, std::function<void()> on_alarm);
  ~Worker();  // stop()
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Queues f() to run on the worker. Any thread; never blocks beyond a short lock.
  template <class F>
  void post(F f) {
    push(std::make_unique<Job<F>>(std::move(f)));
  }

  // Sets the alarm for `when`, unless it is already set sooner. Any thread.
  void arm(Clock::time_point when);

  // Runs what is queued, then ends the thread and joins it. Later posts are dropped. Not from the
  // worker itself.
  void stop();

  // Runs f() (which must not throw: errors are values) on the worker and resumes the awaiting
  // coroutine on its own executor with the result. The coroutine's executor keeps work counted
  // meanwhile, so its io_context does not run out of work while it waits.
  template <class T, class F>
  boost::asio::awaitable<T> call(F f) {
    namespace asio = boost::asio;
    return asio::async_initiate<decltype(asio::use_awaitable), void(T)>(
        [this](auto handler, F job) {
          auto work = asio::make_work_guard(asio::get_associated_executor(handler));
          post([job = std::move(job), handler = std::move(handler), work = std::move(work)]() mutable {
            T result = job();  // on the worker: blocking is allowed here
            auto home = work.get_executor();
            // The guard goes on the home thread, after the reply: released here, it could drop the
            // loop's work count to zero after a run()/restart() pair there and stop it for good.
            asio::post(home, [handler = std::move(handler), result = std::move(result), work = std::move(work)]() mutable {
              std::move(handler)(std::move(result));
            });
          });
        },
        asio::use_awaitable, std::move(f));
  }

 private:
  struct Task {
    virtual ~Task() = default;
    virtual void run() = 0;
  };
  template <class F>
  struct Job final : Task {
    explicit Job(F f) : f(std::move(f)) {}
    void run() override { f(); }
    F f;
  };

  void push(std::unique_ptr<Task> task);
  void loop();

  std::function<void()> on_alarm_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<Task>> tasks_;
  std::optional<Clock::time_point> alarm_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace yollayah::store
