#include "tui/view/highlight.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <thread>
#include <vector>

#include <unistd.h>

#if YOLLAYAH_HAVE_SRCHILITE
#include <srchilite/formatter.h>
#include <srchilite/formatterparams.h>
#include <srchilite/formattermanager.h>
#include <srchilite/langdefmanager.h>
#include <srchilite/regexrulefactory.h>
#include <srchilite/sourcehighlighter.h>
#endif

#if defined(__SANITIZE_ADDRESS__)
#define YOLLAYAH_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define YOLLAYAH_LSAN 1
#endif
#endif
#if YOLLAYAH_HAVE_SRCHILITE && defined(YOLLAYAH_LSAN)
// Source-highlight 3.1.9 leaks a few hundred bytes per language file in its definition parser
// (langdef_parse, bison): not ours to free, so LeakSanitizer is told to ignore that library.
extern "C" const char* __lsan_default_suppressions() { return "leak:libsource-highlight.so\n"; }
#endif

namespace yollayah::tui::view {

namespace {

// A forked child's highlighter, kept reachable rather than freed (see ~CodeHighlighter).
void* g_forked_leftover = nullptr;

// Fence info strings → Source-highlight language files. YAML and TOML have no definition of
// their own in 3.1.9: conf.lang (comments, strings, `key =`) reads well enough for both.
struct Alias {
  std::string_view name;
  std::string_view file;
};
constexpr Alias kAliases[] = {
    {"python", "python.lang"},   {"py", "python.lang"},         {"python3", "python.lang"},
    {"rust", "rust.lang"},       {"rs", "rust.lang"},           {"c", "c.lang"},
    {"h", "c.lang"},             {"cpp", "cpp.lang"},           {"c++", "cpp.lang"},
    {"cxx", "cpp.lang"},         {"cc", "cpp.lang"},            {"hpp", "cpp.lang"},
    {"javascript", "javascript.lang"}, {"js", "javascript.lang"}, {"jsx", "javascript.lang"},
    {"typescript", "javascript.lang"}, {"ts", "javascript.lang"}, {"tsx", "javascript.lang"},
    {"node", "javascript.lang"}, {"go", "go.lang"},             {"golang", "go.lang"},
    {"bash", "sh.lang"},         {"sh", "sh.lang"},             {"shell", "sh.lang"},
    {"zsh", "sh.lang"},          {"console", "sh.lang"},        {"json", "json.lang"},
    {"jsonc", "json.lang"},      {"yaml", "conf.lang"},         {"yml", "conf.lang"},
    {"toml", "conf.lang"},       {"ini", "conf.lang"},          {"sql", "sql.lang"},
    {"java", "java.lang"},       {"kotlin", "java.lang"},       {"csharp", "csharp.lang"},
    {"cs", "csharp.lang"},       {"ruby", "ruby.lang"},         {"rb", "ruby.lang"},
    {"lua", "lua.lang"},         {"php", "php.lang"},           {"perl", "perl.lang"},
    {"haskell", "haskell.lang"}, {"scala", "scala.lang"},       {"css", "css.lang"},
    {"html", "html.lang"},       {"xml", "xml.lang"},           {"diff", "diff.lang"},
    {"patch", "diff.lang"},      {"makefile", "makefile.lang"}, {"make", "makefile.lang"},
    {"cmake", "sh.lang"},        {"dockerfile", "sh.lang"},
};

// The language word of an info string: its first word, lower-cased ("Python {.numberLines}").
std::string_view language_word(std::string_view info, char (&buf)[16]) {
  const std::size_t end = std::min(info.find_first_of(" \t{,"), info.size());
  if (end == 0 || end > sizeof buf) return {};
  for (std::size_t i = 0; i < end; ++i) {
    const char c = info[i];
    buf[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return std::string_view(buf, end);
}

std::string_view file_for(std::string_view info) {
  char buf[16];
  const std::string_view word = language_word(info, buf);
  for (const Alias& a : kAliases) {
    if (a.name == word) return a.file;
  }
  return {};
}

struct CacheEntry {
  std::size_t hash = 0;
  std::string_view lang;  // a file name from kAliases
  std::string code;
  std::vector<CodeToken> tokens;
  std::uint64_t used = 0;
};
// Every block of a long conversation stays cached, so that a resize or a theme change lays them
// out again without highlighting them again; the least recently used go past this many bytes.
constexpr std::size_t kCacheBytes = 2 << 20;

std::size_t cost(const CacheEntry& e) { return e.code.size() + e.tokens.size() * sizeof(CodeToken); }

}  // namespace

struct CodeHighlighter::Impl {
  std::string data_dir;
  std::atomic<bool> ready{false};
  double load_ms = 0;
  std::thread loader;
  pid_t owner = ::getpid();
  std::vector<CacheEntry> cache;
  std::size_t cache_bytes = 0;
  std::uint64_t clock = 0;
  std::uint64_t performed = 0;
  std::vector<CodeToken> scratch;

#if YOLLAYAH_HAVE_SRCHILITE
  // Records each token the highlighter reports for one element class.
  class Sink : public srchilite::Formatter {
   public:
    Sink(Impl& impl, TokenClass cls) : impl_(impl), cls_(cls) {}
    void format(const std::string& s, const srchilite::FormatterParams* params) override {
      if (s.empty() || params == nullptr || params->start < 0) return;
      const auto begin = impl_.line_offset + static_cast<std::uint32_t>(params->start);
      impl_.scratch.push_back(
          CodeToken{begin, begin + static_cast<std::uint32_t>(s.size()), cls_});
    }

   private:
    Impl& impl_;
    TokenClass cls_;
  };
  class Ignore : public srchilite::Formatter {
   public:
    void format(const std::string&, const srchilite::FormatterParams*) override {}
  };

  srchilite::RegexRuleFactory rule_factory;
  std::map<std::string, srchilite::HighlightStatePtr, std::less<>> states;  // by file
  std::unique_ptr<srchilite::FormatterManager> formatters;
  std::uint32_t line_offset = 0;

  void load() {
    const auto t0 = std::chrono::steady_clock::now();
    srchilite::LangDefManager manager(&rule_factory);
    for (const Alias& a : kAliases) {
      const std::string file(a.file);
      if (states.count(file) != 0) continue;
      try {
        states.emplace(file, manager.getHighlightState(data_dir, file));
      } catch (...) {  // a missing or broken file: that language stays plain
      }
    }
    formatters = std::make_unique<srchilite::FormatterManager>(
        srchilite::FormatterPtr(new Ignore));
    struct Element {
      const char* name;
      TokenClass cls;
    };
    static constexpr Element kElements[] = {
        {"keyword", TokenClass::Keyword},    {"atom", TokenClass::Keyword},
        {"type", TokenClass::Type},          {"usertype", TokenClass::Type},
        {"classname", TokenClass::Type},     {"string", TokenClass::String},
        {"regexp", TokenClass::String},      {"specialchar", TokenClass::String},
        {"valquote", TokenClass::String},    {"comment", TokenClass::Comment},
        {"todo", TokenClass::Comment},       {"number", TokenClass::Number},
        {"function", TokenClass::Function},  {"predef_func", TokenClass::Function},
        {"preproc", TokenClass::Preproc},    {"key", TokenClass::Key},
        {"keyquote", TokenClass::Key},       {"variable", TokenClass::Key},
        {"property", TokenClass::Key},       {"attribute", TokenClass::Key},
        {"predef_var", TokenClass::Key},
    };
    for (const Element& e : kElements) {
      formatters->addFormatter(e.name, srchilite::FormatterPtr(new Sink(*this, e.cls)));
    }
    load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                  .count();
  }

  void run(std::string_view file, std::string_view code) {
    const auto it = states.find(file);
    if (it == states.end()) return;
    srchilite::SourceHighlighter highlighter(it->second);
    highlighter.setFormatterManager(formatters.get());
    highlighter.setOptimize(false);  // one call per token, with its column
    srchilite::FormatterParams params;
    highlighter.setFormatterParams(&params);
    std::string line;
    try {
      for (std::size_t pos = 0; pos <= code.size();) {
        std::size_t nl = code.find('\n', pos);
        if (nl == std::string_view::npos) nl = code.size();
        line.assign(code.substr(pos, nl - pos));
        line_offset = static_cast<std::uint32_t>(pos);
        params.start = 0;
        highlighter.highlightParagraph(line);
        pos = nl + 1;
      }
    } catch (...) {  // a regex gave up (too complex): what was found so far stays
    }
  }
#else
  void load() {}
  void run(std::string_view, std::string_view) {}
#endif
};

CodeHighlighter::CodeHighlighter(std::string data_dir) : impl_(std::make_unique<Impl>()) {
  impl_->data_dir = std::move(data_dir);
  Impl* impl = impl_.get();
  impl_->loader = std::thread([impl] {
    impl->load();
    impl->ready.store(true, std::memory_order_release);
    impl->ready.notify_all();
  });
}

CodeHighlighter::~CodeHighlighter() {
  if (!impl_) return;
  if (::getpid() != impl_->owner) {
    // A forked child calling exit(): the loading thread is the parent's, not joinable here, and
    // its std::thread may not be destroyed while joinable, so the state is left as it is.
    g_forked_leftover = impl_.release();
    return;
  }
  if (impl_->loader.joinable()) impl_->loader.join();
}

bool CodeHighlighter::compiled_in() { return YOLLAYAH_HAVE_SRCHILITE != 0; }

bool CodeHighlighter::ready() const { return impl_->ready.load(std::memory_order_acquire); }

void CodeHighlighter::wait_ready() const { impl_->ready.wait(false, std::memory_order_acquire); }

double CodeHighlighter::load_ms() const { return ready() ? impl_->load_ms : 0.0; }

std::uint64_t CodeHighlighter::highlights_performed() const { return impl_->performed; }

std::span<const CodeToken> CodeHighlighter::highlight(std::string_view lang,
                                                      std::string_view code) {
  Impl& m = *impl_;
  if (!ready() || code.empty() || code.size() > kMaxBytes) return {};
  const std::string_view file = file_for(lang);
  if (file.empty()) return {};
  ++m.clock;
  const std::size_t hash = std::hash<std::string_view>{}(code);
  for (CacheEntry& e : m.cache) {
    if (e.hash == hash && e.code.size() == code.size() && e.lang == file && e.code == code) {
      e.used = m.clock;
      return e.tokens;
    }
  }
  m.scratch.clear();
  m.run(file, code);
  ++m.performed;
  // Tokens come in order within a line; keep them sorted and drop any overlap to be safe.
  // (std::sort, not stable_sort: no temporary buffer from operator new(nothrow).)
  std::sort(m.scratch.begin(), m.scratch.end(), [](const CodeToken& a, const CodeToken& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  std::uint32_t reached = 0;
  std::erase_if(m.scratch, [&](const CodeToken& t) {
    if (t.begin < reached || t.end > code.size()) return true;
    reached = t.end;
    return false;
  });
  while (!m.cache.empty() && m.cache_bytes + code.size() > kCacheBytes) {
    auto lru = std::min_element(m.cache.begin(), m.cache.end(),
                                [](const CacheEntry& a, const CacheEntry& b) { return a.used < b.used; });
    m.cache_bytes -= cost(*lru);
    if (lru != m.cache.end() - 1) *lru = std::move(m.cache.back());
    m.cache.pop_back();
  }
  CacheEntry& e = m.cache.emplace_back();
  e.hash = hash;
  e.lang = file;
  e.code.assign(code);
  e.tokens.assign(m.scratch.begin(), m.scratch.end());
  e.used = m.clock;
  m.cache_bytes += cost(e);
  return e.tokens;
}

bool highlighting_wanted(const char* no_color) {
  return (no_color == nullptr || *no_color == '\0') && CodeHighlighter::compiled_in();
}

CodeHighlighter* default_highlighter() {
  static const std::unique_ptr<CodeHighlighter> instance =
      highlighting_wanted(std::getenv("NO_COLOR")) ? std::make_unique<CodeHighlighter>() : nullptr;
  return instance.get();
}

}  // namespace yollayah::tui::view
