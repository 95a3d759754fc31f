// InputDecoder: a table of byte sequences and the events they decode to, every split point of
// each sequence, bracketed paste across feeds, and the lone-Esc timer protocol.
#include "tui/term/input_decoder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace yollayah::tui::term;

KeyEvent key(Key k, std::uint8_t mods = kNoMod) { return KeyEvent{k, mods, 0}; }
KeyEvent ch(char32_t c, std::uint8_t mods = kNoMod) { return KeyEvent{Key::Char, mods, c}; }
MouseEvent mouse(MouseButton b, MouseAction a, int x, int y, std::uint8_t mods = kNoMod) {
  return MouseEvent{b, a, mods, x, y};
}

std::string describe(const InputEvent& e) {
  if (auto* k = std::get_if<KeyEvent>(&e)) {
    return "Key(" + std::to_string(static_cast<int>(k->key)) + ",mods=" + std::to_string(k->mods) +
           ",ch=" + std::to_string(static_cast<std::uint32_t>(k->ch)) + ")";
  }
  if (auto* m = std::get_if<MouseEvent>(&e)) {
    return "Mouse(" + std::to_string(static_cast<int>(m->button)) + "," +
           std::to_string(static_cast<int>(m->action)) + ",mods=" + std::to_string(m->mods) + "," +
           std::to_string(m->x) + "," + std::to_string(m->y) + ")";
  }
  if (auto* c = std::get_if<ColorReport>(&e)) return "Color(" + std::to_string(c->code) + ")";
  if (std::holds_alternative<DeviceAttributes>(e)) return "DeviceAttributes";
  return "Paste(" + std::get<PasteEvent>(e).text + ")";
}

std::string describe(const std::vector<InputEvent>& events) {
  std::string s;
  for (const auto& e : events) s += describe(e) + " ";
  return s;
}

struct Case {
  const char* name;
  std::string bytes;
  std::vector<InputEvent> expected;
};

