// Fuzzes TagParser, the streaming remover of `[yolla:…]` tags (tag_parser.hpp has the rules).
// The text is fed whole and cut at the points the input's first bytes choose (fuzz_input.hpp), by
// one parser reset() in between. Checked, against a non-streaming model of the rules written here:
// - the clean text is the same for both feeds and equals the model's: the input with every tag
//   and a tag cut off by the end removed, nothing else;
// - every tag is accounted for: each one the model finds gives exactly one command, unknown or
//   rejection, and the commands are the grammar's verdicts on those tags, in order, at most 10;
// - `[yolla:` is in the clean text only where the rules release it: the start of a run that is
//   not a tag (it met '[' or a newline, or reached 256 bytes, before ']'), or text spliced
//   together around a removed tag (`[yol` + `[yolla:x]` + `la:`). No tag of the input survives;
//   text that reads as a tag in the clean text always has a removed tag inside it, as in
//   `[yolla:wa[yolla:x]ve]`, whose clean text is `[yolla:wave]`;
// - never more than kMaxTagBytes held back;
// - flag bit 0: valid UTF-8 cut only between characters gives valid UTF-8 in every piece appended.
#include "conductor/tag_grammar.hpp"
#include "conductor/tag_parser.hpp"
#include "fuzz_input.hpp"
#include "protocol/utf8.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace yollayah;
using conductor::TagCommand;
using conductor::TagParser;
constexpr std::string_view kPrefix = TagParser::kPrefix;
constexpr std::size_t kMaxTag = TagParser::kMaxTagBytes;

[[noreturn]] void die(const char* what, std::string_view detail = {}) {
  fuzz::die("fuzz_tag_parser", what, detail);
}

// The model: the input as consecutive segments.
struct Segment {
  enum Kind : std::uint8_t { Text, Released, Tag, Dropped } kind;
  std::size_t begin;
  std::size_t end;
};

std::vector<Segment> model_segments(std::string_view in) {
  std::vector<Segment> segs;
  std::size_t text_start = 0;
  std::size_t i = 0;
  const auto add = [&](Segment::Kind kind, std::size_t begin, std::size_t end) {
    if (begin > text_start) segs.push_back({Segment::Text, text_start, begin});
    segs.push_back({kind, begin, end});
    text_start = i = end;
  };
  while (i < in.size()) {
    if (in[i] != '[') {
      ++i;
      continue;
    }
    std::size_t k = 1;  // bytes of the prefix matched
    while (k < kPrefix.size() && i + k < in.size() && in[i + k] == kPrefix[k]) ++k;
    if (k < kPrefix.size()) {
      add(Segment::Released, i, i + k);  // a partial prefix is text, at the end of input too
      continue;
    }
    std::size_t j = i + kPrefix.size();
    while (j < in.size() && j - i < kMaxTag && in[j] != '[' && in[j] != ']' && in[j] != '\n') ++j;
    if (j - i == kMaxTag) {
      add(Segment::Released, i, j);
    } else if (j == in.size()) {
      add(Segment::Dropped, i, j);
    } else if (in[j] == ']') {
      add(Segment::Tag, i, j + 1);
    } else {
      add(Segment::Released, i, j);  // '[' or newline: looked at again as text
    }
  }
  if (in.size() > text_start) segs.push_back({Segment::Text, text_start, in.size()});
  return segs;
}

// The rule stated on its own: is there a complete tag at `at`?
bool tag_at(std::string_view in, std::size_t at) {
  if (in.substr(at, kPrefix.size()) != kPrefix) return false;
  for (std::size_t q = at + kPrefix.size(); q < in.size() && q - at < kMaxTag; ++q) {
    if (in[q] == ']') return true;
    if (in[q] == '[' || in[q] == '\n') return false;
  }
  return false;
}

struct Run {
  std::string clean;
  std::vector<TagCommand> commands;
  std::uint64_t unknown = 0;
  std::uint64_t rejected = 0;
};

// One response through `parser`; counts are this response's share of the parser's totals.
Run run(TagParser& parser, const std::vector<std::string_view>& chunks, bool check_utf8) {
  Run r;
  const std::uint64_t unknown0 = parser.unknown_count();
  const std::uint64_t rejected0 = parser.rejection_count();
  parser.reset();
  std::string piece;
  for (const auto chunk : chunks) {
    piece.clear();
    parser.feed(chunk, piece, r.commands);
    if (parser.held_bytes() > kMaxTag) die("held back more than kMaxTagBytes");
    if (check_utf8 && protocol::find_invalid_utf8(piece) != protocol::kValidUtf8) die("a piece is not UTF-8", piece);
    r.clean += piece;
  }
  piece.clear();
  parser.finish(piece, r.commands);
  if (parser.held_bytes() != 0) die("finish() left text held");
  if (check_utf8 && protocol::find_invalid_utf8(piece) != protocol::kValidUtf8) die("finish() piece is not UTF-8", piece);
  r.clean += piece;
  r.unknown = parser.unknown_count() - unknown0;
  r.rejected = parser.rejection_count() - rejected0;
  return r;
}

