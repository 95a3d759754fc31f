// The terminal's answer to the OSC 11 background query, as the input decoder reads it: whole,
// split at every byte, with either terminator, and garbage that must decode as typed keys.
#include "tui/app/appearance.hpp"
#include "tui/term/input_decoder.hpp"

#include <gtest/gtest.h>

namespace {

using namespace yollayah::tui::term;
using yollayah::tui::app::Background;
using yollayah::tui::app::background_from_setting;
using yollayah::tui::app::background_of;

std::vector<InputEvent> decode(std::string_view bytes) {
  InputDecoder d;
  std::vector<InputEvent> out;
  d.feed(bytes, out);
  return out;
}

const std::string kWhite = "\x1b]11;rgb:ffff/ffff/ffff\a";

TEST(ColorReport, AnOsc11AnswerIsOneEventWithBel) {
  EXPECT_EQ(decode(kWhite), (std::vector<InputEvent>{ColorReport{11, 0xffff, 0xffff, 0xffff}}));
}

TEST(ColorReport, TheStTerminatorAndShortChannelsWork) {
  EXPECT_EQ(decode("\x1b]11;rgb:00/80/ff\x1b\\"), (std::vector<InputEvent>{ColorReport{11, 0, 0x8080, 0xffff}}));
  EXPECT_EQ(decode("\x1b]10;rgba:1/2/3/f\a"), (std::vector<InputEvent>{ColorReport{10, 0x1111, 0x2222, 0x3333}}));
}

TEST(ColorReport, SplitAtEveryByteItGivesTheSameEventAndKeysAroundItSurvive) {
  const std::string bytes = "a" + kWhite + "b";
  for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
    InputDecoder d;
    std::vector<InputEvent> out;
    d.feed(std::string_view(bytes).substr(0, cut), out);
    d.feed(std::string_view(bytes).substr(cut), out);
    const std::vector<InputEvent> want{KeyEvent{Key::Char, kNoMod, U'a'}, ColorReport{11, 0xffff, 0xffff, 0xffff},
                                       KeyEvent{Key::Char, kNoMod, U'b'}};
    EXPECT_EQ(out, want) << "cut at " << cut;
    EXPECT_FALSE(d.pending_escape());
  }
}

TEST(ColorReport, AnUnfinishedAnswerWaitsLongerThanALoneEsc) {
  InputDecoder d;
  std::vector<InputEvent> out;
  d.feed("\x1b]11;rgb:ff", out);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(d.pending_escape());
  EXPECT_TRUE(d.pending_report());
  d.feed("ff/0000/0000\a", out);
  EXPECT_EQ(out, (std::vector<InputEvent>{ColorReport{11, 0xffff, 0, 0}}));
  d.feed("\x1b", out);
  EXPECT_FALSE(d.pending_report());  // a lone Esc keeps its short timer
}

TEST(ColorReport, AltBracketAndBrokenAnswersAreTypedKeysNotLost) {
  // Alt+] then a letter: not an OSC (no digit).
  EXPECT_EQ(decode("\x1b]x"), (std::vector<InputEvent>{KeyEvent{Key::Char, kAlt, U']'}, KeyEvent{Key::Char, kNoMod, U'x'}}));
  // A control byte inside: what came so far is decoded as typed.
  const auto broken = decode("\x1b]1\r");
  ASSERT_EQ(broken.size(), 3u);
  EXPECT_EQ(broken[0], InputEvent{(KeyEvent{Key::Char, kAlt, U']'})});
  EXPECT_EQ(broken[2], InputEvent{KeyEvent{Key::Enter}});
  // A well-formed OSC that is not a colour: swallowed, nothing typed.
  EXPECT_TRUE(decode("\x1b]11;cmyk:1/2/3/4\a").empty());
  EXPECT_TRUE(decode("\x1b]11;rgb:fffff/0/0\a").empty());
  EXPECT_TRUE(decode("\x1b]11;rgb:ff/00\a").empty());
  // Far too long: typed keys, decoded in full, nothing held.
  InputDecoder d;
  std::vector<InputEvent> out;
  d.feed("\x1b]1" + std::string(200, '1'), out);
  EXPECT_FALSE(d.pending_escape());
  EXPECT_EQ(out.size(), 202u);
}

TEST(ColorReport, FlushingAPendingAnswerGivesAltBracketAndTheRestAsTyped) {
  InputDecoder d;
  std::vector<InputEvent> out;
  d.feed("\x1b]11;", out);
  d.flush_pending(out);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0], InputEvent{(KeyEvent{Key::Char, kAlt, U']'})});
  EXPECT_FALSE(d.pending_escape());
}

TEST(ColorReport, DeviceAttributesAreReportedSoTheWaitCanEndEarly) {
  EXPECT_EQ(decode("\x1b[?62;22c"), std::vector<InputEvent>{DeviceAttributes{}});
  EXPECT_TRUE(decode("\x1b[>1;10;0c").empty());  // secondary attributes: nothing we asked for
  const auto both = decode(kWhite + "\x1b[?1;2c");
  ASSERT_EQ(both.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<ColorReport>(both[0]));
  EXPECT_TRUE(std::holds_alternative<DeviceAttributes>(both[1]));
}

TEST(Background, WhiteIsLightBlackIsDarkAndTheSettingOverrides) {
  EXPECT_EQ(background_of(ColorReport{11, 0xffff, 0xffff, 0xffff}), Background::Light);
  EXPECT_EQ(background_of(ColorReport{11, 0xfdfd, 0xf6f6, 0xe3e3}), Background::Light);  // solarized light
  EXPECT_EQ(background_of(ColorReport{11, 0, 0x2b2b, 0x3636}), Background::Dark);        // solarized dark
  EXPECT_EQ(background_of(ColorReport{11, 0, 0, 0}), Background::Dark);
  EXPECT_EQ(background_from_setting("light"), Background::Light);
  EXPECT_EQ(background_from_setting("DARK"), Background::Dark);
  EXPECT_FALSE(background_from_setting("auto"));
  EXPECT_FALSE(background_from_setting(nullptr));
}

}  // namespace
