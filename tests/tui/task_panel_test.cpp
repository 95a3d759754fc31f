// The task panel with agents at work: what each row shows, and its keys (Tab focuses it, Enter
// opens an agent's answer, x stops that agent, Esc stops the turn and every agent).
#include "tui/app/controller.hpp"

#include "controller_support.hpp"

#include <gtest/gtest.h>

namespace {

namespace ev = yollayah::protocol::ev;
namespace msg = yollayah::protocol::msg;
using namespace std::chrono_literals;
using yollayah::protocol::ConductorState;
using yollayah::tui::app::ChatState;
using yollayah::tui::app::Clock;
using yollayah::tui::app::Controller;
using yollayah::tui::app::Focus;
using yollayah::tui::screen::Buffer;
using yollayah::tui::term::Key;
using yollayah::tui::term::KeyEvent;
using yollayah::tui::view::TaskRow;

using namespace yollayah::tui::test;

// Two agents at work after an answer ended: Uncle Marco streaming, The Intern done.
void two_agents(Controller& c) {
  c.on_message(msg::SessionInfo{"s", "yollayah", true}, t0);
  c.on_message(msg::State{ConductorState::Ready}, t0);
  c.on_message(msg::TaskCreated{"task_1", "backend-engineer", "Review the schema"}, t0);
  msg::ConversationCreated marco{"conv-1", std::string("Uncle Marco")};
  marco.task_id = std::string("task_1");
  c.on_message(marco, t0);
  c.on_message(msg::TaskCreated{"task_2", "qa-engineer", "Write tests"}, t0);
  msg::ConversationCreated intern{"conv-2", std::string("The Intern")};
  intern.task_id = std::string("task_2");
  c.on_message(intern, t0);
  c.on_message(msg::ConversationStreamToken{"conv-1", "msg_9", "# Findings\nThe schema is fine.\nAdd an index on user_id"}, t0 + 1s);
  c.on_message(msg::TaskUpdated{"task_1", 42, std::nullopt}, t0 + 1s);
  c.on_message(msg::ConversationStreamToken{"conv-2", "msg_10", "Tested."}, t0 + 1s);
  c.on_message(msg::ConversationStreamEnd{"conv-2", "msg_10", "Tested.", {}}, t0 + 2s);
  c.on_message(msg::TaskCompleted{"task_2", std::string("Tested.")}, t0 + 2s);
  c.outbox().clear();
}

TEST(TaskPanel, EachRowShowsTheFamilyNameTheTaskProgressElapsedTimeAndTheLastLine) {
  Controller c;
  two_agents(c);
  Buffer b(100, 30);
  c.draw(b, t0 + 12s);
  const std::string screen = screen_text(b);
  EXPECT_NE(screen.find("Uncle Marco"), std::string::npos) << screen;
  EXPECT_NE(screen.find("Review the schema"), std::string::npos) << screen;
  EXPECT_NE(screen.find("42%"), std::string::npos) << screen;
  EXPECT_NE(screen.find("12s"), std::string::npos) << screen;
  EXPECT_NE(screen.find("Add an index on user_id"), std::string::npos) << screen;
  EXPECT_NE(screen.find("The Intern"), std::string::npos) << screen;
  EXPECT_NE(screen.find("done"), std::string::npos) << screen;
  EXPECT_NE(screen.find("█"), std::string::npos) << screen;
}

TEST(TaskPanel, OnAWideScreenThePanelHasAColumnOfItsOwnAndCoversNoText) {
  std::string sentence;  // wider than the screen: in the panel's rows it would run under the panel
  for (int i = 10; i < 50; ++i) sentence += "word" + std::to_string(i) + " ";
  Controller c;
  c.on_message(msg::SessionInfo{"s", "yollayah", true}, t0);
  c.on_message(msg::State{ConductorState::Ready}, t0);
  c.on_message(msg::Token{"m1", sentence}, t0);
  c.on_message(msg::StreamEnd{"m1", sentence, {}}, t0);
  c.on_message(msg::TaskCreated{"task_1", "backend-engineer", "Review the schema"}, t0);
  Buffer b(160, 30);
  c.draw(b, t0 + 1s);
  const std::string screen = screen_text(b);
  EXPECT_NE(screen.find("Review the schema"), std::string::npos) << screen;
  for (int i = 10; i < 50; ++i)
    EXPECT_NE(screen.find("word" + std::to_string(i)), std::string::npos) << "word" << i << " is hidden\n" << screen;
}

TEST(TaskPanel, WithoutAnimationTheElapsedTimeStillTicksWhileAnAgentRunsAndStopsWhenNoneDoes) {
  yollayah::tui::app::ControllerOptions still;
  still.motion = false;
  Controller c(still);
  two_agents(c);  // Uncle Marco runs, The Intern is done
  Buffer b(100, 30);
  c.draw(b, t0 + 2s);
  ASSERT_FALSE(c.dirty());
  const auto wake = c.next_wakeup();
  ASSERT_TRUE(wake.has_value());
  EXPECT_LE(*wake, t0 + 2s + Controller::kElapsedRefresh);
  c.tick(*wake);
  EXPECT_TRUE(c.dirty());
  c.draw(b, *wake);
  c.on_message(msg::TaskCompleted{"task_1", std::string("Done.")}, *wake);
  c.draw(b, *wake);
  // Only the finished rows' expiry is left to wake for: no tick a second any more.
  const auto later = c.next_wakeup();
  ASSERT_TRUE(later.has_value());
  EXPECT_GT(*later, *wake + 10s);
}

TEST(TaskPanel, TabFocusesThePanelOnTheFirstRunningAgentAndTabAgainReturnsToTheInput) {
  Controller c;
  two_agents(c);
  c.on_input(key(Key::Tab), t0);
  EXPECT_EQ(c.focus(), Focus::Tasks);
  EXPECT_EQ(c.selected_task(), "task_1");
  c.on_input(key(Key::Down), t0);
  EXPECT_EQ(c.selected_task(), "task_2");
  c.on_input(key(Key::Down), t0);
  EXPECT_EQ(c.selected_task(), "task_2");  // stays on the last row
  c.on_input(key(Key::Tab), t0);
  EXPECT_EQ(c.focus(), Focus::Input);
  EXPECT_TRUE(c.input().empty());
}

TEST(TaskPanel, WithoutTasksTabStillIndents) {
  Controller c;
  c.on_message(msg::State{ConductorState::Ready}, t0);
  c.on_input(key(Key::Tab), t0);
  EXPECT_EQ(c.focus(), Focus::Input);
  EXPECT_FALSE(c.input().empty());
}

TEST(TaskPanel, XStopsTheSelectedAgentOnly) {
  Controller c;
  two_agents(c);
  c.on_input(key(Key::Tab), t0);
  c.on_input(ch('x'), t0);
  ASSERT_EQ(c.outbox().size(), 1u);
  const auto* cancel = std::get_if<ev::CancelResponse>(&c.outbox()[0]);
  ASSERT_NE(cancel, nullptr);
  EXPECT_EQ(cancel->task_id, yollayah::protocol::Extension<std::string>("task_1"));
  c.outbox().clear();
  c.on_input(key(Key::Down), t0);
  c.on_input(ch('x'), t0);  // The Intern is done: nothing to stop
  EXPECT_TRUE(c.outbox().empty());
}

TEST(TaskPanel, EscStopsTheTurnAndEveryAgentWhileTheyRun) {
  Controller c;
  two_agents(c);
  c.on_input(key(Key::Tab), t0);
  c.on_input(key(Key::Escape), t0);
  ASSERT_EQ(c.outbox().size(), 1u);
  const auto* cancel = std::get_if<ev::CancelResponse>(&c.outbox()[0]);
  ASSERT_NE(cancel, nullptr);
  EXPECT_FALSE(cancel->task_id.has_value());
  // Once nothing runs, Esc only leaves the panel.
  c.outbox().clear();
  c.on_message(msg::TaskFailed{"task_1", "Cancelled"}, t0 + 3s);
  c.on_input(key(Key::Escape), t0);
  EXPECT_TRUE(c.outbox().empty());
  EXPECT_EQ(c.focus(), Focus::Input);
}

TEST(TaskPanel, EscFromTheInputStopsRunningAgentsEvenAfterTheAnswerEnded) {
  Controller c;
  two_agents(c);
  c.on_input(key(Key::Escape), t0);
  ASSERT_EQ(c.outbox().size(), 1u);
  EXPECT_TRUE(std::holds_alternative<ev::CancelResponse>(c.outbox()[0]));
  EXPECT_FALSE(c.quitting());
}

TEST(TaskPanel, EnterOpensTheAgentsFullAnswerAsMarkdownAndEscGoesBack) {
  Controller c;
  two_agents(c);
  c.on_input(key(Key::Tab), t0);
  c.on_input(key(Key::Enter), t0);
  EXPECT_EQ(c.focus(), Focus::Agent);
  EXPECT_EQ(c.selected_task(), "task_1");
  Buffer b(100, 30);
  c.draw(b, t0 + 2s);
  const std::string screen = screen_text(b);
  EXPECT_NE(screen.find("Uncle Marco · Review the schema"), std::string::npos) << screen;
  EXPECT_NE(screen.find("Findings"), std::string::npos) << screen;
  EXPECT_EQ(screen.find("# Findings"), std::string::npos) << "the heading is rendered, not shown raw\n" << screen;
  EXPECT_NE(screen.find("The schema is fine."), std::string::npos) << screen;
  // x stops this agent from its answer too.
  c.on_input(ch('x'), t0);
  ASSERT_EQ(c.outbox().size(), 1u);
  EXPECT_EQ(std::get<ev::CancelResponse>(c.outbox()[0]).task_id, yollayah::protocol::Extension<std::string>("task_1"));
  c.on_input(key(Key::Escape), t0);
  EXPECT_EQ(c.focus(), Focus::Tasks);
}

TEST(TaskPanel, ALongAnswerScrollsWithTheArrowsAndPages) {
  Controller c;
  two_agents(c);
  std::string longer;
  for (int i = 0; i < 80; ++i) longer += "line " + std::to_string(i) + "\n\n";
  c.on_message(msg::ConversationStreamToken{"conv-1", "msg_9", longer}, t0 + 1s);
  c.on_input(key(Key::Tab), t0);
  c.on_input(key(Key::Enter), t0);
  Buffer b(80, 24);
  c.draw(b, t0 + 2s);
  const int top = c.agent_scroll();
  EXPECT_GT(top, 0);  // opened at the top of the answer
  c.on_input(key(Key::PageDown), t0);
  c.draw(b, t0 + 2s);
  EXPECT_LT(c.agent_scroll(), top);
  c.on_input(key(Key::End), t0);
  c.draw(b, t0 + 2s);
  EXPECT_EQ(c.agent_scroll(), 0);
  EXPECT_NE(screen_text(b).find("line 79"), std::string::npos);
}

TEST(TaskPanel, AFinishedAgentStaysOpenableAndNothingExpiresWhileThePanelIsFocused) {
  ChatState s;
  s.apply(msg::TaskCreated{"t1", "backend-engineer", "x"}, t0);
  msg::ConversationCreated conv{"c1", std::string("Uncle Marco")};
  conv.task_id = std::string("t1");
  s.apply(conv, t0);
  s.apply(msg::ConversationStreamEnd{"c1", "m", "All good.", {}}, t0);
  s.apply(msg::TaskCompleted{"t1", std::string("All good.")}, t0);
  EXPECT_EQ(s.tasks()[0].agent, "Uncle Marco");
  EXPECT_EQ(s.tasks()[0].answer, "All good.");
  EXPECT_FALSE(s.expire(t0 + ChatState::kFinishedTaskTime));
  s.hold_tasks(true);
  EXPECT_FALSE(s.expire(t0 + ChatState::kFinishedAgentTime));
  s.hold_tasks(false);
  EXPECT_TRUE(s.expire(t0 + ChatState::kFinishedAgentTime));
}

TEST(TaskPanel, ACancelledAgentIsShownAsStopped) {
  ChatState s;
  s.apply(msg::TaskCreated{"t1", "qa-engineer", "x"}, t0);
  s.apply(msg::TaskFailed{"t1", "Cancelled"}, t0);
  EXPECT_EQ(s.tasks()[0].status, TaskRow::Status::Cancelled);
}

}  // namespace
