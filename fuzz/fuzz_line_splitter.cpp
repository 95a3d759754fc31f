// Fuzzes LineSplitter (NDJSON and SSE lines). The bytes are fed whole and cut at the points the
// input's first bytes choose (fuzz_input.hpp); flag bits 0-2 pick max_line (0: the default 8 MiB,
// else 1-64 bytes), flag bit 3 makes on_line stop after the second line. Checked, for both feeds:
// the input re-joins from what came out. Line by line ('\n' ends a line; the last may be
// unterminated), each is one of:
// - the next line handed out, equal to the line without its '\n' and one trailing '\r';
// - skipped, because that leaves it empty;
// - counted in oversized_lines(), because it is longer than max_line (its '\r' included) and was
//   not wholly inside one chunk (a line inside one chunk is handed out as a view, whatever its
//   length; an unterminated last line is always copied, so always subject to the limit).
// And: nothing is handed out after on_line returns false; has_partial_line() is true exactly when
// bytes follow the last '\n'; the whole and cut feeds agree when no line can be oversized.
#include "backend/line_splitter.hpp"
#include "fuzz_input.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace yollayah;

[[noreturn]] void die(const char* what, std::string_view detail = {}) {
  fuzz::die("fuzz_line_splitter", what, detail);
}

constexpr std::size_t kDefaultMax = 8u << 20;

struct Result {
  std::vector<std::string> lines;
  std::size_t oversized = 0;
  bool stopped = false;
};

Result split(const std::vector<std::string_view>& chunks, std::size_t max_line, std::size_t stop_after,
             bool partial_expected) {
  backend::LineSplitter splitter(max_line);
  Result r;
  const auto on_line = [&](std::string_view line) {
    if (r.stopped) die("a line after on_line returned false", line);
    r.lines.emplace_back(line);
    if (r.lines.size() == stop_after) r.stopped = true;
    return !r.stopped;
  };
  for (const auto chunk : chunks) {
    if (!splitter.feed(chunk, on_line)) {
      if (!r.stopped) die("feed returned false, on_line did not");
      return r;
    }
  }
  if (r.stopped) die("on_line returned false, feed did not");
  if (splitter.has_partial_line() != partial_expected) die("has_partial_line() is wrong");
  if (!splitter.finish(on_line)) {
    if (!r.stopped) die("finish returned false, on_line did not");
    return r;
  }
  if (splitter.has_partial_line()) die("a partial line after finish()");
  r.oversized = splitter.oversized_lines();
  return r;
}

// The model: the input's lines, given where the chunks start.
Result model(std::string_view in, const std::vector<std::string_view>& chunks, std::size_t max_line) {
  std::vector<std::size_t> chunk_of(in.size());
  for (std::size_t c = 0, pos = 0; c < chunks.size(); pos += chunks[c].size(), ++c) {
    for (std::size_t k = 0; k < chunks[c].size(); ++k) chunk_of[pos + k] = c;
  }
  Result r;
  for (std::size_t start = 0; start < in.size();) {
    const std::size_t nl = in.find('\n', start);
    const bool terminated = nl != std::string_view::npos;
    const std::size_t end = terminated ? nl : in.size();
    std::string_view line = in.substr(start, end - start);
    const bool one_chunk = terminated && chunk_of[start] == chunk_of[end];
    if (line.size() > max_line && !one_chunk) {
      ++r.oversized;
    } else {
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!line.empty()) r.lines.emplace_back(line);
    }
    start = end + 1;
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static constexpr std::array<std::size_t, 8> kMax{kDefaultMax, 1, 2, 3, 5, 8, 16, 64};
  const fuzz::SplitInput input = fuzz::read_split_input(data, size);
  const std::string_view text = input.material;
  const std::size_t max_line = kMax[input.flags & 7];
  const std::size_t stop_after = (input.flags & 8) ? 2 : 0;
  const bool partial = !text.empty() && text.back() != '\n';

  const std::vector<std::string_view> whole{text};
  const std::vector<std::string_view> pieces = fuzz::cut(text, input.lengths);
  Result results[2];
  for (int i = 0; i < 2; ++i) {
    const auto& chunks = i == 0 ? whole : pieces;
    results[i] = split(text.empty() ? std::vector<std::string_view>{} : chunks, max_line, stop_after, partial);
    Result expected = model(text, chunks, max_line);
    if (stop_after != 0 && expected.lines.size() >= stop_after) {
      expected.lines.resize(stop_after);
      if (!results[i].stopped) die("on_line's false was lost");
      if (results[i].lines != expected.lines) die("lines before the stop differ from the input's");
      continue;
    }
    if (results[i].lines != expected.lines) die("lines differ from the input's", text);
    if (results[i].oversized != expected.oversized) die("oversized count differs from the input's", text);
  }
  if (max_line >= text.size() && results[0].lines != results[1].lines) die("cutting the input changed the lines");
  return 0;
}
