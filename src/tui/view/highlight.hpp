// Syntax highlighting of fenced code blocks, with GNU Source-highlight: the token classes of a
// block as byte ranges, which the Markdown layout paints with the theme's code colours.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace yollayah::tui::view {

// Source-highlight's element names folded into the few classes a palette colours.
enum class TokenClass : std::uint8_t { Keyword, Type, String, Comment, Number, Function, Preproc, Key };
inline constexpr int kTokenClasses = 8;

struct CodeToken {
  std::uint32_t begin = 0;  // byte range in the block's text
  std::uint32_t end = 0;
  TokenClass cls = TokenClass::Keyword;
};

// Highlights code blocks. The language definitions are read from disk and compiled (regexes)
// once, on a thread of the highlighter's own started by the constructor, never on the caller's:
// until they are ready, highlight() returns nothing and the code shows plain. Then highlight()
// runs on the caller's thread: one block costs 0.6-4 µs per byte (BENCHMARKS.md), so blocks
// over kMaxBytes are left plain rather than stall a frame by more than a few milliseconds.
// Results are cached (2 MiB of code), so laying out the same block again (a resize, a streaming
// answer's tail) costs a hash, not a highlight.
// Not thread-safe: one thread calls highlight().
class CodeHighlighter {
 public:
  static constexpr std::size_t kMaxBytes = 4 * 1024;
  static constexpr std::string_view kDefaultDataDir = "/usr/share/source-highlight";

  explicit CodeHighlighter(std::string data_dir = std::string(kDefaultDataDir));
  ~CodeHighlighter();  // waits for the loading thread (it does not stop half-way)
  CodeHighlighter(const CodeHighlighter&) = delete;
  CodeHighlighter& operator=(const CodeHighlighter&) = delete;

  // Built with Source-highlight (the build finds it with pkg-config; without it, no colours).
  static bool compiled_in();
  // The language definitions are loaded (or failed to load: then highlight() stays empty).
  bool ready() const;
  // Blocks until ready() (tests; a caller on an event loop never needs it).
  void wait_ready() const;
  // Milliseconds the loading thread spent, once ready() (benchmarks and the report).
  double load_ms() const;

  // The tokens of `code` in `lang` (a fenced block's info string, e.g. "py", "rust", "c++"),
  // sorted, not overlapping. Empty when the language is unknown, the block is over kMaxBytes,
  // or the definitions are not ready. Valid until the next call.
  std::span<const CodeToken> highlight(std::string_view lang, std::string_view code);

  // Blocks actually highlighted (cache misses), for tests and benchmarks.
  std::uint64_t highlights_performed() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Whether code should be highlighted given NO_COLOR's value (nullptr: unset): not when it is set
// and not empty (colours would be dropped anyway), nor without Source-highlight.
bool highlighting_wanted(const char* no_color);

// The process's highlighter, created (and its loading thread started) on first use; nullptr
// unless highlighting_wanted(getenv("NO_COLOR")).
CodeHighlighter* default_highlighter();

}  // namespace yollayah::tui::view
