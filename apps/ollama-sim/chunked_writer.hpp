// An HTTP/1.1 chunked response written in large batches: callers append NDJSON lines to buffer()
// and flush once it holds ~64 KiB (or when pacing says so). One gather write per chunk; the
// response header goes out with the first chunk.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <string>
#include <string_view>

namespace yollayah::sim {

class ChunkedWriter {
 public:
  static constexpr std::size_t kChunkTarget = 64 * 1024;

  ChunkedWriter(boost::asio::ip::tcp::socket& socket, std::string_view content_type, bool keep_alive);

  std::string& buffer() { return buf_; }
  bool wants_flush() const { return buf_.size() >= kChunkTarget; }

  // Sends the buffered bytes as one chunk (and the header, the first time). `last` appends the
  // terminating zero-length chunk.
  boost::asio::awaitable<boost::system::error_code> flush(bool last = false);

 private:
  boost::asio::ip::tcp::socket& socket_;
  std::string header_;
  bool header_sent_ = false;
  std::string buf_;
};

}  // namespace yollayah::sim
