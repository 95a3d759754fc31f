// Fuzzes the terminal InputDecoder. The decoder is pure; the caller owns the lone-Esc timer
// (pending_escape() / flush_pending()), so the target plays both kinds of caller:
// - flag bit 0 clear, a fast terminal (the timer never fires mid-stream): the bytes fed whole and
//   cut at the chosen points (fuzz_input.hpp) give the same events and end in the same state;
//   the header promises this (an incomplete tail is kept for the next feed);
// - flag bit 0 set, a slow one: the timer fires at every cut where an Esc is pending. What that
//   yields depends on timing by design (Esc then `[A` is Esc, '[', 'A'; together they are Up), so
//   nothing is compared; each flush must start with Escape or an Alt key, as documented.
// Both: at the end the timer fires, an open paste is closed and Enter is typed: the last event
// must be that Enter, and the decoder idle, so no byte is held for ever and none swallows later
// keys; never more events than bytes; no paste contains its terminator; every Char encodes to
// valid UTF-8; mouse coordinates are not negative.
#include "fuzz_input.hpp"
#include "protocol/utf8.hpp"
#include "tui/term/input_decoder.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace {

using namespace yollayah;
using namespace yollayah::tui::term;
constexpr std::string_view kPasteEnd = "\x1b[201~";

[[noreturn]] void die(const char* what, std::string_view detail = {}) {
  fuzz::die("fuzz_input_decoder", what, detail);
}

struct Run {
  std::vector<InputEvent> events;  // the end-of-stream steps' included
  std::size_t bytes = 0;           // fed so far
  bool pending = false;            // the state when the material was all fed
  bool paste = false;
};

void feed(InputDecoder& d, Run& r, std::string_view bytes) {
  d.feed(bytes, r.events);
  r.bytes += bytes.size();
}

Run run(const std::vector<std::string_view>& chunks, bool slow_terminal) {
  InputDecoder d;
  Run r;
  for (const auto chunk : chunks) {
    feed(d, r, chunk);
    if (slow_terminal && d.pending_escape()) {
      const std::size_t first = r.events.size();
      d.flush_pending(r.events);
      const auto* key = first < r.events.size() ? std::get_if<KeyEvent>(&r.events[first]) : nullptr;
      if (key == nullptr) die("a flush gave no key");
      if (!(key->key == Key::Escape && key->mods == kNoMod) && !(key->mods & kAlt)) die("a flush began with neither Escape nor Alt");
      if (d.pending_escape()) die("still pending after a flush");
    }
  }
  r.pending = d.pending_escape();
  r.paste = d.in_paste();
  const std::size_t before_flush = r.events.size();
  d.flush_pending(r.events);
  if (d.pending_escape()) die("still pending after the final flush");
  if (!r.pending && r.events.size() != before_flush) die("a flush with nothing pending gave events");

  if (d.in_paste()) {
    feed(d, r, kPasteEnd);
    if (r.events.empty() || !std::holds_alternative<PasteEvent>(r.events.back())) die("closing the paste gave no paste");
  }
  feed(d, r, "\r");
  if (r.events.empty() || !(r.events.back() == InputEvent{KeyEvent{Key::Enter}})) die("Enter typed at the end was not the last event");
  if (d.pending_escape() || d.in_paste()) die("not idle after the end");

  if (r.events.size() > r.bytes) die("more events than bytes");
  for (const auto& e : r.events) {
    if (const auto* p = std::get_if<PasteEvent>(&e); p && p->text.find(kPasteEnd) != std::string::npos) {
      die("a paste contains its terminator", p->text);
    }
    if (const auto* k = std::get_if<KeyEvent>(&e); k && k->key == Key::Char) {
      std::string utf8;
      append_utf8(utf8, k->ch);
      if (protocol::find_invalid_utf8(utf8) != protocol::kValidUtf8) die("a Char does not encode to UTF-8", utf8);
    }
    if (const auto* m = std::get_if<MouseEvent>(&e); m && (m->x < 0 || m->y < 0)) die("a negative mouse coordinate");
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fuzz::SplitInput input = fuzz::read_split_input(data, size);
  const bool slow_terminal = input.flags & 1;
  const Run pieces = run(fuzz::cut(input.material, input.lengths), slow_terminal);
  if (slow_terminal) return 0;
  const Run whole = run({input.material}, false);
  if (whole.events != pieces.events) die("cutting the input changed the events", input.material);
  if (whole.pending != pieces.pending || whole.paste != pieces.paste) die("cutting the input changed the end state");
  return 0;
}
