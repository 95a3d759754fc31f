// The token-line scanner against the SAX parser: on every line, whatever its shape, the two must
// agree (same fields, same verdict), and the scanner must take the lines Ollama sends while
// streaming and leave the others to the SAX parser.
#include "backend/ollama_line_parser.hpp"
#include "backend/ollama_line_scanner.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <random>
#include <string>
#include <vector>

namespace yollayah::backend {

void PrintTo(const OllamaLine& l, std::ostream* os) {
  *os << "{content=\"" << l.content << "\" has_content=" << l.has_content << " done=" << l.done
      << " has_error=" << l.has_error << " error=\"" << l.error << "\" model=\"" << l.model << "\" done_reason=\""
      << l.done_reason << "\" eval_count=" << l.eval_count << " eval_duration=" << l.eval_duration
      << " total_duration=" << l.total_duration << " load_duration=" << l.load_duration
      << " prompt_eval_count=" << l.prompt_eval_count << " prompt_eval_duration=" << l.prompt_eval_duration << "}";
}

namespace {

// Parses `line` three ways (SAX alone, scanner alone, the parser as the stream uses it), checks
// that they agree, and says whether the scanner took it.
ScanResult expect_same(std::string_view line) {
  SCOPED_TRACE(::testing::Message() << "line: " << line);
  OllamaLineParser sax;
  const bool sax_ok = sax.parse_general(line);
  OllamaLine scanned;
  const ScanResult r = scan_token_line(line, scanned);
  if (r == ScanResult::Parsed) {
    EXPECT_TRUE(sax_ok) << "the scanner accepted a line the SAX parser refuses";
    if (sax_ok) {
      EXPECT_EQ(scanned, sax.line());
    }
  }
  OllamaLineParser both;
  // A used parser must not carry anything over: parse a different line first.
  (void)both.parse(R"({"error":"earlier","done":true,"eval_count":9,"model":"old","done_reason":"x"})");
  const bool ok = both.parse(line);
  EXPECT_EQ(ok, sax_ok);
  if (ok && sax_ok) {
    EXPECT_EQ(both.line(), sax.line());
  }
  return r;
}

std::string chat_line(std::string_view escaped_content, std::string_view model = "llama3.2",
                      std::string_view created = "2024-07-22T20:33:28.123648Z") {
  return std::string(R"({"model":")") + std::string(model) + R"(","created_at":")" + std::string(created) +
         R"(","message":{"role":"assistant","content":")" + std::string(escaped_content) + R"("},"done":false})";
}

std::string generate_line(std::string_view escaped_content) {
  return std::string(R"({"model":"llama3.2","created_at":"2024-07-22T20:33:28.123648Z","response":")") +
         std::string(escaped_content) + R"(","done":false})";
}

TEST(OllamaLineScanner, TakesTheTokenLinesOllamaAndTheSimSend) {
  for (const std::string& line : std::vector<std::string>{
           chat_line("The"), chat_line(" sky"), chat_line("Hello, world!"),
           chat_line("x", "qwen2.5-coder:1.5b-instruct-q4_K_M"),
           chat_line("x", "llama3.2", "2024-07-22T22:33:28.123648+02:00"),  // a local-time created_at
           chat_line("x", "sim", ""),
           generate_line("The"),
           // ollama-sim's own lines, as its OllamaLines writes them
           R"({"model":"sim","created_at":"2026-11-21T22:50:00.123456Z","message":{"role":"assistant","content":"token "},"done":false})",
       }) {
    EXPECT_EQ(expect_same(line), ScanResult::Parsed) << line;
  }
  OllamaLineParser p;
  ASSERT_TRUE(p.parse(chat_line("Hi")));
  EXPECT_EQ(p.line().content, "Hi");
  EXPECT_TRUE(p.line().has_content);
  EXPECT_EQ(p.line().model, "llama3.2");
  EXPECT_FALSE(p.line().done);
}

TEST(OllamaLineScanner, DecodesEveryJsonEscapeAsTheSaxParserDoes) {
  for (std::string_view content : {
           R"(a\nb)", R"(say \"hi\")", R"(back\\slash)", R"(a\/b)", R"(\b\f\r\t)",
           R"(caf\u00e9)", R"(caf\u00E9)",                       // either case of hex
           R"(\u003cdiv\u003e \u0026amp;)",                      // Go's HTML-safe escapes
           R"(\u2028\u2029)", R"(\u0000)", R"(\u007f\u0080\u07ff\u0800\uffff)",
           R"(\ud83e\udd8e lizard)", R"(\uD83D\uDE00)", R"(\udbff\udfff)",  // surrogate pairs
           R"(\n)", R"(\\)", R"(\"\"\")", R"(end\\)",
       }) {
    EXPECT_EQ(expect_same(chat_line(content)), ScanResult::Parsed) << content;
    EXPECT_EQ(expect_same(generate_line(content)), ScanResult::Parsed) << content;
  }
  OllamaLineParser p;
  ASSERT_TRUE(p.parse(chat_line(R"(a\"b\\c\nd\u00e9\ud83e\udd8e\u003c)")));
  EXPECT_EQ(p.line().content, "a\"b\\c\nd\xC3\xA9\xF0\x9F\xA6\x8E<");
}

