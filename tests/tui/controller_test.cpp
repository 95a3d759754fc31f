// The TUI's logic without a terminal: keys become SurfaceEvents, messages become frames, and the
// timers it asks for are only the ones it needs.
#include "tui/app/controller.hpp"

#include "controller_support.hpp"

#include <gtest/gtest.h>

namespace {

namespace ev = yollayah::protocol::ev;
namespace msg = yollayah::protocol::msg;
using namespace std::chrono_literals;
using yollayah::protocol::ConductorState;
using yollayah::protocol::MessageRole;
using yollayah::tui::app::Clock;
using yollayah::tui::app::Connection;
using yollayah::tui::app::Controller;
using yollayah::tui::app::ControllerOptions;
using yollayah::tui::app::parse_command;
using yollayah::tui::screen::Buffer;
using yollayah::tui::term::Key;
using yollayah::tui::term::KeyEvent;
using yollayah::tui::term::kAlt;
using yollayah::tui::term::kCtrl;
using yollayah::tui::term::MouseButton;
using yollayah::tui::term::MouseEvent;
using yollayah::tui::term::PasteEvent;

using namespace yollayah::tui::test;

ControllerOptions options(bool motion, bool remote = false) {
  ControllerOptions o;
  o.motion = motion;
  o.remote = remote;
  return o;
}

TEST(ParseCommand, SplitsTheCommandAndItsArguments) {
  auto c = parse_command("/model llama3.2  extra", "e1");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->command, "model");
  EXPECT_EQ(c->args, (std::vector<std::string>{"llama3.2", "extra"}));
  EXPECT_EQ(c->event_id, "e1");
  EXPECT_FALSE(parse_command("hello /model", "e"));
  EXPECT_FALSE(parse_command("/", "e"));
  EXPECT_FALSE(parse_command("// not a command", "e"));
}

TEST(Controller, EnterSendsTheTypedMessage) {
  Controller c;
  make_ready(c);
  type(c, "hi there");
  c.on_input(key(Key::Enter), t0);
  ASSERT_EQ(c.outbox().size(), 1u);
  const auto* m = std::get_if<ev::UserMessage>(&c.outbox()[0]);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->content, "hi there");
  EXPECT_TRUE(c.input().empty());
}

TEST(Controller, SlashCommandsGoOutAsUserCommands) {
  Controller c;
  make_ready(c);
  for (std::string_view cmd : {"/help", "/clear", "/models", "/model qwen2"}) {
    type(c, cmd);
    c.on_input(key(Key::Enter), t0);
  }
  ASSERT_EQ(c.outbox().size(), 4u);
  EXPECT_EQ(std::get<ev::UserCommand>(c.outbox()[0]).command, "help");
  EXPECT_EQ(std::get<ev::UserCommand>(c.outbox()[3]).args, std::vector<std::string>{"qwen2"});
  type(c, "/quit");
  c.on_input(key(Key::Enter), t0);
  EXPECT_TRUE(c.quitting());
}

TEST(Controller, AltEnterAddsALineInsteadOfSending) {
  Controller c;
  make_ready(c);
  type(c, "a");
  c.on_input(key(Key::Enter, kAlt), t0);
  type(c, "b");
  EXPECT_TRUE(c.outbox().empty());
  EXPECT_EQ(c.input().text(), "a\nb");
}

TEST(Controller, EscCancelsAStreamingAnswerAndQuitsWhenIdle) {
  Controller c;
  make_ready(c);
  c.on_message(msg::State{ConductorState::Responding}, t0);
  c.on_message(msg::Token{"m1", "partial"}, t0);
  c.on_input(key(Key::Escape), t0);
  ASSERT_EQ(c.outbox().size(), 1u);
  EXPECT_TRUE(std::holds_alternative<ev::CancelResponse>(c.outbox()[0]));
  EXPECT_FALSE(c.quitting());
  c.on_message(msg::StreamEnd{"m1", "partial", {}}, t0);
  c.on_message(msg::State{ConductorState::Ready}, t0);
  c.on_input(key(Key::Escape), t0);
  EXPECT_TRUE(c.quitting());
}

