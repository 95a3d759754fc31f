// Reads terminal input through Asio and decodes it into events; a lone Esc is resolved after a
// short timeout with no further bytes.
#pragma once

#include "tui/term/input_decoder.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/result.hpp>

#include <array>
#include <chrono>
#include <span>
#include <vector>

namespace yollayah::tui::term {

class InputReader {
 public:
  static constexpr std::chrono::milliseconds kEscTimeout{25};
  // How long a started colour report (ESC ] 11 ; …) may take to complete before its bytes count as
  // typed keys.
  static constexpr std::chrono::milliseconds kReportTimeout{200};

  // Reads a duplicate of `fd` (the caller keeps and closes its own). Throws
  // boost::system::system_error if the descriptor cannot be duplicated (a start-up failure).
  InputReader(const boost::asio::any_io_executor& ex, int fd,
              std::chrono::milliseconds esc_timeout = kEscTimeout);

  // Waits until at least one event is decoded, then returns every event decoded so far. The span
  // is valid until the next call. End of input and read errors come back as the error (EOF is
  // boost::asio::error::eof; a hung-up pty reads as EIO). Cancel through the awaiting
  // coroutine's cancellation slot or cancel().
  boost::asio::awaitable<boost::system::result<std::span<const InputEvent>>> next();

  // Stops the read in flight: next() returns operation_aborted and the descriptor is not read
  // again until the next call (the external editor owns the terminal meanwhile). Bytes already
  // decoded or buffered are kept.
  void cancel();

 private:
  boost::asio::posix::stream_descriptor stream_;
  boost::asio::steady_timer esc_timer_;
  std::chrono::milliseconds esc_timeout_;
  InputDecoder decoder_;
  std::vector<InputEvent> events_;
  std::array<char, 4096> buf_{};
};

}  // namespace yollayah::tui::term
