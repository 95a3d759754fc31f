// Asynchronous terminal writer: never blocks the event loop, holds at most the frame being written
// plus one pending frame; a newer frame replaces the pending one (the latest wins).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

namespace yollayah::tui::term {

struct OutputStats {
  std::uint64_t frames_submitted = 0;
  std::uint64_t frames_written = 0;
  std::uint64_t frames_replaced = 0;  // pending frames dropped for a newer one
  std::uint64_t bytes_written = 0;
};

class Output {
 public:
  // Writes to a duplicate of `fd` (the caller keeps and closes its own). Throws
  // boost::system::system_error if the descriptor cannot be duplicated (a start-up failure).
  Output(const boost::asio::any_io_executor& ex, int fd);
  ~Output();
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  // Queues `frame`. Returns true when it replaced a pending frame that was never written: the
  // bytes of a replaced frame are lost, so frames that may replace one must be self-contained
  // (a full redraw). Renderers that emit diffs should check has_pending() first and either wait
  // for on_drained or invalidate and submit a full frame.
  bool submit(std::string_view frame);

  bool busy() const;         // a write is in flight
  bool has_pending() const;  // a frame is waiting behind the one in flight

  // Called (on the executor) each time the writer becomes idle with nothing pending.
  void on_drained(std::function<void()> callback);

  OutputStats stats() const;
  boost::system::error_code error() const;  // the first write error; writing stops after one
  std::size_t buffer_capacity() const;      // bytes reserved by the two frame slots

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace yollayah::tui::term
