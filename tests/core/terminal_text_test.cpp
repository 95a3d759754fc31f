#include "core/terminal_text.hpp"

#include <gtest/gtest.h>

namespace yollayah::core {
namespace {

TEST(TerminalText, PlainTextTabsAndNewlinesAreKeptAsTheyAre) {
  const std::string text = "héllo\tworld\n🦎 ok\n";
  EXPECT_TRUE(terminal_safe_already(text));
  EXPECT_EQ(terminal_safe(text), text);
}

TEST(TerminalText, EscapeSequencesAreShownNotObeyed) {
  // A title change, an OSC 52 clipboard write, a cursor move and the bell.
  const std::string hostile = "a\x1b]0;pwned\x07" "b\x1b]52;c;ZXZpbA==\x1b\\c\x1b[2J\x1b[Hd";
  EXPECT_FALSE(terminal_safe_already(hostile));
  const std::string shown = terminal_safe(hostile);
  EXPECT_EQ(shown.find('\x1b'), std::string::npos) << shown;
  EXPECT_EQ(shown.find('\x07'), std::string::npos) << shown;
  EXPECT_EQ(shown, "a\u241B]0;pwned\u2407b\u241B]52;c;ZXZpbA==\u241B\\c\u241B[2J\u241B[Hd");
}

TEST(TerminalText, CrlfBecomesANewlineAndALoneCarriageReturnIsShown) {
  EXPECT_EQ(terminal_safe("one\r\ntwo\rthree"), "one\ntwo\u240Dthree");
}

TEST(TerminalText, DelAndC1ControlsAreReplaced) {
  // U+009B is CSI on terminals that read C1 controls; U+00A0 (no-break space) is not a control.
  EXPECT_EQ(terminal_safe("x\x7fy\xc2\x9b" "2Jz\xc2\xa0"), "x\u2421y\uFFFD2Jz\xc2\xa0");
  EXPECT_EQ(terminal_safe(std::string_view("\0", 1)), "\u2400");
}

}  // namespace
}  // namespace yollayah::core
