// Task records driven by task tags: lifecycle, refs by id or agent, limits and purging.
#include "conductor/task_book.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace yollayah::conductor {
namespace {

namespace msg = protocol::msg;
using protocol::ConductorMessage;
using Messages = std::vector<ConductorMessage>;

constexpr std::uint64_t kT0 = 1'700'000'000'000;
constexpr std::uint64_t kHour = 3'600'000;

Messages apply(TaskBook& book, const TagCommand& command, std::uint64_t now = kT0) {
  Messages out;
  book.apply(command, now, out);
  return out;
}

// Starts a task and returns its id.
std::string start(TaskBook& book, const std::string& agent, const std::string& description = "work",
                  std::uint64_t now = kT0) {
  const auto out = apply(book, tag::TaskStart{agent, description}, now);
  if (out.size() != 1 || !std::holds_alternative<msg::TaskCreated>(out[0])) {
    ADD_FAILURE() << "task start " << agent << " sent no TaskCreated";
    return {};
  }
  return std::get<msg::TaskCreated>(out[0]).task_id;
}

TEST(TaskBook, StartCreatesAPendingTaskAndSendsTaskCreated) {
  TaskBook book;
  const auto out = apply(book, tag::TaskStart{"backend-engineer", "Build the API"});
  ASSERT_EQ(out.size(), 1u);
  const auto& created = std::get<msg::TaskCreated>(out[0]);
  EXPECT_EQ(created.task_id.rfind("task_", 0), 0u);
  EXPECT_EQ(created.agent, "backend-engineer");
  EXPECT_EQ(created.description, "Build the API");

  const auto* task = book.find(created.task_id);
  ASSERT_NE(task, nullptr);
  EXPECT_EQ(task->display_name, "Uncle Marco");
  EXPECT_EQ(task->status, TaskStatus::Pending);
  EXPECT_EQ(task->progress, 0);
  EXPECT_EQ(task->created_ms, kT0);
  EXPECT_EQ(task->updated_ms, kT0);
  EXPECT_EQ(book.active_count(), 1u);
}

TEST(TaskBook, TaskIdsAreUnique) {
  TaskBook book;
  const auto a = start(book, "qa-engineer");
  const auto b = start(book, "qa-engineer");
  EXPECT_NE(a, b);
}

TEST(TaskBook, ProgressAboveZeroMovesPendingToRunning) {
  TaskBook book;
  const auto id = start(book, "qa-engineer");
  EXPECT_EQ(apply(book, tag::TaskProgress{id, 0}, kT0 + 1), (Messages{msg::TaskUpdated{id, 0, std::nullopt}}));
  EXPECT_EQ(book.find(id)->status, TaskStatus::Pending);
  EXPECT_EQ(apply(book, tag::TaskProgress{id, 40}, kT0 + 2), (Messages{msg::TaskUpdated{id, 40, std::nullopt}}));
  EXPECT_EQ(book.find(id)->status, TaskStatus::Running);
  EXPECT_EQ(book.find(id)->progress, 40);
  EXPECT_EQ(book.find(id)->updated_ms, kT0 + 2);
}

TEST(TaskBook, DoneSetsProgressTo100AndSendsTaskCompleted) {
  TaskBook book;
  const auto id = start(book, "qa-engineer");
  EXPECT_EQ(apply(book, tag::TaskDone{id}), (Messages{msg::TaskCompleted{id, std::nullopt}}));
  EXPECT_EQ(book.find(id)->status, TaskStatus::Done);
  EXPECT_EQ(book.find(id)->progress, 100);
  EXPECT_EQ(book.active_count(), 0u);
}

TEST(TaskBook, FailRecordsTheReasonAndSendsTaskFailed) {
  TaskBook book;
  const auto id = start(book, "qa-engineer");
  EXPECT_EQ(apply(book, tag::TaskFail{id, "Disk full"}), (Messages{msg::TaskFailed{id, "Disk full"}}));
  EXPECT_EQ(book.find(id)->status, TaskStatus::Failed);
  EXPECT_EQ(book.find(id)->error, "Disk full");
}

TEST(TaskBook, ModelCanReferToItsTaskByAgentName) {
  TaskBook book;
  const auto id = start(book, "backend-engineer");
  EXPECT_EQ(apply(book, tag::TaskProgress{"backend-engineer", 50}), (Messages{msg::TaskUpdated{id, 50, std::nullopt}}));
  EXPECT_EQ(apply(book, tag::TaskProgress{"Backend-Engineer", 60}), (Messages{msg::TaskUpdated{id, 60, std::nullopt}}));
  EXPECT_EQ(apply(book, tag::TaskFocus{"backend-engineer"}), (Messages{msg::TaskFocus{id}}));
  EXPECT_EQ(apply(book, tag::TaskDone{"backend-engineer"}), (Messages{msg::TaskCompleted{id, std::nullopt}}));
}

TEST(TaskBook, AgentRefMeansTheMostRecentUnfinishedTaskOfThatAgent) {
  TaskBook book;
  const auto first = start(book, "qa-engineer", "one");
  const auto second = start(book, "qa-engineer", "two");
  start(book, "devops-engineer", "other");
  EXPECT_EQ(book.resolve("qa-engineer")->id, second);
  apply(book, tag::TaskDone{"qa-engineer"});
  EXPECT_EQ(book.find(second)->status, TaskStatus::Done);
  EXPECT_EQ(book.resolve("qa-engineer")->id, first);  // the newest still open
  apply(book, tag::TaskFail{"qa-engineer", "gave up"});
  EXPECT_EQ(book.find(first)->status, TaskStatus::Failed);
  EXPECT_EQ(book.resolve("qa-engineer"), nullptr);
  EXPECT_EQ(book.resolve("qa-engineer", /*include_finished=*/true)->id, second);
}

TEST(TaskBook, FocusFindsAFinishedTaskToo) {
  TaskBook book;
  const auto id = start(book, "qa-engineer");
  apply(book, tag::TaskDone{id});
  EXPECT_EQ(apply(book, tag::TaskFocus{"qa-engineer"}), (Messages{msg::TaskFocus{id}}));
  EXPECT_EQ(apply(book, tag::TaskFocus{id}), (Messages{msg::TaskFocus{id}}));
}

TEST(TaskBook, UnknownRefIsRejectedAndSendsNothing) {
  TaskBook book;
  start(book, "qa-engineer");
  EXPECT_TRUE(apply(book, tag::TaskProgress{"task_0_0", 10}).empty());
  EXPECT_TRUE(apply(book, tag::TaskDone{"devops-engineer"}).empty());
  EXPECT_TRUE(apply(book, tag::TaskFail{"nobody", "x"}).empty());
  EXPECT_TRUE(apply(book, tag::TaskFocus{"nobody"}).empty());
  ASSERT_EQ(book.rejections().size(), 4u);
  EXPECT_NE(book.rejections()[0].find("task_0_0"), std::string::npos);
}

TEST(TaskBook, FinishedTaskCannotBeUpdatedAgain) {
  TaskBook book;
  const auto id = start(book, "qa-engineer");
  apply(book, tag::TaskDone{id});
  EXPECT_TRUE(apply(book, tag::TaskProgress{id, 10}).empty());
  EXPECT_TRUE(apply(book, tag::TaskFail{id, "late"}).empty());
  EXPECT_TRUE(apply(book, tag::TaskDone{id}).empty());
  EXPECT_EQ(book.find(id)->status, TaskStatus::Done);
  ASSERT_EQ(book.rejections().size(), 3u);
  EXPECT_NE(book.rejections()[0].find("already Done"), std::string::npos);
}

TEST(TaskBook, PointHoverCelebrateAndAvatarCommandsSendNothing) {
  TaskBook book;
  const auto id = start(book, "qa-engineer");
  for (const TagCommand& c : std::vector<TagCommand>{tag::TaskPoint{id}, tag::TaskHover{id}, tag::TaskCelebrate{id},
                                                     tag::Mood{}, tag::Wander{false}, tag::Sprite{"x"}}) {
    EXPECT_TRUE(apply(book, c).empty()) << describe(c);
  }
  EXPECT_TRUE(book.rejections().empty());
}

TEST(TaskBook, RejectsAgentsOffTheAllowlist) {
  TaskBook book;
  EXPECT_TRUE(apply(book, tag::TaskStart{"data-scientist", "x"}).empty());
  EXPECT_EQ(book.size(), 0u);
  EXPECT_EQ(book.rejections().size(), 1u);

  TaskBook extended("data-scientist, ml-ops");
  const auto id = start(extended, "data-scientist");
  EXPECT_EQ(extended.find(id)->display_name, "Data Scientist");
}

TEST(TaskBook, AtMost20ActiveTasks) {
  TaskBook book;
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(start(book, "qa-engineer", "t" + std::to_string(i)));
  EXPECT_EQ(book.active_count(), 20u);
  EXPECT_TRUE(apply(book, tag::TaskStart{"qa-engineer", "one too many"}).empty());
  ASSERT_EQ(book.rejections().size(), 1u);
  EXPECT_NE(book.rejections()[0].find("20 tasks are already active"), std::string::npos);

  apply(book, tag::TaskDone{ids[3]});
  EXPECT_FALSE(start(book, "qa-engineer", "now there is room").empty());
}

TEST(TaskBook, AtMost100TasksKeptUntilOldOnesArePurged) {
  TaskBook book;
  for (int i = 0; i < 100; ++i) {
    const auto id = start(book, "qa-engineer", "t", kT0 + static_cast<std::uint64_t>(i));
    apply(book, tag::TaskDone{id}, kT0 + static_cast<std::uint64_t>(i));
  }
  EXPECT_EQ(book.size(), 100u);
  EXPECT_TRUE(apply(book, tag::TaskStart{"qa-engineer", "t"}, kT0 + 1000).empty());
  ASSERT_EQ(book.rejections().size(), 1u);
  EXPECT_NE(book.rejections()[0].find("100 tasks"), std::string::npos);

  // An hour after the first ten finished, starting a task purges them and fits.
  EXPECT_FALSE(start(book, "qa-engineer", "t", kT0 + 9 + kHour).empty());
  EXPECT_EQ(book.size(), 91u);
}

TEST(TaskBook, PurgesOnlyFinishedTasksOlderThanAnHour) {
  TaskBook book;
  const auto old_done = start(book, "qa-engineer", "a", kT0);
  apply(book, tag::TaskDone{old_done}, kT0);
  const auto old_running = start(book, "qa-engineer", "b", kT0);
  const auto recent_failed = start(book, "devops-engineer", "c", kT0);
  apply(book, tag::TaskFail{recent_failed, "x"}, kT0 + kHour / 2);

  start(book, "qa-engineer", "d", kT0 + kHour);  // purges whenever a task is created
  EXPECT_EQ(book.find(old_done), nullptr);
  EXPECT_NE(book.find(old_running), nullptr);
  EXPECT_NE(book.find(recent_failed), nullptr);
  EXPECT_EQ(book.size(), 3u);
  EXPECT_EQ(book.purge_finished(kT0 + kHour + kHour / 2), 1u);  // now the failed one is old too
}

TEST(TaskBook, CustomLimits) {
  TaskBook book(Agents::builtin(), TaskBook::Limits{2, 3, 10});
  start(book, "qa-engineer");
  start(book, "qa-engineer");
  EXPECT_TRUE(apply(book, tag::TaskStart{"qa-engineer", "third"}).empty());
}

}  // namespace
}  // namespace yollayah::conductor