std::vector<Case> cases() {
  using namespace std::string_literals;
  return {
      {"ascii", "a", {ch(U'a')}},
      {"word", "hi!", {ch(U'h'), ch(U'i'), ch(U'!')}},
      {"two_byte_utf8", "é", {ch(U'é')}},
      {"three_byte_utf8", "中", {ch(U'中')}},
      {"four_byte_utf8", "😀", {ch(U'😀')}},
      {"invalid_utf8_is_replacement", "\xff"s + "a", {ch(0xFFFD), ch(U'a')}},
      {"surrogate_is_replacement", "\xed\xa0\x80", {ch(0xFFFD), ch(0xFFFD), ch(0xFFFD)}},
      {"enter", "\r", {key(Key::Enter)}},
      {"tab", "\t", {key(Key::Tab)}},
      {"backspace_del", "\x7f", {key(Key::Backspace)}},
      {"backspace_bs", "\x08", {key(Key::Backspace)}},
      {"ctrl_a", "\x01", {ch(U'a', kCtrl)}},
      {"ctrl_c", "\x03", {ch(U'c', kCtrl)}},
      {"ctrl_l", "\x0c", {ch(U'l', kCtrl)}},
      {"ctrl_z", "\x1a", {ch(U'z', kCtrl)}},
      {"ctrl_space", "\x00"s, {ch(U' ', kCtrl)}},
      {"up", "\x1b[A", {key(Key::Up)}},
      {"down", "\x1b[B", {key(Key::Down)}},
      {"right", "\x1b[C", {key(Key::Right)}},
      {"left", "\x1b[D", {key(Key::Left)}},
      {"ss3_up", "\x1bOA", {key(Key::Up)}},
      {"ss3_left", "\x1bOD", {key(Key::Left)}},
      {"home_csi_h", "\x1b[H", {key(Key::Home)}},
      {"end_csi_f", "\x1b[F", {key(Key::End)}},
      {"home_ss3", "\x1bOH", {key(Key::Home)}},
      {"end_ss3", "\x1bOF", {key(Key::End)}},
      {"home_tilde_1", "\x1b[1~", {key(Key::Home)}},
      {"home_tilde_7", "\x1b[7~", {key(Key::Home)}},
      {"end_tilde_4", "\x1b[4~", {key(Key::End)}},
      {"end_tilde_8", "\x1b[8~", {key(Key::End)}},
      {"insert", "\x1b[2~", {key(Key::Insert)}},
      {"delete", "\x1b[3~", {key(Key::Delete)}},
      {"page_up", "\x1b[5~", {key(Key::PageUp)}},
      {"page_down", "\x1b[6~", {key(Key::PageDown)}},
      {"f1_ss3", "\x1bOP", {key(Key::F1)}},
      {"f2_ss3", "\x1bOQ", {key(Key::F2)}},
      {"f3_ss3", "\x1bOR", {key(Key::F3)}},
      {"f4_ss3", "\x1bOS", {key(Key::F4)}},
      {"f1_tilde", "\x1b[11~", {key(Key::F1)}},
      {"f5", "\x1b[15~", {key(Key::F5)}},
      {"f6", "\x1b[17~", {key(Key::F6)}},
      {"f7", "\x1b[18~", {key(Key::F7)}},
      {"f8", "\x1b[19~", {key(Key::F8)}},
      {"f9", "\x1b[20~", {key(Key::F9)}},
      {"f10", "\x1b[21~", {key(Key::F10)}},
      {"f11", "\x1b[23~", {key(Key::F11)}},
      {"f12", "\x1b[24~", {key(Key::F12)}},
      {"linux_f1", "\x1b[[A", {key(Key::F1)}},
      {"ctrl_right", "\x1b[1;5C", {key(Key::Right, kCtrl)}},
      {"shift_up", "\x1b[1;2A", {key(Key::Up, kShift)}},
      {"alt_left", "\x1b[1;3D", {key(Key::Left, kAlt)}},
      {"ctrl_shift_down", "\x1b[1;6B", {key(Key::Down, kCtrl | kShift)}},
      {"ctrl_home", "\x1b[1;5H", {key(Key::Home, kCtrl)}},
      {"ctrl_end", "\x1b[1;5F", {key(Key::End, kCtrl)}},
      {"ctrl_page_up", "\x1b[5;5~", {key(Key::PageUp, kCtrl)}},
      {"shift_delete", "\x1b[3;2~", {key(Key::Delete, kShift)}},
      {"ctrl_f5", "\x1b[15;5~", {key(Key::F5, kCtrl)}},
      {"shift_f1_csi", "\x1b[1;2P", {key(Key::F1, kShift)}},
      {"meta_is_alt", "\x1b[1;9A", {key(Key::Up, kAlt)}},
      {"ss3_modified", "\x1bO5C", {key(Key::Right, kCtrl)}},
      {"back_tab", "\x1b[Z", {key(Key::BackTab, kShift)}},
      {"alt_letter", "\x1b" "a", {ch(U'a', kAlt)}},
      {"alt_enter", "\x1b\r", {key(Key::Enter, kAlt)}},
      {"alt_backspace", "\x1b\x7f", {key(Key::Backspace, kAlt)}},
      {"alt_ctrl_w", "\x1b\x17", {ch(U'w', kCtrl | kAlt)}},
      {"alt_utf8", "\x1b" "é", {ch(U'é', kAlt)}},
      {"alt_up_esc_esc", "\x1b\x1b[A", {key(Key::Up, kAlt)}},
      {"kitty_csi_u", "\x1b[97;5u", {ch(U'a', kCtrl)}},
      {"focus_report_ignored", "\x1b[I" "x", {ch(U'x')}},
      {"device_attributes_reported", "\x1b[?1;2c" "x", {DeviceAttributes{}, ch(U'x')}},
      {"private_reply_ignored", "\x1b[>1;10;0c" "x", {ch(U'x')}},
      {"unknown_csi_ignored", "\x1b[99~" "x", {ch(U'x')}},
      {"cursor_report_not_f3", "\x1b[12;40R" "x", {ch(U'x')}},
      {"sgr_wheel_up", "\x1b[<64;10;5M", {mouse(MouseButton::WheelUp, MouseAction::Press, 9, 4)}},
      {"sgr_wheel_down", "\x1b[<65;1;1M", {mouse(MouseButton::WheelDown, MouseAction::Press, 0, 0)}},
      {"sgr_left_press", "\x1b[<0;3;4M", {mouse(MouseButton::Left, MouseAction::Press, 2, 3)}},
      {"sgr_left_release", "\x1b[<0;3;4m", {mouse(MouseButton::Left, MouseAction::Release, 2, 3)}},
      {"sgr_right_press_ctrl", "\x1b[<18;7;8M",
       {mouse(MouseButton::Right, MouseAction::Press, 6, 7, kCtrl)}},
      {"sgr_drag", "\x1b[<32;5;6M", {mouse(MouseButton::Left, MouseAction::Drag, 4, 5)}},
      {"sgr_big_coordinates", "\x1b[<0;300;120M",
       {mouse(MouseButton::Left, MouseAction::Press, 299, 119)}},
      {"x10_wheel_up", "\x1b[M" "\x60" "\x2a" "\x25", {mouse(MouseButton::WheelUp, MouseAction::Press, 9, 4)}},
      {"paste", "\x1b[200~hello\x1b[201~", {PasteEvent{"hello"}}},
      {"paste_keeps_controls_and_escapes", "\x1b[200~a\r\nb\x1b[A\x1b[201~",
       {PasteEvent{"a\r\nb\x1b[A"}}},
      {"empty_paste", "\x1b[200~\x1b[201~", {PasteEvent{""}}},
      {"paste_then_key", "\x1b[200~x\x1b[201~y", {PasteEvent{"x"}, ch(U'y')}},
      {"mixed", "a\x1b[Ab\r", {ch(U'a'), key(Key::Up), ch(U'b'), key(Key::Enter)}},
  };
}

