// Fuzzes SseParser (OpenAI-compatible streams). The bytes are fed whole and cut at the points the
// input's first bytes choose (fuzz_input.hpp), from a heap copy whose reads are poisoned for ASan
// once fed, so a view kept past its read is caught as a use of freed bytes; flag bits 0-2 pick max_event
// (0: the default 8 MiB, else 1-64 bytes), flag bits 3-4 make on_event stop after the 1st-3rd
// event. Both feeds must give the events and the oversized count of a non-streaming model of the
// rules in sse_parser.hpp (WHATWG "event stream" parsing, with a last event dispatched without its
// blank line and a size limit):
// - one leading UTF-8 BOM is skipped; lines end in "\r\n", "\n" or "\r";
// - a blank line dispatches the event if it has data lines, and always ends it (type included);
// - ":" starts a comment; otherwise the field is what precedes the first ':' (the whole line if
//   none) and the value what follows it, less one leading space; "data" appends the value (lines
//   joined with "\n"), "event" sets the type, everything else is ignored;
// - an event whose data would be longer than max_event is dropped, counted once; a line longer
//   than max_event that is not wholly inside one read is dropped too: a data line drops its event
//   (counted once), any other line is counted itself;
// - finish() ends the stream like a blank line after the last (possibly unterminated) line.
// And: nothing is dispatched after on_event returns false, and feed/finish return false exactly
// then; has_partial_event() is false after finish(); the whole and cut feeds agree when no line
// can be over the limit.
#include "backend/sse_parser.hpp"
#include "fuzz_input.hpp"

#include <sanitizer/asan_interface.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace yollayah;

[[noreturn]] void die(const char* what, std::string_view detail = {}) {
  fuzz::die("fuzz_sse_parser", what, detail);
}

constexpr std::size_t kDefaultMax = 8u << 20;
constexpr std::string_view kBom = "\xEF\xBB\xBF";

struct Event {
  std::string data, type;
  bool operator==(const Event&) const = default;
};

struct Result {
  std::vector<Event> events;
  std::size_t oversized = 0;
  bool stopped = false;
};

Result parse(const std::vector<std::string_view>& chunks, std::size_t max_event, std::size_t stop_after) {
  backend::SseParser parser(max_event);
  Result r;
  const auto on_event = [&](const backend::SseEvent& e) {
    if (r.stopped) die("an event after on_event returned false", e.data);
    r.events.push_back({std::string(e.data), std::string(e.type)});
    if (r.events.size() == stop_after) r.stopped = true;
    return !r.stopped;
  };
  // One copy of the stream; each read's bytes are poisoned once fed, as if the read's buffer were
  // reused, so ASan catches a view that outlives its read (one allocation, not one per read).
  std::size_t total = 0;
  for (const auto chunk : chunks) total += chunk.size();
  const auto buffer = std::make_unique<char[]>(total + 1);
  struct Unpoison {
    char* bytes;
    std::size_t size;
    ~Unpoison() { ASAN_UNPOISON_MEMORY_REGION(bytes, size); }
  } unpoison{buffer.get(), total + 1};
  std::size_t at = 0;
  for (const auto chunk : chunks) {
    std::memcpy(buffer.get() + at, chunk.data(), chunk.size());
    const bool more = parser.feed(std::string_view(buffer.get() + at, chunk.size()), on_event);
    ASAN_POISON_MEMORY_REGION(buffer.get() + at, chunk.size());
    at += chunk.size();
    if (!more) {
      if (!r.stopped) die("feed returned false, on_event did not");
      return r;
    }
    if (r.stopped) die("on_event returned false, feed did not");
  }
  if (!parser.finish(on_event)) {
    if (!r.stopped) die("finish returned false, on_event did not");
    return r;
  }
  if (r.stopped) die("on_event returned false, finish did not");
  if (parser.has_partial_event()) die("a partial event after finish()");
  r.oversized = parser.oversized_events();
  return r;
}

// The model: the rules applied to the whole text, knowing only where the reads start (for the
// limit on lines cut by a read).
class Model {
 public:
  explicit Model(std::size_t max_event) : max_(max_event) {}

