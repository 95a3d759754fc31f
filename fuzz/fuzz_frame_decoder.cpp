// Fuzzes FrameDecoder. The same stream fed whole, fed in small chunks, and read the way a server
// reads before authentication (at most wanted() bytes at a time) must give the same payloads and
// the same error; after an error nothing more is buffered and the error sticks.
//
// Input layout: byte 0 picks the chunk size, byte 1 the mode and the payload cap, the rest is
// the material:
//   mode (byte 1 % 3) 0: the material is the raw byte stream;
//   mode 1: the material is cut into payloads (each prefixed by a length byte) that are framed
//           correctly, so the fuzzer reaches the payload paths despite the CRC;
//   mode 2: as 1, then one byte chosen by bytes 2-3 of the material is flipped;
//   cap (byte 1 / 3 % 4): the decoder's max_payload, kMaxFramePayload or the small caps 0, 16,
//           200 of a connection that has not authenticated yet. In mode 1 the stream fails
//           exactly when a payload is over the cap, with Oversize at that frame.
// The wanted()-driven reader also checks that it never takes in a byte past the frame it is
// reading, and that wanted() is 0 exactly when a frame is complete or the decoder failed.
#include "protocol/frame.hpp"
#include "protocol/json_codec.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace yollayah::protocol;

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "fuzz_frame_decoder: %s\n", what);
  std::abort();
}

struct Outcome {
  std::vector<std::string> payloads;
  std::optional<ProtocolError> error;
  std::size_t offset = 0;
  bool operator==(const Outcome&) const = default;
};

// Drains complete payloads; returns false once the decoder has failed. `decode` runs what got
// through the message decoder: once per input is enough, the three feeds must agree on the payloads.
bool drain(FrameDecoder& d, Outcome& out, bool decode = false) {
  for (;;) {
    const std::size_t before = d.offset();
    auto r = d.next();
    if (!r) {
      out.error = r.error();
      if (r.error().offset != before) die("error offset is not the frame start");
      const auto again = d.next();
      if (again || !(again.error() == r.error())) die("error did not stick");
      return false;
    }
    if (!*r) return true;
    if (d.offset() != before + kFrameHeaderSize + (*r)->size()) die("offset did not advance by a frame");
    out.payloads.emplace_back(**r);
    if (decode) (void)decode_message(**r);  // frames carry JSON: exercise the decoder on what got through
  }
}

Outcome run(std::string_view stream, std::size_t chunk, std::size_t cap, bool decode = false) {
  FrameDecoder d(cap);
  Outcome out;
  bool ok = true;
  for (std::size_t pos = 0; pos < stream.size(); pos += chunk) {
    const std::size_t buffered_before = d.buffered();
    d.feed(stream.substr(pos, chunk));
    if (!ok && d.buffered() != buffered_before) die("buffered more after failing");
    if (ok) ok = drain(d, out, decode);
    if (d.buffered() > kFrameHeaderSize + cap + chunk) die("buffered past the cap");
  }
  if (ok) {
    const auto end = d.finish();
    if (!end) out.error = end.error();
  }
  out.offset = d.offset();
  return out;
}

// A reader that never takes in bytes past the frame it is reading: feeds at most wanted().
Outcome run_wanted(std::string_view stream, std::size_t cap) {
  FrameDecoder d(cap);
  Outcome out;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t want = d.wanted();
    if (d.failed()) {
      if (want != 0) die("wanted() is not 0 after a failure");
      if (drain(d, out)) die("a failed decoder drained without an error");
      if (d.buffered() > kFrameHeaderSize) die("read past an oversize header");
      break;
    }
    if (want == 0) {
      const std::size_t frames = out.payloads.size();
      const std::size_t size = d.buffered();
      if (!drain(d, out)) break;  // a CRC mismatch, found by next()
      if (out.payloads.size() != frames + 1) die("wanted() is 0 but no frame was complete");
      if (size != kFrameHeaderSize + out.payloads.back().size() || d.buffered() != 0) die("read past the frame");
      continue;
    }
    if (pos == stream.size()) {
      if (const auto end = d.finish(); !end) out.error = end.error();
      break;
    }
    const auto early = d.next();
    if (!early || *early) die("wanted() is not 0 but a frame is complete");
    const std::string_view piece = stream.substr(pos, want);
    d.feed(piece);
    pos += piece.size();
  }
  out.offset = d.offset();
  return out;
}

// The stream, and for modes 1-2 the offset of each frame and its payload size.
struct Stream {
  std::string bytes;
  std::vector<std::size_t> frame_offsets;
  std::vector<std::size_t> payload_sizes;
};

Stream build_stream(std::uint8_t mode, std::string_view material) {
  Stream s;
  if (mode == 0) {
    s.bytes = std::string(material);
    return s;
  }
  std::size_t pos = 0;
  while (pos < material.size()) {
    const std::size_t len = static_cast<std::uint8_t>(material[pos++]);
    const std::string_view payload = material.substr(pos, len);
    s.frame_offsets.push_back(s.bytes.size());
    s.payload_sizes.push_back(payload.size());
    append_frame(s.bytes, payload);
    pos += payload.size();
  }
  if (mode == 2 && material.size() >= 2 && !s.bytes.empty()) {
    const std::size_t at = (static_cast<std::uint8_t>(material[0]) << 8 |
                            static_cast<std::uint8_t>(material[1])) % s.bytes.size();
    s.bytes[at] = static_cast<char>(s.bytes[at] ^ 0x5a);
  }
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  static constexpr std::size_t kCaps[] = {kMaxFramePayload, 0, 16, 200};
  const std::size_t chunk = data[0] % 32 + 1;
  const std::uint8_t mode = data[1] % 3;
  const std::size_t cap = kCaps[data[1] / 3 % 4];
  const Stream s = build_stream(mode, std::string_view(reinterpret_cast<const char*>(data + 2), size - 2));
  const std::string& stream = s.bytes;

  const Outcome whole = run(stream, stream.empty() ? 1 : stream.size(), cap, /*decode=*/true);
  const Outcome pieces = run(stream, chunk, cap);
  if (!(whole == pieces)) die("chunked feeding changed the outcome");
  if (!(run_wanted(stream, cap) == whole)) die("reading at most wanted() changed the outcome");
  if (mode == 1) {
    std::size_t first_over = 0;
    while (first_over < s.payload_sizes.size() && s.payload_sizes[first_over] <= cap) ++first_over;
    if (first_over == s.payload_sizes.size()) {
      if (whole.error) die("a correctly framed stream failed");
      if (whole.payloads.size() != s.payload_sizes.size()) die("a correctly framed payload went missing");
    } else {
      if (!whole.error || whole.error->kind != ProtocolError::Kind::Oversize) die("a payload over the cap passed");
      if (whole.error->offset != s.frame_offsets[first_over]) die("the oversize error names the wrong frame");
      if (whole.payloads.size() != first_over) die("payloads before the oversize frame went missing");
    }
  }
  return 0;
}
