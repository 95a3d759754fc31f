// The TUI-local tools in the Controller: /copy and Ctrl+Y (OSC 52, never sent to the Conductor),
// F2's mouse switch, the external editor request and the held input, the help overlay, the palette.
#include "tui/app/controller.hpp"

#include "controller_support.hpp"
#include "tui/app/clipboard.hpp"

#include <gtest/gtest.h>

namespace {

using namespace yollayah::tui::test;
namespace ev = yollayah::protocol::ev;
namespace msg = yollayah::protocol::msg;
using yollayah::protocol::ConductorState;
using yollayah::protocol::MessageRole;
using yollayah::tui::app::Background;
using yollayah::tui::app::Clock;
using yollayah::tui::app::Controller;
using yollayah::tui::app::osc52_sequence;
using yollayah::tui::screen::Buffer;
using yollayah::tui::term::Key;
using yollayah::tui::term::kCtrl;
namespace theme = yollayah::tui::view::theme;

void send(Controller& c, std::string_view text) {
  type(c, text);
  c.on_input(key(Key::Enter), t0);
}

std::string toasts(const Controller& c) {
  std::string out;
  for (const auto& t : c.chat().toasts()) out += t.message + "\n";
  return out;
}

void answer(Controller& c, const std::string& id, const std::string& text) {
  c.on_message(msg::Token{id, text}, t0);
  c.on_message(msg::StreamEnd{id, text, {}}, t0);
}

const std::string kAnswer = "Two ways:\n```python\nprint(1)\n```\nor\n```sh\necho 2\n```\n";

TEST(ControllerCopy, CopyPutsTheLastAnswersMarkdownOnTheClipboardAndNothingReachesTheConductor) {
  Controller c;
  make_ready(c);
  answer(c, "a1", "old answer");
  answer(c, "a2", kAnswer);
  send(c, "/copy");
  EXPECT_TRUE(c.outbox().empty());
  EXPECT_EQ(c.terminal_out(), osc52_sequence(kAnswer));
  EXPECT_NE(toasts(c).find("Copied " + std::to_string(kAnswer.size()) + " bytes"), std::string::npos) << toasts(c);
}

TEST(ControllerCopy, CopyCodeNPicksThatBlockAndTheDefaultIsTheLast) {
  Controller c;
  make_ready(c);
  answer(c, "a1", kAnswer);
  send(c, "/copy code 1");
  EXPECT_EQ(c.terminal_out(), osc52_sequence("print(1)\n"));
  c.terminal_out().clear();
  send(c, "/copy code");
  EXPECT_EQ(c.terminal_out(), osc52_sequence("echo 2\n"));
  EXPECT_NE(toasts(c).find("Copied 7 bytes (code block 2 of 2)"), std::string::npos) << toasts(c);
  EXPECT_TRUE(c.outbox().empty());
}

TEST(ControllerCopy, AMissingBlockOrAnswerIsAToastAndCopiesNothing) {
  Controller c;
  make_ready(c);
  send(c, "/copy");
  EXPECT_NE(toasts(c).find("no answer"), std::string::npos) << toasts(c);
  answer(c, "a1", kAnswer);
  send(c, "/copy code 3");
  EXPECT_NE(toasts(c).find("no code block 3 (it has 2)"), std::string::npos) << toasts(c);
  send(c, "/copy sideways");
  EXPECT_NE(toasts(c).find("Usage: /copy"), std::string::npos) << toasts(c);
  EXPECT_TRUE(c.terminal_out().empty());
  EXPECT_TRUE(c.outbox().empty());
}

TEST(ControllerCopy, CtrlYCopiesTheLastAnswerAndOtherCommandsStillGoToTheConductor) {
  Controller c;
  make_ready(c);
  answer(c, "a1", "just text");
  c.on_input(ch('y', kCtrl), t0);
  EXPECT_EQ(c.terminal_out(), osc52_sequence("just text"));
  send(c, "/copyright");
  ASSERT_EQ(c.outbox().size(), 1u);
  EXPECT_EQ(std::get<ev::UserCommand>(c.outbox()[0]).command, "copyright");
}

TEST(ControllerMouse, F2TurnsMouseReportingOffAndOnAndSaysSo) {
  Controller c;
  make_ready(c);
  EXPECT_TRUE(c.mouse_capture());
  c.on_input(key(Key::F2), t0);
  EXPECT_FALSE(c.mouse_capture());
  EXPECT_NE(c.terminal_out().find("\x1b[?1000l"), std::string::npos);
  EXPECT_NE(toasts(c).find("Mouse capture off"), std::string::npos);
  c.terminal_out().clear();
  c.on_input(key(Key::F2), t0);
  EXPECT_TRUE(c.mouse_capture());
  EXPECT_NE(c.terminal_out().find("\x1b[?1000h"), std::string::npos);
}

TEST(ControllerEditor, CtrlGAsksForTheEditorOnceAndTheEditedTextComesBackUnsent) {
  Controller c;
  make_ready(c);
  type(c, "draft");
  EXPECT_FALSE(c.take_edit_request());
  c.on_input(ch('g', kCtrl), t0);
  const auto request = c.take_edit_request();
  ASSERT_TRUE(request);
  EXPECT_EQ(*request, "draft");
  EXPECT_TRUE(c.editing());
  EXPECT_FALSE(c.take_edit_request());
  c.finish_edit(std::string("draft\nwith a second line"), "", t0);
  EXPECT_FALSE(c.editing());
  EXPECT_EQ(c.input().text(), "draft\nwith a second line");
  EXPECT_TRUE(c.outbox().empty());
  EXPECT_TRUE(c.take_full_redraw());
}

TEST(ControllerEditor, KeysTypedWhileTheEditorRunsAreKeptAndReplayedAfterIt) {
  Controller c;
  make_ready(c);
  c.on_input(ch('x', kCtrl), t0);
  c.on_input(ch('e', kCtrl), t0);
  ASSERT_TRUE(c.take_edit_request());
  type(c, "!?");
  EXPECT_EQ(c.input().text(), "");
  c.finish_edit(std::string("edited"), "", t0);
  EXPECT_EQ(c.input().text(), "edited!?");
}

TEST(ControllerEditor, AFailedEditorLeavesTheTextAndSaysWhy) {
  Controller c;
  make_ready(c);
  type(c, "keep");
  c.on_input(ch('g', kCtrl), t0);
  ASSERT_TRUE(c.take_edit_request());
  c.finish_edit(std::nullopt, "the editor exited with status 1", t0);
  EXPECT_EQ(c.input().text(), "keep");
  EXPECT_NE(toasts(c).find("status 1"), std::string::npos);
}

TEST(ControllerEditor, CtrlEAloneStillMovesToTheLineEnd) {
  Controller c;
  make_ready(c);
  type(c, "ab");
  c.on_input(ch('a', kCtrl), t0);
  c.on_input(ch('e', kCtrl), t0);
  EXPECT_FALSE(c.take_edit_request());
  EXPECT_EQ(c.input().cursor(), 2u);
}

TEST(ControllerHelp, F1ShowsTheKeysAndTypingFiltersThem) {
  Controller c;
  make_ready(c);
  c.on_input(key(Key::F1), t0);
  ASSERT_TRUE(c.help_open());
  Buffer b(100, 40);
  c.draw(b, t0);
  EXPECT_NE(screen_text(b).find("Ctrl+L"), std::string::npos);
  EXPECT_NE(screen_text(b).find("/copy code [N]"), std::string::npos);
  type(c, "clipboard");
  for (const auto& row : c.help_rows()) {
    if (row.heading) continue;
    EXPECT_NE((row.keys + row.what).find("clipboard"), std::string::npos) << row.keys;
  }
  EXPECT_GE(c.help_rows().size(), 2u);
  c.draw(b, t0);
  EXPECT_EQ(screen_text(b).find("Ctrl+L"), std::string::npos);
  c.on_input(key(Key::Escape), t0);
  EXPECT_FALSE(c.help_open());
  EXPECT_FALSE(c.quitting());  // the Esc closed the help, nothing else
  EXPECT_EQ(c.input().text(), "");
}

TEST(ControllerHelp, QuestionMarkOpensItOnlyOnAnEmptyBox) {
  Controller c;
  make_ready(c);
  type(c, "why?");
  EXPECT_FALSE(c.help_open());
  EXPECT_EQ(c.input().text(), "why?");
  c.on_input(ch('u', kCtrl), t0);
  type(c, "?");
  EXPECT_TRUE(c.help_open());
}

TEST(ControllerHelp, ListsTheConductorsCommandsFromItsHelpAnswer) {
  Controller c;
  make_ready(c);
  c.on_input(key(Key::F1), t0);
  bool pointer = false;
  for (const auto& row : c.help_rows()) pointer = pointer || row.keys == "/help";
  EXPECT_TRUE(pointer);
  c.on_input(key(Key::Escape), t0);
  c.on_message(msg::Message{"n1", MessageRole::System, "Commands:\n  /help          this list\n  /model NAME    talk to another model", {}}, t0);
  c.on_input(key(Key::F1), t0);
  bool model = false;
  for (const auto& row : c.help_rows()) model = model || (row.keys == "/model NAME" && row.what == "talk to another model");
  EXPECT_TRUE(model);
}

TEST(ControllerPalette, ALightBackgroundSwitchesThePalette) {
  Controller c;
  c.use_background(Background::Light);
  EXPECT_TRUE(theme::palette().light);
  EXPECT_EQ(theme::kAccent, theme::kLightPalette.accent);
  c.use_background(Background::Dark);
  EXPECT_FALSE(theme::palette().light);
  EXPECT_EQ(theme::kAccent, theme::kDarkPalette.accent);
}

}  // namespace
