// The history in the TUI: the status bar's "history off" marker, learnt from SessionInfo (protocol
// version 2's history field) and never from the Conductor's insides; Alt+←/→ asking for the other
// versions of the last answer.
#include "tui/app/chat_state.hpp"
#include "tui/app/controller.hpp"
#include "tui/screen/buffer.hpp"
#include "tui/view/panels.hpp"

#include <gtest/gtest.h>

namespace {

namespace msg = yollayah::protocol::msg;
namespace ev = yollayah::protocol::ev;
namespace term = yollayah::tui::term;
using yollayah::tui::app::Controller;
using yollayah::protocol::Extension;
using yollayah::tui::app::ChatState;
using yollayah::tui::app::Clock;
using yollayah::tui::screen::Buffer;
namespace view = yollayah::tui::view;

const Clock::time_point t0 = Clock::now();

std::string row(const Buffer& b, int y) {
  std::string out;
  for (int x = 0; x < b.width(); ++x) out += b.at(x, y).text();
  return out;
}

std::string status_bar(bool history_off, int width) {
  Buffer b(width, 1);
  view::StatusInfo info;
  info.state = "Ready";
  info.model = "llama3.2";
  info.connection = "embedded";
  info.history_off = history_off;
  std::string scratch;
  view::draw_status_bar(b, view::Rect{0, 0, width, 1}, info, scratch);
  return row(b, 0);
}

TEST(HistoryStatus, SessionInfoWithHistoryFalseTurnsTheMarkerOnAndWithoutTheFieldOff) {
  ChatState s;
  EXPECT_FALSE(s.history_off());
  msg::SessionInfo off{"sess", "yollayah", true};
  off.history = false;
  s.apply(off, t0);
  EXPECT_TRUE(s.history_off());
  s.apply(msg::SessionInfo{"sess", "yollayah", true}, t0);  // a Conductor that keeps history
  EXPECT_FALSE(s.history_off());
  msg::SessionInfo on{"sess", "yollayah", true};
  on.history = true;
  s.apply(on, t0);
  EXPECT_FALSE(s.history_off());
}

TEST(HistoryStatus, TheStatusBarSaysHistoryOffBesideTheModel) {
  const std::string off = status_bar(true, 100);
  EXPECT_NE(off.find("history off"), std::string::npos) << off;
  EXPECT_LT(off.find("history off"), off.find("llama3.2"));
  const std::string on = status_bar(false, 100);
  EXPECT_EQ(on.find("history off"), std::string::npos) << on;
}

TEST(HistoryKeys, AltArrowsOnAnEmptyBoxAskForTheOtherVersionsOfTheLastAnswer) {
  Controller c;
  c.on_message(msg::SessionInfo{"s", "yollayah", true}, t0);
  c.on_message(msg::State{yollayah::protocol::ConductorState::Ready}, t0);
  c.outbox().clear();
  c.on_input(term::KeyEvent{term::Key::Left, term::kAlt, 0}, t0);
  c.on_input(term::KeyEvent{term::Key::Right, term::kAlt, 0}, t0);
  ASSERT_EQ(c.outbox().size(), 2u);
  const auto* prev = std::get_if<ev::UserCommand>(&c.outbox()[0]);
  const auto* next = std::get_if<ev::UserCommand>(&c.outbox()[1]);
  ASSERT_TRUE(prev && next);
  EXPECT_EQ(prev->command, "branch");
  EXPECT_EQ(prev->args, std::vector<std::string>{"prev"});
  EXPECT_EQ(next->args, std::vector<std::string>{"next"});

  // With text in the box they still move by words, and send nothing.
  c.outbox().clear();
  c.on_input(term::KeyEvent{term::Key::Char, 0, U'h'}, t0);
  c.on_input(term::KeyEvent{term::Key::Left, term::kAlt, 0}, t0);
  EXPECT_TRUE(c.outbox().empty());
}

}  // namespace