std::vector<InputEvent> decode_whole(const std::string& bytes) {
  InputDecoder d;
  std::vector<InputEvent> out;
  d.feed(bytes, out);
  return out;
}

TEST(InputDecoder, DecodesEachTableSequence) {
  for (const auto& c : cases()) {
    const auto got = decode_whole(c.bytes);
    EXPECT_EQ(got, c.expected) << c.name << ": got " << describe(got) << " want "
                               << describe(c.expected);
  }
}

TEST(InputDecoder, DecodesEachTableSequenceSplitAtEveryPoint) {
  for (const auto& c : cases()) {
    for (std::size_t cut = 1; cut < c.bytes.size(); ++cut) {
      InputDecoder d;
      std::vector<InputEvent> out;
      d.feed(std::string_view(c.bytes).substr(0, cut), out);
      d.feed(std::string_view(c.bytes).substr(cut), out);
      EXPECT_EQ(out, c.expected) << c.name << " split at " << cut << ": got " << describe(out);
      EXPECT_FALSE(d.pending_escape()) << c.name << " split at " << cut;
    }
  }
}

TEST(InputDecoder, DecodesEachTableSequenceFedOneByteAtATime) {
  for (const auto& c : cases()) {
    InputDecoder d;
    std::vector<InputEvent> out;
    for (char b : c.bytes) d.feed(std::string_view(&b, 1), out);
    EXPECT_EQ(out, c.expected) << c.name << ": got " << describe(out);
  }
}

TEST(InputDecoder, DecodesAllTableSequencesConcatenated) {
  std::string all;
  std::vector<InputEvent> expected;
  for (const auto& c : cases()) {
    all += c.bytes;
    expected.insert(expected.end(), c.expected.begin(), c.expected.end());
  }
  EXPECT_EQ(decode_whole(all), expected);
}

TEST(InputDecoder, LoneEscWaitsForTheTimerThenFlushesAsEscape) {
  InputDecoder d;
  std::vector<InputEvent> out;
  d.feed("\x1b", out);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(d.pending_escape());
  d.flush_pending(out);
  EXPECT_FALSE(d.pending_escape());
  EXPECT_EQ(out, std::vector<InputEvent>{key(Key::Escape)});
}

TEST(InputDecoder, EscFollowedBySequenceBeforeTimerIsOneKey) {
  InputDecoder d;
  std::vector<InputEvent> out;
  d.feed("\x1b", out);
  ASSERT_TRUE(d.pending_escape());
  d.feed("[", out);
  ASSERT_TRUE(d.pending_escape());
  d.feed("B", out);
  EXPECT_EQ(out, std::vector<InputEvent>{key(Key::Down)});
  EXPECT_FALSE(d.pending_escape());
}

TEST(InputDecoder, TwoEscapesFlushAsTwoEscapeKeys) {
  InputDecoder d;
  std::vector<InputEvent> out;
  d.feed("\x1b\x1b", out);
  EXPECT_TRUE(out.empty());
  d.flush_pending(out);
  EXPECT_EQ(out, (std::vector<InputEvent>{key(Key::Escape), key(Key::Escape)}));
}

TEST(InputDecoder, PartialCsiFlushedByTimerBecomesAltBracket) {
  InputDecoder d;
  std::vector<InputEvent> out;
  d.feed("\x1b[", out);
  d.flush_pending(out);
  EXPECT_EQ(out, std::vector<InputEvent>{ch(U'[', kAlt)});
  EXPECT_FALSE(d.pending_escape());
}

TEST(InputDecoder, FlushWithNothingPendingDoesNothing) {
  InputDecoder d;
  std::vector<InputEvent> out;
  d.feed("ab", out);
  d.flush_pending(out);
  EXPECT_EQ(out, (std::vector<InputEvent>{ch(U'a'), ch(U'b')}));
}

