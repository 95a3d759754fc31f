// Unix-socket framing (PROTOCOL.md, "Unix-socket framing"):
// [u32 BE payload length][u32 BE zlib CRC-32 of the payload][payload], payload at most 10 MiB.
#pragma once

#include "protocol/error.hpp"
#include "protocol/messages.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace yollayah::protocol {

inline constexpr std::size_t kFrameHeaderSize = 8;
inline constexpr std::size_t kMaxFramePayload = 10485760;

// The zlib/IEEE CRC-32 of `bytes`.
std::uint32_t crc32_of(std::string_view bytes) noexcept;

// Appends one frame holding `payload`. The caller keeps payloads within kMaxFramePayload: a
// larger one is framed anyway and the peer will reject it (and close the connection).
void append_frame(std::string& out, std::string_view payload);
std::string make_frame(std::string_view payload);

// Encodes the message straight into `out` behind a reserved header, then patches length and CRC:
// no intermediate copy of the JSON.
void encode_frame_into(std::string& out, const ConductorMessage& message);
void encode_frame_into(std::string& out, const SurfaceEvent& event);

// Incremental frame decoder for a byte stream. Feed it whatever the socket gave, then call next()
// until it yields nullopt (needs more bytes). A CRC mismatch or an oversize header is final: the
// decoder stays failed and the connection must be closed. Error offsets are absolute stream
// offsets of the offending frame.
class FrameDecoder {
 public:
  FrameDecoder() = default;
  explicit FrameDecoder(std::size_t max_payload) { set_max_payload(max_payload); }

  // The largest payload a header may announce (at most kMaxFramePayload). A server keeps it small
  // until the peer has authenticated. Applies to headers checked from now on; headers already
  // checked stay accepted.
  void set_max_payload(std::size_t max_payload) noexcept;
  std::size_t max_payload() const noexcept { return max_payload_; }

  // Buffers `bytes`. Headers are checked as soon as they are complete: after an oversize header
  // nothing more is buffered, not even the rest of this call's bytes.
  void feed(std::string_view bytes);

  // The next complete payload, nullopt if more bytes are needed, or the (sticky) error. The view
  // points into the decoder's buffer and stays valid until the next feed().
  ProtoResult<std::optional<std::string_view>> next();

  // Call at the end of the stream: Truncated if it stopped inside a frame.
  ProtoResult<void> finish() const;

  // Absolute stream offset of the next unread byte (the start of the next frame).
  std::size_t offset() const noexcept { return base_ + read_; }
  // Bytes fed but not yet returned by next().
  std::size_t buffered() const noexcept { return buf_.size() - read_; }
  bool failed() const noexcept { return error_.has_value() || oversize_at_.has_value(); }
  // Bytes still missing to complete the frame at the read position (its header first): a reader
  // that must not take in bytes past that frame reads at most this many. 0 while a complete frame
  // waits for next(), or after a failure.
  std::size_t wanted() const noexcept;

 private:
  void compact();
  void check_headers();
  ProtocolError oversize_error() const;

  std::string buf_;
  std::size_t read_ = 0;     // index in buf_ of the next unread byte, always a frame start
  std::size_t checked_ = 0;  // index in buf_ of the first frame whose header is not yet checked
  std::size_t base_ = 0;     // absolute stream offset of buf_[0]
  std::optional<std::size_t> oversize_at_;  // index in buf_ of an oversize header
  std::optional<ProtocolError> error_;      // once set, every next() returns it
  std::size_t max_payload_ = kMaxFramePayload;
  std::size_t oversize_limit_ = kMaxFramePayload;  // the limit the oversize header broke
};

}  // namespace yollayah::protocol