TEST(Controller, EscWithTextInTheBoxClearsItBeforeQuitting) {
  Controller c;
  make_ready(c);
  type(c, "draft");
  c.on_input(key(Key::Escape), t0);
  EXPECT_FALSE(c.quitting());
  EXPECT_TRUE(c.input().empty());
  c.on_input(key(Key::Escape), t0);
  EXPECT_TRUE(c.quitting());
}

TEST(Controller, CtrlCCancelsThenASecondCtrlCQuits) {
  Controller c;
  make_ready(c);
  c.on_message(msg::State{ConductorState::Thinking}, t0);
  c.on_input(ch('c', kCtrl), t0);
  EXPECT_TRUE(std::holds_alternative<ev::CancelResponse>(c.outbox().at(0)));
  EXPECT_FALSE(c.quitting());
  c.on_input(ch('c', kCtrl), t0 + 500ms);
  EXPECT_TRUE(c.quitting());
}

TEST(Controller, OneCtrlCWhenIdleOnlyWarnsAndTwoSlowOnesDoNotQuit) {
  Controller c;
  make_ready(c);
  c.on_input(ch('c', kCtrl), t0);
  EXPECT_FALSE(c.quitting());
  ASSERT_EQ(c.chat().toasts().size(), 1u);
  EXPECT_NE(c.chat().toasts()[0].message.find("Ctrl+C again"), std::string::npos);
  c.on_input(ch('c', kCtrl), t0 + Controller::kDoubleCtrlC + 1ms);
  EXPECT_FALSE(c.quitting());
  c.on_input(ch('c', kCtrl), t0 + Controller::kDoubleCtrlC + 2ms);
  EXPECT_TRUE(c.quitting());
}

TEST(Controller, APasteGoesIntoTheBoxWhole) {
  Controller c;
  make_ready(c);
  c.on_input(PasteEvent{"line one\nline two"}, t0);
  EXPECT_EQ(c.input().text(), "line one\nline two");
  EXPECT_TRUE(c.outbox().empty());  // a pasted newline never sends
}

TEST(Controller, TheLoadingScreenShowsUntilTheConductorIsReady) {
  Controller c;
  Buffer b(60, 12);
  c.draw(b, t0);
  EXPECT_NE(screen_text(b).find("waking up the Conductor"), std::string::npos);
  c.on_message(msg::State{ConductorState::Ready}, t0);
  c.draw(b, t0);
  EXPECT_EQ(screen_text(b).find("waking up"), std::string::npos);
  EXPECT_NE(screen_text(b).find("Ready"), std::string::npos);
}

TEST(Controller, AGreetingStreamingBeforeReadyIsShownInsteadOfTheLoadingScreen) {
  Controller c;
  c.on_message(msg::State{ConductorState::Responding}, t0);
  c.on_message(msg::Token{"g", "Hello friend"}, t0);
  Buffer b(60, 12);
  c.draw(b, t0);
  EXPECT_NE(screen_text(b).find("Hello friend"), std::string::npos);
}

TEST(Controller, DirtyOnlyWhenSomethingChanged) {
  Controller c;
  make_ready(c);
  Buffer b(60, 12);
  c.draw(b, t0);
  EXPECT_FALSE(c.dirty());
  c.on_message(msg::Ack{"e"}, t0);
  EXPECT_FALSE(c.dirty());  // an Ack changes nothing on screen
  c.on_message(msg::Token{"m", "x"}, t0);
  EXPECT_TRUE(c.dirty());
}

TEST(Controller, WithReducedMotionAnIdleScreenAsksForNoTimer) {
  Controller c(options(false));
  make_ready(c);
  Buffer b(80, 24);
  c.draw(b, t0);
  EXPECT_FALSE(c.next_wakeup().has_value());
  c.on_message(msg::State{ConductorState::Thinking}, t0);  // busy, but nothing animates
  EXPECT_FALSE(c.next_wakeup().has_value());
}

