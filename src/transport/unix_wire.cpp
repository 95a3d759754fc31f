#include "transport/unix_wire.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>

namespace yollayah::transport {
namespace {
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadBufferBeforeHello = 4 * 1024;
constexpr std::size_t kReadBuffer = 64 * 1024;
}  // namespace

UnixWire::UnixWire(Socket socket) : socket_(std::move(socket)), read_buf_(kReadBufferBeforeHello) {}

void UnixWire::hello_admitted() {
  hello_ = true;
  decoder_.set_max_payload(protocol::kMaxFramePayload);
  read_buf_.resize(kReadBuffer);
}

asio::awaitable<WireRead> UnixWire::read() {
  for (;;) {
    auto next = decoder_.next();
    if (!next) co_return WireRead{WireRead::Status::Broken, {}, protocol::describe(next.error())};
    if (*next) co_return WireRead{WireRead::Status::Payload, **next, {}};
    // Before the hello, never read past the frame being decoded: the frame limit is raised only
    // when the hello is admitted, and a frame pipelined behind it is checked against the new one.
    std::size_t want = read_buf_.size();
    if (!hello_) want = std::clamp<std::size_t>(decoder_.wanted(), 1, want);
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(read_buf_.data(), want), kAwait);
    if (ec == asio::error::eof || ec == asio::error::operation_aborted) co_return WireRead{};
    if (ec) co_return WireRead{WireRead::Status::Failed, {}, "read failed: " + ec.message()};
    decoder_.feed(std::string_view(read_buf_.data(), n));
  }
}

asio::awaitable<boost::system::error_code> UnixWire::write(std::span<const protocol::EnvelopePtr> batch) {
  scratch_.clear();
  scratch_spans_.clear();
  for (const auto& e : batch) {
    if (!e->frame.empty()) continue;
    const std::size_t at = scratch_.size();
    protocol::encode_frame_into(scratch_, e->message);
    scratch_spans_.emplace_back(at, scratch_.size() - at);
  }
  buffers_.clear();
  std::size_t next_span = 0;
  for (const auto& e : batch) {
    if (e->frame.empty()) {
      auto [at, len] = scratch_spans_[next_span++];
      buffers_.emplace_back(scratch_.data() + at, len);
    } else {
      buffers_.emplace_back(e->frame.data(), e->frame.size());
    }
  }
  auto [ec, n] = co_await asio::async_write(socket_, buffers_, kAwait);
  co_return ec;
}

void UnixWire::close() {
  boost::system::error_code ignored;
  socket_.shutdown(Socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace yollayah::transport
