// The hot path: encoding into a reused buffer must not touch the heap. Counts allocations with a
// replaced global operator new, switched on only around the code under test.
#include "protocol/frame.hpp"
#include "protocol/json_codec.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <new>

namespace {
thread_local bool g_counting = false;
thread_local std::size_t g_allocations = 0;
}  // namespace

[[gnu::noinline]] void* operator new(std::size_t size) {
  if (g_counting) ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
// Not inlined: GCC would otherwise see free() on a new-expression's pointer and warn.
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace yollayah::protocol {
namespace {

std::size_t allocations_during(const auto& work) {
  g_allocations = 0;
  g_counting = true;
  work();
  g_counting = false;
  return g_allocations;
}

TEST(EncodeAllocation, CounterSeesAnAllocation) {
  EXPECT_GE(allocations_during([] { std::string s(1000, 'x'); }), 1u);
}

TEST(EncodeAllocation, TokenIntoAGrownBufferAllocatesNothing) {
  const ConductorMessage token = msg::Token{"msg_42", "a token with \"quotes\", \\ and \n and \x01"};
  std::string out;
  out.reserve(4096);
  EXPECT_EQ(allocations_during([&] {
              for (int i = 0; i < 10; ++i) {
                out.clear();
                encode_into(out, token);
                encode_frame_into(out, token);
              }
            }),
            0u);
  EXPECT_EQ(out.substr(0, 10), R"({"Token":{)");
}

TEST(EncodeAllocation, StreamEndWithFloatMetadataAllocatesNothing) {
  ResponseMetadata metadata;
  metadata.model_id = "llama3.2";
  metadata.tokens_per_second = 33.333332f;
  const ConductorMessage end = msg::StreamEnd{"msg_42", "final text", metadata};
  std::string out;
  out.reserve(4096);
  EXPECT_EQ(allocations_during([&] { encode_frame_into(out, end); }), 0u);
  EXPECT_NE(out.find("33.333332"), std::string::npos);
}

}  // namespace
}  // namespace yollayah::protocol