TEST(InputDecoder, SplitUtf8IsNotAPendingEscape) {
  InputDecoder d;
  std::vector<InputEvent> out;
  d.feed("\xe4\xb8", out);
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(d.pending_escape());
  d.feed("\xad", out);
  EXPECT_EQ(out, std::vector<InputEvent>{ch(U'中')});
}

TEST(InputDecoder, PasteSpanningManyFeedsIsDeliveredOnce) {
  InputDecoder d;
  std::vector<InputEvent> out;
  std::string body;
  for (int i = 0; i < 1000; ++i) body += "line " + std::to_string(i) + "\n";
  const std::string bytes = "\x1b[200~" + body + "\x1b[201~";
  for (std::size_t pos = 0; pos < bytes.size(); pos += 7) {
    d.feed(std::string_view(bytes).substr(pos, 7), out);
    if (pos + 7 < bytes.size()) {
      EXPECT_TRUE(out.empty());
      EXPECT_TRUE(d.in_paste() || pos < 6);
      EXPECT_FALSE(d.pending_escape());  // an ESC inside a paste never arms the Esc timer
    }
  }
  EXPECT_EQ(out, std::vector<InputEvent>{PasteEvent{body}});
}

TEST(InputDecoder, PasteTerminatorLookalikeStaysInPaste) {
  const auto out = decode_whole("\x1b[200~a\x1b[201x\x1b[20b\x1b[201~");
  EXPECT_EQ(out, std::vector<InputEvent>{PasteEvent{"a\x1b[201x\x1b[20b"}});
}

TEST(InputDecoder, OverlongGarbageCsiIsDroppedNotBuffered) {
  InputDecoder d;
  std::vector<InputEvent> out;
  d.feed("\x1b[" + std::string(200, '1'), out);
  EXPECT_FALSE(d.pending_escape());
  d.feed("x", out);
  // The first 64 bytes are dropped as garbage; the rest reads as typed text.
  std::vector<InputEvent> expected(200 - 62, ch(U'1'));
  expected.push_back(ch(U'x'));
  EXPECT_EQ(out, expected);
}

// Random bytes biased towards escape-sequence material: decoding must not depend on how the
// bytes were split into reads, and must never leave more than a sequence's worth buffered.
TEST(InputDecoder, RandomInputDecodesTheSameHoweverItIsSplit) {
  const std::string alphabet = "\x1b\x1b\x1b[[[O<;;0123456789~~MmABCDHFPZu\r\t\x7f\x03a\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\xff";
  std::uint32_t seed = 12345;
  auto rnd = [&seed](std::uint32_t n) {
    seed = seed * 1664525u + 1013904223u;
    return (seed >> 8) % n;
  };
  for (int round = 0; round < 300; ++round) {
    std::string bytes;
    const auto len = 1 + rnd(80);
    for (std::uint32_t i = 0; i < len; ++i) bytes += alphabet[rnd(static_cast<std::uint32_t>(alphabet.size()))];
    if (rnd(4) == 0) bytes = "\x1b[200~" + bytes + "\x1b[201~";

    InputDecoder whole;
    std::vector<InputEvent> expected;
    whole.feed(bytes, expected);
    whole.flush_pending(expected);

    InputDecoder split;
    std::vector<InputEvent> got;
    for (std::size_t pos = 0; pos < bytes.size();) {
      const std::size_t n = 1 + rnd(7);
      split.feed(std::string_view(bytes).substr(pos, n), got);
      pos += n;
    }
    split.flush_pending(got);
    ASSERT_EQ(got, expected) << "round " << round << ": " << describe(got) << " vs " << describe(expected);
  }
}

// Found by fuzz_input_decoder: an SS3 modifier with many digits overflowed an int (undefined
// behaviour). It is capped as a CSI parameter is, so both forms give the same key.
TEST(InputDecoder, LongSs3ModifierIsCappedLikeACsiParameter) {
  const auto ss3 = decode_whole("\x1bO4294967298A");
  const auto csi = decode_whole("\x1b[1;4294967298A");
  ASSERT_EQ(ss3.size(), 1u) << describe(ss3);
  EXPECT_EQ(std::get<KeyEvent>(ss3[0]).key, Key::Up);
  EXPECT_EQ(ss3, csi) << describe(ss3) << " vs " << describe(csi);
}

TEST(InputDecoder, AppendUtf8RoundTrips) {
  std::string s;
  for (char32_t c : {U'a', U'é', U'中', U'😀'}) append_utf8(s, c);
  EXPECT_EQ(s, "aé中😀");
}

}  // namespace