  Result run(std::string_view in, const std::vector<std::string_view>& chunks) {
    std::vector<std::size_t> chunk_of(in.size());
    for (std::size_t c = 0, pos = 0; c < chunks.size(); pos += chunks[c].size(), ++c) {
      for (std::size_t k = 0; k < chunks[c].size(); ++k) chunk_of[pos + k] = c;
    }
    // A stream that is only the start of a BOM says nothing (the parser is still waiting to
    // know whether it is one).
    if (in.size() < kBom.size() && kBom.substr(0, in.size()) == in) return r_;
    std::size_t pos = in.substr(0, kBom.size()) == kBom ? kBom.size() : 0;
    // The first bytes of a BOM that turns out not to be one are kept like a cut line's start.
    const bool bom_start_kept = pos == 0 && !in.empty() && in.front() == kBom.front();
    while (pos < in.size()) {
      const std::size_t end = in.find_first_of("\r\n", pos);
      const bool terminated = end != std::string_view::npos;
      const std::string_view text = in.substr(pos, (terminated ? end : in.size()) - pos);
      const bool cut = !terminated || (!text.empty() && chunk_of[pos] != chunk_of[end]) ||
                       (pos == 0 && bom_start_kept);
      if (cut && text.size() > max_) {
        too_long(text);
      } else {
        line(text);
      }
      if (!terminated) break;
      pos = end + 1;
      if (in[end] == '\r' && pos < in.size() && in[pos] == '\n') ++pos;
    }
    if (lines_ > 0 || over_) line({});  // finish()
    return r_;
  }

 private:
  void line(std::string_view text) {
    if (text.empty()) {
      if (over_) {
        ++r_.oversized;
      } else if (lines_ > 0) {
        r_.events.push_back({data_, type_});
      }
      data_.clear();
      type_.clear();
      lines_ = 0;
      over_ = false;
      return;
    }
    if (text.front() == ':') return;
    std::string_view field = text, value;
    if (const auto colon = text.find(':'); colon != std::string_view::npos) {
      field = text.substr(0, colon);
      value = text.substr(colon + 1);
      if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    }
    if (field == "data") {
      if (over_) return;
      const std::size_t size = lines_ == 0 ? value.size() : data_.size() + 1 + value.size();
      if (size > max_) {
        drop_event();
        return;
      }
      if (lines_ > 0) data_ += '\n';
      data_ += value;
      ++lines_;
    } else if (field == "event") {
      type_ = value;
    }
  }

  void too_long(std::string_view text) {
    const bool data = text.starts_with("data:") || text == "data";
    if (data) {
      drop_event();
    } else {
      ++r_.oversized;
    }
  }

  void drop_event() {
    over_ = true;
    data_.clear();
  }

  std::size_t max_;
  Result r_;
  std::string data_, type_;
  std::size_t lines_ = 0;
  bool over_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static constexpr std::array<std::size_t, 8> kMax{kDefaultMax, 1, 2, 3, 5, 8, 16, 64};
  const fuzz::SplitInput input = fuzz::read_split_input(data, size);
  const std::string_view text = input.material;
  const std::size_t max_event = kMax[input.flags & 7];
  const std::size_t stop_after = (input.flags >> 3) & 3;

  const std::vector<std::string_view> whole{text};
  const std::vector<std::string_view> pieces = fuzz::cut(text, input.lengths);
  Result results[2];
  for (int i = 0; i < 2; ++i) {
    const auto& chunks = text.empty() ? std::vector<std::string_view>{} : i == 0 ? whole : pieces;
    results[i] = parse(chunks, max_event, stop_after);
    Result expected = Model(max_event).run(text, chunks);
    if (stop_after != 0 && expected.events.size() >= stop_after) {
      expected.events.resize(stop_after);
      if (!results[i].stopped) die("on_event's false was lost");
      if (results[i].events != expected.events) die("events before the stop differ from the model's", text);
      continue;
    }
    if (results[i].events != expected.events) die("events differ from the model's", text);
    if (results[i].oversized != expected.oversized) die("oversized count differs from the model's", text);
  }
  if (max_event >= text.size() && results[0].events != results[1].events) die("cutting the input changed the events");
  return 0;
}