TEST(OllamaLineScanner, LeavesLoneSurrogatesAndBadEscapesToTheSaxParser) {
  for (std::string_view content : {
           R"(\ud83e)", R"(\ud83e tail)", R"(\udd8e)", R"(\ud83e\u0041)", R"(\ud83e\ud83e)", R"(\ud83e\n)",
           R"(\x)", R"(\u12)", R"(\u12G4)", R"(\)", R"(\')", R"(\U0041)",
       }) {
    EXPECT_EQ(expect_same(chat_line(content)), ScanResult::Unusual) << content;
  }
}

TEST(OllamaLineScanner, PassesUtf8ThroughAndLeavesInvalidBytesToTheSaxParser) {
  for (std::string_view content : {"caf\xC3\xA9", "\xF0\x9F\xA6\x8E", "\xE4\xB8\xAD\xE6\x96\x87", "\xEF\xBB\xBF"}) {
    EXPECT_EQ(expect_same(chat_line(content)), ScanResult::Parsed);
  }
  EXPECT_EQ(expect_same(chat_line("x", "mod\xC3\xA9l")), ScanResult::Parsed);
  for (std::string_view content : {"\xC3", "caf\xC3", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF", "\x80"}) {
    EXPECT_EQ(expect_same(chat_line(content)), ScanResult::Unusual);
    OllamaLineParser p;
    EXPECT_FALSE(p.parse(chat_line(content)));
  }
  EXPECT_EQ(expect_same(chat_line("x", "bad\xFF")), ScanResult::Unusual);
  // created_at is not kept, so bad bytes there do not matter to either path.
  OllamaLineParser p;
  EXPECT_TRUE(p.parse(chat_line("fine", "m", "\xC3")));
  expect_same(chat_line("fine", "m", "\xC3"));
}

TEST(OllamaLineScanner, ReadsEmptyContentAsPresentAndEmpty) {
  EXPECT_EQ(expect_same(chat_line("")), ScanResult::Parsed);
  EXPECT_EQ(expect_same(generate_line("")), ScanResult::Parsed);
  OllamaLine l;
  ASSERT_EQ(scan_token_line(chat_line(""), l), ScanResult::Parsed);
  EXPECT_TRUE(l.has_content);
  EXPECT_TRUE(l.content.empty());
}

TEST(OllamaLineScanner, HandsEveryOtherShapeToTheSaxParser) {
  const std::string ts = R"("created_at":"2024-07-22T20:33:28.123648Z")";
  const std::vector<std::string> unusual = {
      // the final line, with and without stats
      R"({"model":"llama3.2",)" + ts + R"(,"message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"total_duration":4883583458,"load_duration":1334875,"prompt_eval_count":26,"prompt_eval_duration":342546000,"eval_count":282,"eval_duration":4535599000})",
      R"({"model":"llama3.2",)" + ts + R"(,"message":{"role":"assistant","content":""},"done":true})",
      R"({"model":"llama3.2",)" + ts + R"(,"response":"","done":true,"done_reason":"length","context":[1,2,3],"total_duration":10,"eval_count":2})",
      R"({"model":"sim",)" + ts + R"(,"message":{"role":"assistant","content":"last"},"done":true})",
      // errors
      R"({"error":"model requires more system memory"})",
      R"({"error":{"message":"nested","type":"server_error"}})",
      R"({"model":"m",)" + ts + R"(,"error":"mid-stream"})",
      // thinking, tool calls, images, extra fields
      R"({"model":"qwen3",)" + ts + R"(,"message":{"role":"assistant","content":"","thinking":"Let me think"},"done":false})",
      R"({"model":"qwen3",)" + ts + R"(,"message":{"role":"assistant","content":"x","thinking":"y"},"done":false})",
      R"({"model":"llama3.1",)" + ts + R"(,"message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Paris","content":"no"}}}]},"done":false})",
      R"({"model":"m",)" + ts + R"(,"message":{"role":"assistant","content":"x","images":null},"done":false})",
      R"({"model":"m","remote_model":"big","remote_host":"https://ollama.com",)" + ts + R"(,"message":{"role":"assistant","content":"x"},"done":false})",
      R"({"model":"m",)" + ts + R"(,"message":{"role":"assistant","content":"x"},"done":false,"extra":1})",
      // other orders, roles, missing fields
      R"({"created_at":"t","model":"m","message":{"role":"assistant","content":"x"},"done":false})",
      R"({"model":"m",)" + ts + R"(,"message":{"content":"x","role":"assistant"},"done":false})",
      R"({"model":"m",)" + ts + R"(,"done":false,"message":{"role":"assistant","content":"x"}})",
      R"({"model":"m",)" + ts + R"(,"message":{"role":"user","content":"x"},"done":false})",
      R"({"model":"m",)" + ts + R"(,"message":{"role":"assistant","content":"x"}})",
      R"({"model":"m","message":{"role":"assistant","content":"x"},"done":false})",
      R"({"message":{"content":"x"}})",
      R"({"model":"m",)" + ts + R"(,"message":{"role":"assistant","content":"x"},"done":null})",
      R"({"model":"m",)" + ts + R"(,"message":{"role":"assistant","content":"x"},"done":0})",
      R"({"model":"m",)" + ts + R"(,"message":{"role":"assistant","content":1},"done":false})",
      R"({"model":"m",)" + ts + R"(,"message":{"role":"assistant","content":null},"done":false})",
      // duplicates and escaped keys
      R"({"model":"m",)" + ts + R"(,"message":{"role":"assistant","content":"a","content":"b"},"done":false})",
      R"({"model":"m",)" + ts + R"(,"message":{"role":"assistant","cont\u0065nt":"x"},"done":false})",
      R"({"model":"m",)" + ts + R"(,"message":{"role":"assistant","content":"x"},"done":false,"done":true})",
      // escapes where the scanner wants none
      R"({"model":"m\u00e9",)" + ts + R"(,"message":{"role":"assistant","content":"x"},"done":false})",
      R"({"model":"m","created_at":"2024\/07",)" R"("message":{"role":"assistant","content":"x"},"done":false})",
      // whitespace inside the object or before it
      R"({ "model":"m",)" + ts + R"(,"message":{"role":"assistant","content":"x"},"done":false})",
      R"({"model": "m",)" + ts + R"(,"message":{"role":"assistant","content":"x"},"done":false})",
      R"({"model":"m",)" + ts + R"(,"message":{"role":"assistant","content":"x"}, "done":false})",
      R"(  {"model":"m",)" + ts + R"(,"message":{"role":"assistant","content":"x"},"done":false})",
      // not one valid object
      R"({"model":"m",)" + ts + R"(,"message":{"role":"assistant","content":"x"},"done":false}})",
      R"({"model":"m",)" + ts + R"(,"message":{"role":"assistant","content":"x"},"done":false} x)",
      R"({"model":"m",)" + ts + R"(,"message":{"role":"assistant","content":"x"},"done":false}{"a":1})",
      R"({"model":"m",)" + ts + R"(,"message":{"role":"assistant","content":"x"},"done":fals)",
      R"({"model":"m",)" + ts + R"(,"message":{"role":"assistant","content":"unterminated)",
      R"({"model":"sim","created_at":"","message":{"role":"assistant","content":"this line is not json)",
      "{\"model\":\"m\"," + ts + ",\"message\":{\"role\":\"assistant\",\"content\":\"tab\there\"},\"done\":false}",
      "{\"model\":\"m\"," + ts + ",\"message\":{\"role\":\"assistant\",\"content\":\"nl\nhere\"},\"done\":false}",
      "{\"model\":\"m\",\"created_at\":\"t\x01\",\"message\":{\"role\":\"assistant\",\"content\":\"x\"},\"done\":false}",
      R"([1,2,3])", R"("just a string")", "not json", "{}", "",
  };
  for (const auto& line : unusual) EXPECT_EQ(expect_same(line), ScanResult::Unusual) << line;

  // JSON whitespace after the object is still the token shape.
  for (std::string_view tail : {" ", "\t", "\r", "  \r\n\t "}) {
    EXPECT_EQ(expect_same(chat_line("x") + std::string(tail)), ScanResult::Parsed);
  }
}

