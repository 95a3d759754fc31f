#include "chunked_writer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <cstdio>

namespace yollayah::sim {

namespace asio = boost::asio;

ChunkedWriter::ChunkedWriter(SimStream& stream, std::string_view content_type, bool keep_alive)
    : stream_(stream) {
  header_ = "HTTP/1.1 200 OK\r\nContent-Type: ";
  header_ += content_type;
  header_ += "\r\nTransfer-Encoding: chunked\r\n";
  if (!keep_alive) header_ += "Connection: close\r\n";
  header_ += "\r\n";
  buf_.reserve(kChunkTarget + 4096);
}

asio::awaitable<boost::system::error_code> ChunkedWriter::flush(bool last) {
  static constexpr std::string_view kCrlf = "\r\n";
  static constexpr std::string_view kEnd = "0\r\n\r\n";
  char size_line[20];
  int size_len = std::snprintf(size_line, sizeof size_line, "%zx\r\n", buf_.size());

  // Parts that are not needed stay empty; the write skips zero-length buffers.
  std::array<asio::const_buffer, 5> parts{};
  if (!header_sent_) parts[0] = asio::buffer(header_);
  if (!buf_.empty()) {
    parts[1] = asio::buffer(size_line, static_cast<std::size_t>(size_len));
    parts[2] = asio::buffer(buf_);
    parts[3] = asio::buffer(kCrlf);
  }
  if (last) parts[4] = asio::buffer(kEnd);
  if (asio::buffer_size(parts) == 0) co_return boost::system::error_code{};
  header_sent_ = true;

  auto [ec, written] = co_await asio::async_write(stream_, parts, asio::as_tuple(asio::use_awaitable));
  (void)written;
  buf_.clear();  // keeps its capacity: no allocation on the next chunk
  co_return ec;
}

asio::awaitable<boost::system::error_code> ChunkedWriter::flush_half() {
  char size_line[20];
  int size_len = std::snprintf(size_line, sizeof size_line, "%zx\r\n", buf_.size());
  std::array<asio::const_buffer, 3> parts{};
  if (!header_sent_) parts[0] = asio::buffer(header_);
  parts[1] = asio::buffer(size_line, static_cast<std::size_t>(size_len));
  parts[2] = asio::buffer(buf_.data(), buf_.size() / 2);
  header_sent_ = true;
  auto [ec, written] = co_await asio::async_write(stream_, parts, asio::as_tuple(asio::use_awaitable));
  (void)written;
  buf_.clear();
  co_return ec;
}

}  // namespace yollayah::sim
