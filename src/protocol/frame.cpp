#include "protocol/frame.hpp"

#include "protocol/json_codec.hpp"

#include <zlib.h>

#include <algorithm>
#include <cassert>
#include <cstdio>

namespace yollayah::protocol {

namespace {

// Compact once this much has been consumed and it is at least half the buffer: each byte is
// moved at most once per compaction it survives, so the cost stays linear.
constexpr std::size_t kCompactThreshold = 4096;
// A buffer emptied after a large frame gives its memory back above this capacity.
constexpr std::size_t kShrinkCapacity = std::size_t{1} << 20;

void put_be32(char* p, std::uint32_t v) {
  p[0] = static_cast<char>(v >> 24);
  p[1] = static_cast<char>(v >> 16);
  p[2] = static_cast<char>(v >> 8);
  p[3] = static_cast<char>(v);
}

std::uint32_t get_be32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (std::uint32_t{u[0]} << 24) | (std::uint32_t{u[1]} << 16) | (std::uint32_t{u[2]} << 8) |
         std::uint32_t{u[3]};
}

std::string hex32(std::uint32_t v) {
  char buf[11];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// Fills in the header reserved at out[start] for the payload that follows it.
void patch_header(std::string& out, std::size_t start) {
  const std::size_t length = out.size() - start - kFrameHeaderSize;
  assert(length <= kMaxFramePayload);
  const std::string_view payload(out.data() + start + kFrameHeaderSize, length);
  put_be32(out.data() + start, static_cast<std::uint32_t>(length));
  put_be32(out.data() + start + 4, crc32_of(payload));
}

template <class Variant>
void encode_frame(std::string& out, const Variant& v) {
  const std::size_t start = out.size();
  out.append(kFrameHeaderSize, '\0');
  encode_into(out, v);
  patch_header(out, start);
}

}  // namespace

std::uint32_t crc32_of(std::string_view bytes) noexcept {
  return static_cast<std::uint32_t>(
      crc32_z(0L, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

void append_frame(std::string& out, std::string_view payload) {
  const std::size_t start = out.size();
  out.append(kFrameHeaderSize, '\0');
  out.append(payload);
  patch_header(out, start);
}

std::string make_frame(std::string_view payload) {
  std::string out;
  out.reserve(kFrameHeaderSize + payload.size());
  append_frame(out, payload);
  return out;
}

void encode_frame_into(std::string& out, const ConductorMessage& message) { encode_frame(out, message); }
void encode_frame_into(std::string& out, const SurfaceEvent& event) { encode_frame(out, event); }

void FrameDecoder::feed(std::string_view bytes) {
  if (failed()) return;  // the connection is being closed; keep nothing more
  compact();
  buf_.append(bytes);
  check_headers();
}

void FrameDecoder::set_max_payload(std::size_t max_payload) noexcept {
  max_payload_ = std::min(max_payload, kMaxFramePayload);
}

std::size_t FrameDecoder::wanted() const noexcept {
  if (failed()) return 0;
  if (buffered() < kFrameHeaderSize) return kFrameHeaderSize - buffered();
  const std::size_t frame = kFrameHeaderSize + get_be32(buf_.data() + read_);
  return frame > buffered() ? frame - buffered() : 0;
}

void FrameDecoder::check_headers() {
  while (buf_.size() >= checked_ + kFrameHeaderSize) {
    const std::uint32_t length = get_be32(buf_.data() + checked_);
    if (length > max_payload_) {
      oversize_at_ = checked_;
      oversize_limit_ = max_payload_;
      buf_.resize(checked_ + kFrameHeaderSize);
      return;
    }
    checked_ += kFrameHeaderSize + length;
  }
}

void FrameDecoder::compact() {
  if (read_ == 0) return;
  if (read_ == buf_.size()) {
    base_ += read_;
    checked_ -= read_;
    read_ = 0;
    if (buf_.capacity() > kShrinkCapacity) {
      std::string().swap(buf_);
    } else {
      buf_.clear();
    }
    return;
  }
  if (read_ >= kCompactThreshold && read_ * 2 >= buf_.size()) {
    buf_.erase(0, read_);
    base_ += read_;
    checked_ -= read_;
    read_ = 0;
  }
}

ProtocolError FrameDecoder::oversize_error() const {
  const std::size_t at = *oversize_at_;
  const std::uint32_t length = get_be32(buf_.data() + at);
  return ProtocolError{ProtocolError::Kind::Oversize,
                       "frame at byte " + std::to_string(base_ + at) + " announces " +
                           std::to_string(length) + " bytes, more than the " +
                           std::to_string(oversize_limit_) + "-byte maximum",
                       base_ + at};
}

ProtoResult<std::optional<std::string_view>> FrameDecoder::next() {
  if (error_) return *error_;
  if (oversize_at_ && *oversize_at_ == read_) {
    error_ = oversize_error();
    return *error_;
  }
  if (buffered() < kFrameHeaderSize) return std::nullopt;
  const char* header = buf_.data() + read_;
  const std::uint32_t length = get_be32(header);
  if (buffered() - kFrameHeaderSize < length) return std::nullopt;

  const std::string_view payload(header + kFrameHeaderSize, length);
  const std::uint32_t expected = get_be32(header + 4);
  const std::uint32_t actual = crc32_of(payload);
  if (expected != actual) {
    error_ = ProtocolError{ProtocolError::Kind::CrcMismatch,
                           "CRC mismatch in frame at byte " + std::to_string(offset()) +
                               ": header says " + hex32(expected) + ", payload has " + hex32(actual),
                           offset()};
    return *error_;
  }
  read_ += kFrameHeaderSize + length;
  return payload;
}

ProtoResult<void> FrameDecoder::finish() const {
  if (error_) return *error_;
  if (oversize_at_) return oversize_error();
  if (buffered() == 0) return {};
  std::string message = "stream ended inside the frame at byte " + std::to_string(offset()) + " (" +
                        std::to_string(buffered()) + " bytes of ";
  if (buffered() >= kFrameHeaderSize) {
    message += std::to_string(kFrameHeaderSize + get_be32(buf_.data() + read_)) + ")";
  } else {
    message += "an 8-byte header)";
  }
  return ProtocolError{ProtocolError::Kind::Truncated, std::move(message), offset()};
}

}  // namespace yollayah::protocol