// Content built from the pieces that matter to a decoder, escaped the way a server might (or
// broken the way a server should not), in either API's shape.
std::string random_content(std::mt19937& rng) {
  static const std::vector<std::string> pieces = {
      "a", "Z", " ", "token", "0", "[", "]", "{", "}", ":", ",",
      R"(\n)", R"(\")", R"(\\)", R"(\/)", R"(\b)", R"(\f)", R"(\r)", R"(\t)",
      R"(\u00e9)", R"(\u003c)", R"(\u0000)", R"(\u2028)", R"(\uFFFD)", R"(\ud83e\udd8e)", R"(\uDBFF\uDFFF)",
      "\xC3\xA9", "\xF0\x9F\xA6\x8E", "\xE2\x82\xAC",
      // rarely: what must send the line to the SAX parser (which then agrees or refuses)
      R"(\ud83e)", R"(\udd8e)", R"(\x)", R"(\u12)", "\"", "\x01", "\n", "\xC3", "\xFF", "\xED\xA0\x80", "\\",
  };
  constexpr std::size_t kCommon = 29;  // the pieces before the "rarely" ones
  std::uniform_int_distribution<std::size_t> count(0, 12);
  std::uniform_int_distribution<std::size_t> common(0, kCommon - 1);
  std::uniform_int_distribution<std::size_t> any(0, pieces.size() - 1);
  std::uniform_int_distribution<int> percent(0, 99);
  std::string out;
  for (std::size_t n = count(rng); n > 0; --n) out += pieces[percent(rng) < 95 ? common(rng) : any(rng)];
  return out;
}