// Moves every cut forward to the start of a character (the material is valid UTF-8).
std::vector<std::string_view> cut_between_characters(std::string_view text, const std::vector<std::size_t>& lengths) {
  std::vector<std::string_view> chunks;
  for (std::size_t pos = 0, i = 0; pos < text.size(); ++i) {
    std::size_t end = std::min(text.size(), pos + (lengths.empty() ? 1 : lengths[i % lengths.size()]));
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
    chunks.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return chunks;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fuzz::SplitInput input = fuzz::read_split_input(data, size);
  const std::string_view text = input.material;
  const bool utf8 = (input.flags & 1) && protocol::find_invalid_utf8(text) == protocol::kValidUtf8;

  // The model's verdict.
  const std::vector<Segment> segs = model_segments(text);
  std::string expected_clean;
  std::vector<std::size_t> origin;  // input offset of each byte of expected_clean
  origin.reserve(text.size());
  std::vector<TagCommand> expected_commands;
  std::uint64_t expected_unknown = 0, expected_rejected = 0;
  std::size_t covered = 0;
  bool removed_any = false;
  const auto agents = conductor::Agents::builtin();
  for (const Segment& s : segs) {
    if (s.begin != covered || s.end <= s.begin) die("model: segments do not tile the input");
    covered = s.end;
    const std::string_view bytes = text.substr(s.begin, s.end - s.begin);
    switch (s.kind) {
      case Segment::Text:
      case Segment::Released:
        expected_clean += bytes;
        for (std::size_t k = s.begin; k < s.end; ++k) origin.push_back(k);
        break;
      case Segment::Tag: {
        removed_any = true;
        if (!tag_at(text, s.begin) || bytes.size() > kMaxTag) die("model: a removed segment is not a tag", bytes);
        auto parsed = conductor::parse_tag_body(bytes.substr(kPrefix.size(), bytes.size() - kPrefix.size() - 1), *agents);
        if (parsed.status == conductor::TagParse::Status::Unknown) {
          ++expected_unknown;
        } else if (parsed.status == conductor::TagParse::Status::Command &&
                   expected_commands.size() < TagParser::kMaxCommands) {
          expected_commands.push_back(std::move(parsed.command));
        } else {
          ++expected_rejected;  // bad arguments, or past kMaxCommands
        }
        break;
      }
      case Segment::Dropped:
        removed_any = true;
        if (s.end != text.size()) die("model: a dropped tail is not at the end");
        ++expected_rejected;
        break;
    }
  }
  if (covered != text.size()) die("model: segments do not reach the end");
  if (!removed_any && expected_clean != text) die("model: nothing removed, yet the text changed");

  // The parser, fed whole and then in pieces; the second run also checks reset().
  TagParser parser(agents);
  const std::vector<std::string_view> whole{text};
  const Run one = run(parser, whole, utf8);
  const Run pieces = run(parser, utf8 ? cut_between_characters(text, input.lengths) : fuzz::cut(text, input.lengths), utf8);

  for (const Run* r : {&one, &pieces}) {
    if (r->clean != expected_clean) die("clean text differs from the model", r->clean);
    if (r->commands != expected_commands) die("commands differ from the grammar's verdicts");
    if (r->unknown != expected_unknown) die("unknown count differs from the model");
    if (r->rejected != expected_rejected) die("rejection count differs from the model");
  }

  // Every `[yolla:` left in the clean text: not a tag of the input, or spliced around a removed
  // one; and whatever reads as a tag in the clean text has a removed tag inside it.
  const auto contiguous = [&](std::size_t from, std::size_t to) { return origin[to] - origin[from] == to - from; };
  for (auto p = expected_clean.find(kPrefix); p != std::string::npos; p = expected_clean.find(kPrefix, p + 1)) {
    if (contiguous(p, p + kPrefix.size() - 1) && tag_at(text, origin[p])) {
      die("a tag of the input survived", text.substr(origin[p], kMaxTag));
    }
    if (tag_at(expected_clean, p) && contiguous(p, expected_clean.find(']', p))) {
      die("a tag in the clean text with no removed tag inside", std::string_view(expected_clean).substr(p, kMaxTag));
    }
  }
  return 0;
}
