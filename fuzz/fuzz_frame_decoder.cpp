// Fuzzes FrameDecoder. The same stream fed whole and fed in small chunks must give the same
// payloads and the same error; after an error nothing more is buffered and the error sticks.
//
// Input layout: byte 0 picks the chunk size, byte 1 the mode, the rest is the material:
//   mode 0: the material is the raw byte stream;
//   mode 1: the material is cut into payloads (each prefixed by a length byte) that are framed
//           correctly, so the fuzzer reaches the payload paths despite the CRC;
//   mode 2: as 1, then one byte chosen by bytes 2-3 of the material is flipped.
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

// Drains complete payloads; returns false once the decoder has failed.
bool drain(FrameDecoder& d, Outcome& out) {
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
    (void)decode_message(**r);  // frames carry JSON: exercise the decoder on what got through
  }
}

Outcome run(std::string_view stream, std::size_t chunk) {
  FrameDecoder d;
  Outcome out;
  bool ok = true;
  for (std::size_t pos = 0; pos < stream.size(); pos += chunk) {
    const std::size_t buffered_before = d.buffered();
    d.feed(stream.substr(pos, chunk));
    if (!ok && d.buffered() != buffered_before) die("buffered more after failing");
    if (ok) ok = drain(d, out);
    if (d.buffered() > kFrameHeaderSize + kMaxFramePayload + chunk) die("buffered past the cap");
  }
  if (ok) {
    const auto end = d.finish();
    if (!end) out.error = end.error();
  }
  out.offset = d.offset();
  return out;
}

std::string build_stream(std::uint8_t mode, std::string_view material) {
  if (mode == 0) return std::string(material);
  std::string stream;
  std::size_t pos = 0;
  while (pos < material.size()) {
    const std::size_t len = static_cast<std::uint8_t>(material[pos++]);
    const std::string_view payload = material.substr(pos, len);
    append_frame(stream, payload);
    pos += payload.size();
  }
  if (mode == 2 && material.size() >= 2 && !stream.empty()) {
    const std::size_t at = (static_cast<std::uint8_t>(material[0]) << 8 |
                            static_cast<std::uint8_t>(material[1])) % stream.size();
    stream[at] = static_cast<char>(stream[at] ^ 0x5a);
  }
  return stream;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t chunk = data[0] % 32 + 1;
  const std::uint8_t mode = data[1] % 3;
  const std::string stream =
      build_stream(mode, std::string_view(reinterpret_cast<const char*>(data + 2), size - 2));

  const Outcome whole = run(stream, stream.empty() ? 1 : stream.size());
  const Outcome pieces = run(stream, chunk);
  if (!(whole == pieces)) die("chunked feeding changed the outcome");
  if (mode == 1 && whole.error) die("a correctly framed stream failed");
  return 0;
}
