// The Unix-socket framing of a server-side surface connection (PROTOCOL.md "Unix-socket framing"):
// a FrameDecoder on reads, gathered writes of pre-encoded frames.
#pragma once

#include "protocol/frame.hpp"
#include "transport/surface_wire.hpp"

#include <boost/asio/local/stream_protocol.hpp>

#include <vector>

namespace yollayah::transport {

class UnixWire final : public SurfaceWire {
 public:
  using Socket = asio::local::stream_protocol::socket;  // on a strand of its own

  explicit UnixWire(Socket socket);

  asio::any_io_executor get_executor() override { return socket_.get_executor(); }
  asio::awaitable<WireRead> read() override;
  void set_max_payload_before_hello(std::size_t bytes) override { decoder_.set_max_payload(bytes); }
  void hello_admitted() override;
  asio::awaitable<boost::system::error_code> write(std::span<const protocol::EnvelopePtr> batch) override;
  void close() override;
  std::string_view kind() const override { return "unix"; }

 private:
  Socket socket_;
  protocol::FrameDecoder decoder_;
  std::vector<char> read_buf_;  // small until the hello, then 64 KiB
  bool hello_ = false;
  std::vector<asio::const_buffer> buffers_;
  std::string scratch_;  // frames of envelopes that came without one (merged Tokens)
  std::vector<std::pair<std::size_t, std::size_t>> scratch_spans_;
};

}  // namespace yollayah::transport
