// What agents and the follow-up are told: personas, the task, bounded context, labelled reports.
#include "conductor/agent_context.hpp"

#include <gtest/gtest.h>

namespace yollayah::conductor {
namespace {

HistoryMessage message(protocol::MessageRole role, std::string text) {
  HistoryMessage m;
  m.id = "msg";
  m.role = role;
  m.content = std::move(text);
  return m;
}

TEST(Agents, EveryBuiltInSpecialistHasItsFamilyNameAndARealPersona) {
  const auto agents = Agents::builtin();
  ASSERT_EQ(agents->all().size(), 10u);
  EXPECT_EQ(agents->display_name("ethical-hacker"), "Cousin Rita");
  EXPECT_EQ(agents->display_name("relational-database-expert"), "Tia Rosa");
  for (const auto& a : agents->all()) {
    EXPECT_NE(a.persona.find("You are " + a.display_name), std::string::npos) << a.id;
    EXPECT_GT(a.persona.size(), 300u) << a.id;
    EXPECT_TRUE(a.model.empty());
    EXPECT_EQ(agents->max_tokens(a.id), Agents::kDefaultMaxTokens);
  }
}

TEST(Agents, AConfiguredAgentReplacesABuiltInOneOrIsAddedWithDefaults) {
  Agents agents;
  AgentInfo rosa;
  rosa.id = "relational-database-expert";
  rosa.model = "sqlcoder";
  rosa.max_tokens = 300;
  ASSERT_TRUE(agents.add(rosa));
  AgentInfo ana;
  ana.id = "data-scientist";
  ASSERT_TRUE(agents.add(ana));
  EXPECT_FALSE(agents.add(AgentInfo{"Bad Id", "", "", "", 0}));
  EXPECT_EQ(agents.all().size(), 11u);
  EXPECT_EQ(agents.find("relational-database-expert")->model, "sqlcoder");
  EXPECT_EQ(agents.display_name("relational-database-expert"), "Relational Database Expert");
  EXPECT_EQ(agents.max_tokens("relational-database-expert"), 300u);
  EXPECT_EQ(agents.display_name("data-scientist"), "Data Scientist");
  EXPECT_NE(agents.find("data-scientist")->persona.find("You are Data Scientist"), std::string::npos);
}

TEST(AgentContext, TheAgentGetsItsPersonaTheTaskAndABoundedSliceOfTheConversation) {
  History history({});
  history.append(message(protocol::MessageRole::User, "old question"));
  history.append(message(protocol::MessageRole::Assistant, "old answer"));
  history.append(message(protocol::MessageRole::System, "a /help note"));
  history.append(message(protocol::MessageRole::User, "Please review my schema " + std::string(5000, 'x')));
  history.append(message(protocol::MessageRole::Assistant, "Asking Tia Rosa."));
  const auto agents = Agents::builtin();
  AgentAssignment task{"task_1", "relational-database-expert", "Tia Rosa", "Review the schema", "c", "msg_1", 256};
  AgentContextLimits limits;
  limits.messages = 3;
  limits.message_bytes = 100;
  const auto request = agent_request(*agents->find("relational-database-expert"), task, history, "llama3", limits);
  EXPECT_EQ(request.model, "llama3");
  EXPECT_EQ(request.num_predict, std::optional<int>(256));
  ASSERT_EQ(request.messages.size(), 2u);
  EXPECT_EQ(request.messages[0].role, backend::ChatMessage::Role::System);
  EXPECT_NE(request.messages[0].content.find("You are Tia Rosa"), std::string::npos);
  EXPECT_NE(request.messages[0].content.find("[yolla:task progress relational-database-expert N]"), std::string::npos);
  const std::string& prompt = request.messages[1].content;
  EXPECT_NE(prompt.find("Review the schema"), std::string::npos);
  EXPECT_NE(prompt.find("task_1"), std::string::npos);
  EXPECT_NE(prompt.find("Yollayah: Asking Tia Rosa."), std::string::npos);
  EXPECT_NE(prompt.find("Yollayah: old answer"), std::string::npos);
  EXPECT_EQ(prompt.find("old question"), std::string::npos);  // past the 3 most recent
  EXPECT_EQ(prompt.find("/help"), std::string::npos);          // system notes are not context
  EXPECT_LT(prompt.size(), 800u);                               // each message cut to 100 bytes
}

TEST(AgentContext, AnAgentWithItsOwnModelUsesIt) {
  AgentInfo a;
  a.id = "x";
  a.display_name = "X";
  a.persona = "You are X.";
  a.model = "special";
  History history({});
  const auto request = agent_request(a, AgentAssignment{"t", "x", "X", "d", "c", "g", 10}, history, "main-model");
  EXPECT_EQ(request.model, "special");
}

TEST(AgentContext, TheReportLabelsEachAgentAndSaysWhichFailedOrWereCancelled) {
  std::vector<AgentReport> reports(3);
  reports[0] = {"task_1", "backend-engineer", "Uncle Marco", "Review", AgentReport::Outcome::Completed, "Looks good.", ""};
  reports[1] = {"task_2", "qa-engineer", "The Intern", "Test", AgentReport::Outcome::Failed, "", "model not found"};
  reports[2] = {"task_3", "devops-engineer", "Primo Carlos", "Deploy", AgentReport::Outcome::Cancelled, "half", "Cancelled"};
  const std::string report = follow_up_report(reports);
  EXPECT_EQ(report.rfind(kReportHeading, 0), 0u);
  EXPECT_NE(report.find("## Uncle Marco (backend-engineer, task task_1): completed\nTask: Review\nAnswer:\nLooks good."), std::string::npos);
  EXPECT_NE(report.find("## The Intern (qa-engineer, task task_2): FAILED\nTask: Test\nError: model not found\nIt wrote nothing."), std::string::npos);
  EXPECT_NE(report.find("## Primo Carlos (devops-engineer, task task_3): CANCELLED by the user"), std::string::npos);
  EXPECT_NE(report.find("What it wrote before it stopped:\nhalf"), std::string::npos);
}

}  // namespace
}  // namespace yollayah::conductor
