// Shared by the streaming fuzz targets: how the first bytes of an input choose where the rest is
// cut into chunks, and how a broken invariant stops the run (abort, so libFuzzer saves the input).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace yollayah::fuzz {

// Layout: byte 0 holds the number of chunk-length bytes in its low 3 bits (0-7) and five flag bits
// for the target (flags = byte 0 >> 3); then those length bytes (chunk length = byte + 1, so
// 1-256), used in turn; then the material. No length bytes: the material is fed a byte at a time.
struct SplitInput {
  std::uint8_t flags = 0;
  std::vector<std::size_t> lengths;
  std::string_view material;
};

inline SplitInput read_split_input(const std::uint8_t* data, std::size_t size) {
  SplitInput in;
  if (size == 0) return in;
  const std::size_t n = std::min<std::size_t>(data[0] & 7u, size - 1);
  in.flags = static_cast<std::uint8_t>(data[0] >> 3);
  for (std::size_t i = 0; i < n; ++i) in.lengths.push_back(std::size_t{data[1 + i]} + 1);
  in.material = std::string_view(reinterpret_cast<const char*>(data + 1 + n), size - 1 - n);
  return in;
}

// The material cut into chunks whose lengths cycle through `lengths` (1-byte chunks if empty).
inline std::vector<std::string_view> cut(std::string_view material, const std::vector<std::size_t>& lengths) {
  std::vector<std::string_view> chunks;
  const std::size_t shortest = lengths.empty() ? 1 : *std::min_element(lengths.begin(), lengths.end());
  chunks.reserve(material.size() / shortest + 1);  // one allocation: this runs for every input
  for (std::size_t pos = 0, i = 0; pos < material.size(); ++i) {
    const std::size_t len = lengths.empty() ? 1 : lengths[i % lengths.size()];
    chunks.push_back(material.substr(pos, len));
    pos += len;
  }
  return chunks;
}

[[noreturn]] inline void die(const char* target, const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "%s: invariant broken: %s\n", target, what);
  if (!detail.empty()) {
    std::fprintf(stderr, "  detail (%zu bytes): ", detail.size());
    for (const char c : detail.substr(0, 400)) {
      const auto b = static_cast<unsigned char>(c);
      if (b >= 0x20 && b < 0x7f && b != '\\') {
        std::fputc(b, stderr);
      } else {
        std::fprintf(stderr, "\\x%02x", b);
      }
    }
    std::fputc('\n', stderr);
  }
  std::abort();
}

}  // namespace yollayah::fuzz
