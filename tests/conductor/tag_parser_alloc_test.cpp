// The tag parser's hot path allocates nothing: it runs once per model token. This file replaces the
// global operator new for the whole test binary, with a counter that is only read here.
#include "conductor/tag_parser.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

namespace {
std::atomic<std::size_t> g_allocations{0};
}  // namespace

// GCC cannot see that the replaced new and delete below pair malloc with free.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace yollayah::conductor {
namespace {

TEST(TagParserAllocations, PlainChunksAndNonTagBracketsAllocateNothing) {
  TagParser parser;
  std::string clean;
  clean.reserve(1 << 16);
  std::vector<TagCommand> commands;
  commands.reserve(16);

  const auto before = g_allocations.load();
  for (int i = 0; i < 100; ++i) {
    parser.feed("a plain token ", clean, commands);
    parser.feed("see [1] and [link](x) and [yo", clean, commands);
    parser.feed("u] ", clean, commands);
  }
  EXPECT_EQ(g_allocations.load() - before, 0u);
  EXPECT_TRUE(commands.empty());
}

TEST(TagParserAllocations, HoldingATagSplitAcrossChunksAllocatesNothingUntilItCompletes) {
  TagParser parser;
  std::string clean;
  clean.reserve(1024);
  std::vector<TagCommand> commands;
  commands.reserve(16);

  const auto before = g_allocations.load();
  parser.feed("Hi [yol", clean, commands);
  parser.feed("la:mood ", clean, commands);
  parser.feed("hap", clean, commands);
  EXPECT_EQ(g_allocations.load() - before, 0u);
  parser.feed("py]", clean, commands);
  EXPECT_EQ(commands.size(), 1u);
}

}  // namespace
}  // namespace yollayah::conductor
