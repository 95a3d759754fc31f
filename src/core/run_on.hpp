// Handing blocking or CPU-heavy work off an event loop (ASYNC.md, "Handing off blocking work").
#pragma once
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace yollayah::core {

// Runs f() on `pool` and resumes the awaiting coroutine on its own executor with the result.
// f must not throw: return errors as values.
template <class T, class F>
boost::asio::awaitable<T> run_on(boost::asio::thread_pool& pool, F f) {
  namespace asio = boost::asio;
  return asio::async_initiate<decltype(asio::use_awaitable), void(T)>(
      [&pool](auto handler, F job) {
        asio::post(pool, [job = std::move(job), handler = std::move(handler)]() mutable {
          T result = job();  // on the pool: blocking is allowed here
          auto home = asio::get_associated_executor(handler);
          asio::dispatch(home, [handler = std::move(handler), result = std::move(result)]() mutable {
            std::move(handler)(std::move(result));
          });
        });
      },
      asio::use_awaitable, std::move(f));
}

}  // namespace yollayah::core
