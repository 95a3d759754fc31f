// yollayah-proto: converts JSON lines to protocol frames and back, always in canonical form
// (every input is decoded and re-encoded). For debugging sockets and writing test fixtures.
#include "protocol/frame.hpp"
#include "protocol/json_codec.hpp"

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <iostream>
#include <string>
#include <type_traits>

namespace {

using namespace yollayah::protocol;

template <class Variant>
ProtoResult<Variant> decode_as(std::string_view json) {
  if constexpr (std::is_same_v<Variant, ConductorMessage>) return decode_message(json);
  else return decode_event(json);
}

int report(const std::string& where, const ProtocolError& e) {
  std::fprintf(stderr, "yollayah-proto: %s: %s: %s\n", where.c_str(),
               std::string(to_string(e.kind)).c_str(), e.message.c_str());
  return 1;
}

void write_out(std::string_view bytes) { std::fwrite(bytes.data(), 1, bytes.size(), stdout); }

// JSON lines on stdin (blank lines skipped) -> frames on stdout.
template <class Variant>
int encode_lines() {
  std::string line;
  std::string out;
  std::size_t line_no = 0;
  while (std::getline(std::cin, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto decoded = decode_as<Variant>(line);
    if (!decoded) return report("line " + std::to_string(line_no), decoded.error());
    out.clear();
    encode_frame_into(out, *decoded);
    write_out(out);
    std::fflush(stdout);
  }
  return 0;
}

// Frames on stdin -> one canonical JSON line per frame on stdout.
template <class Variant>
int decode_frames() {
  FrameDecoder decoder;
  std::string out;
  char chunk[1 << 16];
  for (;;) {
    // read(), not fread(): a frame is handled as soon as it arrives, which matters on a live pipe.
    const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // end of input; a read error shows up as truncation below
    decoder.feed(std::string_view(chunk, static_cast<std::size_t>(n)));
    for (;;) {
      const std::size_t frame_at = decoder.offset();
      const auto payload = decoder.next();
      if (!payload) return report("byte " + std::to_string(payload.error().offset), payload.error());
      if (!*payload) break;
      const auto decoded = decode_as<Variant>(**payload);
      if (!decoded) {
        const std::size_t at = frame_at + kFrameHeaderSize + decoded.error().offset;
        return report("byte " + std::to_string(at), decoded.error());
      }
      out.clear();
      encode_into(out, *decoded);
      out.push_back('\n');
      write_out(out);
    }
    std::fflush(stdout);
  }
  const auto end = decoder.finish();
  if (!end) return report("byte " + std::to_string(end.error().offset), end.error());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Convert between JSON lines and Conductor protocol frames, in canonical form."};
  app.require_subcommand(1);
  bool message = false;
  bool event = false;
  auto* encode_cmd = app.add_subcommand("encode", "JSON lines on stdin -> frames on stdout");
  auto* decode_cmd = app.add_subcommand("decode", "frames on stdin -> JSON lines on stdout");
  for (auto* cmd : {encode_cmd, decode_cmd}) {
    auto* m = cmd->add_flag("--message", message, "ConductorMessage (Conductor to surface)");
    auto* e = cmd->add_flag("--event", event, "SurfaceEvent (surface to Conductor)");
    m->excludes(e);
    cmd->require_option(1);
  }
  CLI11_PARSE(app, argc, argv);

  std::ios::sync_with_stdio(false);
  if (encode_cmd->parsed()) {
    return message ? encode_lines<ConductorMessage>() : encode_lines<SurfaceEvent>();
  }
  return message ? decode_frames<ConductorMessage>() : decode_frames<SurfaceEvent>();
}
