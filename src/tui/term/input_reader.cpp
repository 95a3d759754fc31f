#include "tui/term/input_reader.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>

#include <unistd.h>

namespace yollayah::tui::term {
namespace {

int dup_or_throw(int fd) {
  const int d = ::dup(fd);
  if (d < 0) throw boost::system::system_error(errno, boost::system::system_category(), "dup input fd");
  return d;
}

}  // namespace

InputReader::InputReader(const boost::asio::any_io_executor& ex, int fd,
                         std::chrono::milliseconds esc_timeout)
    : stream_(ex, dup_or_throw(fd)), esc_timer_(ex), esc_timeout_(esc_timeout) {
  events_.reserve(64);
}

void InputReader::cancel() {
  boost::system::error_code ignored;
  stream_.cancel(ignored);
  esc_timer_.cancel();
}

boost::asio::awaitable<boost::system::result<std::span<const InputEvent>>> InputReader::next() {
  using namespace boost::asio::experimental::awaitable_operators;
  constexpr auto use = boost::asio::as_tuple(boost::asio::use_awaitable);
  events_.clear();
  while (events_.empty()) {
    std::size_t n = 0;
    boost::system::error_code ec;
    if (decoder_.pending_escape()) {
      // An ESC with nothing after it yet: either more bytes arrive soon, or it was the Esc key.
      esc_timer_.expires_after(decoder_.pending_report() ? std::max(esc_timeout_, kReportTimeout) : esc_timeout_);
      auto first = co_await (stream_.async_read_some(boost::asio::buffer(buf_), use) ||
                             esc_timer_.async_wait(use));
      if (first.index() == 1) {
        if (std::get<0>(std::get<1>(first))) co_return boost::asio::error::operation_aborted;
        decoder_.flush_pending(events_);
        continue;
      }
      std::tie(ec, n) = std::get<0>(first);
    } else {
      std::tie(ec, n) = co_await stream_.async_read_some(boost::asio::buffer(buf_), use);
    }
    if (ec) co_return ec;
    decoder_.feed(std::string_view(buf_.data(), n), events_);
  }
  co_return std::span<const InputEvent>(events_);
}

}  // namespace yollayah::tui::term
