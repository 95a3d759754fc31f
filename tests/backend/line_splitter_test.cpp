#include "backend/line_splitter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace yollayah::backend {
namespace {

std::vector<std::string> split_in_pieces(const std::string& input, const std::vector<std::size_t>& cuts,
                                         LineSplitter& splitter) {
  std::vector<std::string> lines;
  auto collect = [&](std::string_view l) {
    lines.emplace_back(l);
    return true;
  };
  std::size_t from = 0;
  for (auto cut : cuts) {
    splitter.feed(std::string_view(input).substr(from, cut - from), collect);
    from = cut;
  }
  splitter.feed(std::string_view(input).substr(from), collect);
  splitter.finish(collect);
  return lines;
}

TEST(LineSplitter, SameLinesAtEverySplitPoint) {
  const std::string input = "first line\nsecond\r\n\nthird {\"a\":\"é🦎\"}\nlast-unterminated";
  const std::vector<std::string> expected{"first line", "second", "third {\"a\":\"é🦎\"}", "last-unterminated"};
  for (std::size_t cut = 0; cut <= input.size(); ++cut) {
    LineSplitter splitter;
    EXPECT_EQ(split_in_pieces(input, {cut}, splitter), expected) << "cut at " << cut;
  }
}

TEST(LineSplitter, SameLinesAtEveryPairOfSplitPoints) {
  const std::string input = "ab\ncd\r\nef\n";
  const std::vector<std::string> expected{"ab", "cd", "ef"};
  for (std::size_t a = 0; a <= input.size(); ++a) {
    for (std::size_t b = a; b <= input.size(); ++b) {
      LineSplitter splitter;
      EXPECT_EQ(split_in_pieces(input, {a, b}, splitter), expected) << a << "," << b;
    }
  }
}

TEST(LineSplitter, ByteByByteKeepsMultiByteCharactersIntact) {
  const std::string input = "caf\xC3\xA9\n\xF0\x9F\xA6\x8E axolotl\n";
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < input.size(); ++i) cuts.push_back(i);
  LineSplitter splitter;
  auto lines = split_in_pieces(input, cuts, splitter);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "café");
  EXPECT_EQ(lines[1], "🦎 axolotl");
}

TEST(LineSplitter, StopsWhenTheCallbackSaysSo) {
  LineSplitter splitter;
  int seen = 0;
  bool go = splitter.feed("a\nb\nc\n", [&](std::string_view) { return ++seen < 2; });
  EXPECT_FALSE(go);
  EXPECT_EQ(seen, 2);
}

TEST(LineSplitter, DropsAndCountsLinesLongerThanTheLimit) {
  LineSplitter splitter(8);
  std::vector<std::string> lines;
  auto collect = [&](std::string_view l) {
    lines.emplace_back(l);
    return true;
  };
  splitter.feed("short\n0123456", collect);
  splitter.feed("789abcdef", collect);  // the partial line passes the limit here
  splitter.feed("ghi\nok\n", collect);
  splitter.finish(collect);
  EXPECT_EQ(lines, (std::vector<std::string>{"short", "ok"}));
  EXPECT_EQ(splitter.oversized_lines(), 1u);
}

TEST(LineSplitter, LinesInsideOneChunkAreNotCopied) {
  LineSplitter splitter;
  const std::string chunk = "abc\ndef\n";
  std::vector<const char*> starts;
  splitter.feed(chunk, [&](std::string_view l) {
    starts.push_back(l.data());
    return true;
  });
  ASSERT_EQ(starts.size(), 2u);
  EXPECT_EQ(starts[0], chunk.data());
  EXPECT_EQ(starts[1], chunk.data() + 4);
}

}  // namespace
}  // namespace yollayah::backend