TEST(Controller, WhileBusyWithMotionTheSpinnerTicks) {
  Controller c(options(true));
  make_ready(c);
  c.on_message(msg::State{ConductorState::Thinking}, t0);
  ASSERT_TRUE(c.next_wakeup().has_value());
  Buffer b(80, 24);
  c.draw(b, t0);
  c.tick(t0 + Controller::kSpinnerInterval);
  EXPECT_TRUE(c.dirty());
}

TEST(Controller, ATinyTerminalStillDrawsTheInputAndStatus) {
  Controller c;
  make_ready(c);
  c.on_message(msg::Message{"u", MessageRole::User, "a fairly long message that must wrap", {}}, t0);
  c.on_message(msg::Token{"m", "an answer with **bold** and `code`"}, t0);
  for (auto [w, h] : {std::pair{20, 6}, {10, 3}, {1, 1}, {0, 0}, {200, 50}}) {
    Buffer b(w, h);
    const auto cursor = c.draw(b, t0);
    if (w > 0 && h > 0) {
      EXPECT_LT(cursor.x, w);
      EXPECT_LT(cursor.y, h);
    }
  }
  Buffer small(20, 6);
  c.draw(small, t0);
  EXPECT_NE(screen_text(small).find("›"), std::string::npos);
}

TEST(Controller, ScrollKeysMoveThroughHistoryAndSendingReturnsToTheBottom) {
  Controller c;
  make_ready(c);
  for (int i = 0; i < 50; ++i) c.on_message(msg::Message{"m" + std::to_string(i), MessageRole::User, "line " + std::to_string(i), {}}, t0);
  Buffer b(60, 12);
  c.draw(b, t0);
  c.on_input(key(Key::PageUp), t0);
  EXPECT_GT(c.scroll(), 0);
  c.draw(b, t0);
  c.on_input(MouseEvent{MouseButton::WheelUp}, t0);
  const int after_wheel = c.scroll();
  c.on_input(key(Key::End, kCtrl), t0);
  EXPECT_EQ(c.scroll(), 0);
  c.on_input(key(Key::Home, kCtrl), t0);
  EXPECT_GE(c.scroll(), after_wheel);
  type(c, "x");
  c.on_input(key(Key::Enter), t0);
  EXPECT_EQ(c.scroll(), 0);
}

TEST(Controller, WhileReconnectingEnterKeepsTheMessageAndSaysWhy) {
  Controller c;
  make_ready(c);
  c.set_connection(Connection::Reconnecting, t0);
  type(c, "important");
  c.on_input(key(Key::Enter), t0);
  EXPECT_TRUE(c.outbox().empty());
  EXPECT_EQ(c.input().text(), "important");
  bool explained = false;
  for (const auto& t : c.chat().toasts()) explained |= t.title == "Not connected";
  EXPECT_TRUE(explained);
}

TEST(Controller, TheStatusBarShowsTheConnection) {
  Controller c;
  make_ready(c);
  Buffer b(100, 10);
  c.set_connection(Connection::Reconnecting, t0);
  c.draw(b, t0);
  EXPECT_NE(screen_text(b).find("reconnecting"), std::string::npos);
  c.set_connection(Connection::Connected, t0);
  c.draw(b, t0);
  EXPECT_NE(screen_text(b).find("conductord"), std::string::npos);
}

TEST(Controller, F12TogglesTheDeveloperPanel) {
  Controller c;
  make_ready(c);
  c.on_input(key(Key::F12), t0);
  EXPECT_TRUE(c.dev_view());
  c.set_dev_lines({"loop tui lag p99 0.10 ms"});
  Buffer b(80, 20);
  c.draw(b, t0);
  EXPECT_NE(screen_text(b).find("loop tui lag"), std::string::npos);
  EXPECT_TRUE(c.next_wakeup().has_value());  // the figures refresh while it is open
  c.on_input(key(Key::F12), t0);
  EXPECT_FALSE(c.dev_view());
}

TEST(Controller, CtrlLAndResizeAskForAFullRedraw) {
  Controller c;
  make_ready(c);
  EXPECT_FALSE(c.take_full_redraw());
  c.on_input(ch('l', kCtrl), t0);
  EXPECT_TRUE(c.take_full_redraw());
  EXPECT_FALSE(c.take_full_redraw());
  c.on_resize(100, 40);
  EXPECT_TRUE(c.take_full_redraw());
  const auto* resized = std::get_if<ev::Resized>(&c.outbox().back());
  ASSERT_NE(resized, nullptr);
  EXPECT_EQ(resized->width, 100u);
}

