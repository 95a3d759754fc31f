// Fuzzes decode_message/decode_event. Whatever decodes must re-encode to valid UTF-8 JSON that
// decodes to the same value and re-encodes to the same bytes (the canonical form is a fixpoint).
#include "protocol/json_codec.hpp"
#include "protocol/utf8.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace {

using namespace yollayah::protocol;

[[noreturn]] void die(const char* what, std::string_view detail) {
  std::fprintf(stderr, "fuzz_protocol_decoder: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

template <class Variant, class Decode>
void check(std::string_view input, Decode decode) {
  const auto first = decode(input);
  if (!first) {
    if (first.error().message.empty()) die("error without a message", input);
    if (find_invalid_utf8(first.error().message) != kValidUtf8) die("error message is not UTF-8", input);
    return;
  }
  const std::string canonical = encode(*first);
  if (find_invalid_utf8(canonical) != kValidUtf8) die("encoder wrote invalid UTF-8", canonical);
  const auto second = decode(canonical);
  if (!second) die("canonical form does not decode", canonical);
  if (!(*second == *first)) die("canonical form decodes to a different value", canonical);
  if (encode(*second) != canonical) die("re-encoding is not stable", canonical);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check<ConductorMessage>(input, [](std::string_view s) { return decode_message(s); });
  check<SurfaceEvent>(input, [](std::string_view s) { return decode_event(s); });
  return 0;
}
