// TurnScheduler: main turns one at a time and in order, agents in parallel up to the limit.
#include "conductor/turn_scheduler.hpp"

#include <gtest/gtest.h>

namespace yollayah::conductor {
namespace {

std::shared_ptr<Turn> turn(TurnKind kind, std::string id) {
  Turn::Options o;
  o.kind = kind;
  o.id = std::move(id);
  auto t = std::make_shared<Turn>(std::move(o));
  if (kind == TurnKind::Agent) t->agent = AgentAssignment{"task_" + t->id(), "qa-engineer", "The Intern", "d", "c", "g", 10};
  return t;
}

std::vector<std::string> ids(const std::vector<std::shared_ptr<Turn>>& turns) {
  std::vector<std::string> out;
  for (const auto& t : turns) out.push_back(t->id());
  return out;
}

TEST(TurnScheduler, MainTurnsRunOneAtATimeInOrder) {
  TurnScheduler s;
  s.enqueue(turn(TurnKind::Chat, "a"));
  s.enqueue(turn(TurnKind::Chat, "b"));
  std::vector<std::shared_ptr<Turn>> out;
  s.take_startable(true, out);
  EXPECT_EQ(ids(out), std::vector<std::string>{"a"});
  out.clear();
  s.take_startable(true, out);
  EXPECT_TRUE(out.empty());
  s.finished(*s.running_main());
  s.take_startable(true, out);
  EXPECT_EQ(ids(out), std::vector<std::string>{"b"});
}

TEST(TurnScheduler, NothingMainStartsBeforeTheSessionIsReady) {
  TurnScheduler s;
  s.enqueue(turn(TurnKind::Greeting, "g"));
  std::vector<std::shared_ptr<Turn>> out;
  s.take_startable(false, out);
  EXPECT_TRUE(out.empty());
  s.take_startable(true, out);
  EXPECT_EQ(ids(out), std::vector<std::string>{"g"});
}

TEST(TurnScheduler, AgentsRunBesideTheMainTurnUpToTheLimitAndTheRestWaitInOrder) {
  TurnScheduler s(2);
  s.enqueue(turn(TurnKind::Chat, "main"));
  for (const char* id : {"a1", "a2", "a3", "a4"}) s.enqueue(turn(TurnKind::Agent, id));
  std::vector<std::shared_ptr<Turn>> out;
  s.take_startable(true, out);
  EXPECT_EQ(ids(out), (std::vector<std::string>{"main", "a1", "a2"}));
  EXPECT_EQ(s.queued_agents().size(), 2u);
  s.finished(*s.running_agents()[0]);
  out.clear();
  s.take_startable(true, out);
  EXPECT_EQ(ids(out), std::vector<std::string>{"a3"});
  EXPECT_EQ(s.find_agent("task_a4")->id(), "a4");
  EXPECT_EQ(s.find_agent("task_a2")->id(), "a2");
  EXPECT_EQ(s.find_agent("task_zz"), nullptr);
}

TEST(TurnScheduler, RemoveQueuedTakesOnlyWhatThePredicateSelects) {
  TurnScheduler s(1);
  s.enqueue(turn(TurnKind::Agent, "a1"));
  std::vector<std::shared_ptr<Turn>> out;
  s.take_startable(true, out);
  s.enqueue(turn(TurnKind::Agent, "a2"));
  s.enqueue(turn(TurnKind::Chat, "c"));
  s.enqueue(turn(TurnKind::Greeting, "g"));
  auto removed = s.remove_queued([](const Turn& t) { return t.kind() != TurnKind::Greeting; });
  EXPECT_EQ(ids(removed), (std::vector<std::string>{"c", "a2"}));
  EXPECT_EQ(s.queued_main().size(), 1u);
  EXPECT_EQ(s.running_agents().size(), 1u);  // running turns are not touched
}

}  // namespace
}  // namespace yollayah::conductor