TEST(Controller, AQuitFromTheConductorEndsTheSession) {
  Controller c;
  make_ready(c);
  c.on_message(msg::Quit{std::nullopt}, t0);
  EXPECT_TRUE(c.quitting());
  EXPECT_FALSE(c.goodbye().empty());
}

}  // namespace

namespace {

TEST(Controller, AttachedToConductordAQuitMeansStoppingNotLeaving) {
  Controller c(options(true, true));
  make_ready(c);
  c.on_message(msg::Quit{std::string("conductord is shutting down")}, t0);
  EXPECT_FALSE(c.quitting());
  c.on_message(msg::Message{"u", MessageRole::User, "later", {}}, t0);  // nothing after it turns it into a quit
  EXPECT_FALSE(c.quitting());
  c.on_input(key(Key::Escape), t0);  // the user still can
  EXPECT_TRUE(c.quitting());
}

TEST(Controller, ARefusedHandshakeEndsTheSessionWithTheReason) {
  Controller c(options(true, true));
  c.on_message(msg::HandshakeAck{false, "", std::string("bad session token"), 2}, t0);
  EXPECT_TRUE(c.quitting());
  EXPECT_NE(c.goodbye().find("bad session token"), std::string::npos);
}

}  // namespace

namespace {

TEST(Controller, ABannerStaysOnTheTopRowAboveTheConversation) {
  ControllerOptions with_banner;
  with_banner.banner = "Demo mode: answers come from a simulated model";
  Controller c(with_banner);
  make_ready(c);
  c.on_message(msg::Message{"u", MessageRole::User, "first message", {}}, t0);
  Buffer b(80, 12);
  c.draw(b, t0);
  std::string top;
  for (int x = 0; x < b.width(); ++x) top += b.at(x, 0).text();
  EXPECT_NE(top.find("Demo mode"), std::string::npos);
  EXPECT_EQ(top.find("first message"), std::string::npos);
  EXPECT_NE(screen_text(b).find("first message"), std::string::npos);
}

}  // namespace

namespace {

TEST(Controller, AnAvatarWithNoRoomOnScreenAsksForNoAnimationTimer) {
  Controller c;
  make_ready(c);
  Buffer wide(120, 30);
  c.draw(wide, t0);
  EXPECT_TRUE(c.next_wakeup().has_value());  // the idle animation runs
  Buffer narrow(30, 10);
  c.draw(narrow, t0);
  EXPECT_FALSE(c.next_wakeup().has_value());
}

}  // namespace

namespace {

TEST(Controller, ALongBannerWrapsOntoAFewRows) {
  ControllerOptions with_banner;
  with_banner.banner = "Demo mode: answers come from ollama-sim, a simulated model. For real answers install Ollama and run ./yollayah.sh again.";
  Controller c(with_banner);
  make_ready(c);
  Buffer b(50, 20);
  c.draw(b, t0);
  const std::string text = screen_text(b);
  EXPECT_NE(text.find("Demo mode"), std::string::npos);
  EXPECT_NE(text.find("yollayah.sh"), std::string::npos);  // the end of the notice is on screen too
}

}  // namespace

namespace {

TEST(Controller, ALongNotificationWrapsSoItsAdviceIsReadable) {
  Controller c;
  make_ready(c);
  c.on_message(msg::Notify{yollayah::protocol::NotifyLevel::Warning, std::string("Model server not available"),
                           "cannot reach Ollama at http://127.0.0.1:1: start it with `ollama serve` or set OLLAMA_HOST"},
               t0);
  Buffer b(100, 30);
  c.draw(b, t0);
  const std::string text = screen_text(b);
  EXPECT_NE(text.find("Model server not available"), std::string::npos);
  EXPECT_NE(text.find("OLLAMA_HOST"), std::string::npos);  // the end of the advice is on screen
}

}  // namespace
