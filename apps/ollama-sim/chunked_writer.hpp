// An HTTP/1.1 chunked response written in large batches: callers append NDJSON lines or SSE
// events to buffer() and flush once it holds ~64 KiB (or when pacing says so). One gather write
// per chunk; the response header goes out with the first chunk.
#pragma once

#include "sim_stream.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <string>
#include <string_view>

namespace yollayah::sim {

class ChunkedWriter {
 public:
  static constexpr std::size_t kChunkTarget = 64 * 1024;

  ChunkedWriter(SimStream& stream, std::string_view content_type, bool keep_alive);

  std::string& buffer() { return buf_; }
  bool wants_flush() const { return buf_.size() >= kChunkTarget; }

  // Sends the buffered bytes as one chunk (and the header, the first time). `last` appends the
  // terminating zero-length chunk.
  boost::asio::awaitable<boost::system::error_code> flush(bool last = false);
  // A chunk cut in two: its size line announces the whole buffer but only the first half of the
  // bytes follow (for --reset-after, which then resets the connection).
  boost::asio::awaitable<boost::system::error_code> flush_half();

 private:
  SimStream& stream_;
  std::string header_;
  bool header_sent_ = false;
  std::string buf_;
};

}  // namespace yollayah::sim