TEST(OllamaLineScanner, AgreesWithTheSaxParserOnRandomContent) {
  std::mt19937 rng(20261205);
  std::uniform_int_distribution<int> percent(0, 99);
  std::size_t parsed = 0;
  constexpr std::size_t kLines = 20000;
  for (std::size_t i = 0; i < kLines; ++i) {
    const std::string content = random_content(rng);
    const std::string line = percent(rng) < 80 ? chat_line(content) : generate_line(content);
    if (expect_same(line) == ScanResult::Parsed) ++parsed;
    if (::testing::Test::HasFailure()) break;  // one broken line is enough to read
  }
  // Most lines are the common shape: the fast path must really be the one taken.
  EXPECT_GT(parsed, kLines / 2);
}

TEST(OllamaLineScanner, AgreesWithTheSaxParserOnDamagedLines) {
  const std::vector<std::string> templates = {
      chat_line(R"(Hello \u003cb\u003e \"x\" \ud83e\udd8e)"),
      generate_line("caf\xC3\xA9"),
      R"({"model":"m","created_at":"t","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"eval_count":3,"eval_duration":7})",
      R"({"error":"boom"})",
  };
  const std::string alphabet = "{}[]\":,\\ undefmaglsrtc0123456789\xC3\xA9\x01";
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> op(0, 3);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::size_t parsed = 0;
  constexpr std::size_t kLines = 20000;
  for (std::size_t i = 0; i < kLines; ++i) {
    std::string line = templates[i % templates.size()];
    std::uniform_int_distribution<std::size_t> edits(1, 3);
    for (std::size_t e = edits(rng); e > 0 && !line.empty(); --e) {
      std::uniform_int_distribution<std::size_t> at(0, line.size() - 1);
      const std::size_t pos = at(rng);
      switch (op(rng)) {
        case 0: line.erase(pos, 1); break;
        case 1: line.insert(pos, 1, alphabet[pick(rng)]); break;
        case 2: line[pos] = alphabet[pick(rng)]; break;
        default: line.resize(pos); break;
      }
    }
    if (expect_same(line) == ScanResult::Parsed) ++parsed;
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(parsed, 0u);  // some damage (inside the content) keeps the token shape
}

// One parser reads a stream: a line that starts as the previous one did skips to its text (the
// scan cache), and must still read exactly as a fresh SAX parser reads it, model included.
TEST(OllamaLineScanner, AStreamsLinesThatStartAlikeReadAsTheSaxParserReadsThem) {
  const std::vector<std::string> lines{
      chat_line("one"), chat_line("two"), chat_line("\\u003cb\\u003e \\n"),  // the same start
      chat_line("three", "llama3.2", "2024-07-22T20:33:28.9Z"),                // a new created_at
      chat_line("four", "qwen"),                                              // a new model
      // the same start, then a shape the scanner leaves to the SAX parser
      R"({"model":"qwen","created_at":"2024-07-22T20:33:28.123648Z","message":{"role":"assistant","content":"x","thinking":"y"},"done":false})",
      chat_line("five", "qwen"), chat_line("six", "qwen"),
      "{\"model\":\"qwen\",\"created_at\":\"2024-07-22T20:33:28.123648Z\",\"message\":{\"role\":\"assistant\",\"content\":\"\xff\"},\"done\":false}",
      chat_line("seven", "qwen"),
      generate_line("eight"), generate_line("nine"),
      R"({"model":"llama3.2","created_at":"2024-07-22T20:33:28.123648Z","response":"","done":true,"eval_count":2})",
      generate_line("ten"), chat_line("eleven"), chat_line("twelve"),
  };
  OllamaLineParser stream;
  int tokens = 0;
  for (const auto& line : lines) {
    SCOPED_TRACE(::testing::Message() << "line: " << line);
    OllamaLineParser sax;
    const bool sax_ok = sax.parse_general(line);
    ASSERT_EQ(stream.parse(line), sax_ok);
    if (!sax_ok) continue;
    EXPECT_EQ(stream.line(), sax.line());
    tokens += stream.line().has_content && !stream.line().done ? 1 : 0;
  }
  EXPECT_EQ(tokens, 14);
}

}  // namespace
}  // namespace yollayah::backend
