// The agent allowlist and the family names on the task panel.
#include "conductor/agents.hpp"

#include <gtest/gtest.h>

namespace yollayah::conductor {
namespace {

TEST(Agents, KnowsTheTenBuiltInAgentsAndTheirFamilyNames) {
  const Agents agents;
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"ethical-hacker", "Cousin Rita"},      {"backend-engineer", "Uncle Marco"},
      {"frontend-specialist", "Prima Sofia"}, {"senior-full-stack-developer", "Tio Miguel"},
      {"solutions-architect", "Tia Carmen"},  {"ux-ui-designer", "Cousin Lucia"},
      {"qa-engineer", "The Intern"},          {"privacy-researcher", "Abuelo Pedro"},
      {"devops-engineer", "Primo Carlos"},    {"relational-database-expert", "Tia Rosa"},
  };
  ASSERT_EQ(agents.all().size(), expected.size());
  for (const auto& [id, name] : expected) {
    EXPECT_TRUE(agents.contains(id)) << id;
    EXPECT_EQ(agents.display_name(id), name);
  }
  EXPECT_FALSE(agents.contains("Backend-Engineer"));  // ids are lower case; the parser lower-cases
  EXPECT_FALSE(agents.contains("data-scientist"));
}

TEST(Agents, UnknownAgentsShowAsTheirTitleCasedId) {
  const Agents agents;
  EXPECT_EQ(agents.display_name("data-scientist"), "Data Scientist");
  EXPECT_EQ(agents.display_name("ml_ops"), "Ml Ops");
  EXPECT_EQ(agents.display_name("solo"), "Solo");
  EXPECT_EQ(agents.display_name(""), "");
}

TEST(Agents, AddsAgentsFromACommaSeparatedList) {
  Agents agents;
  const auto skipped = agents.add_from_list(" data-scientist , ,ML_Ops,bad agent!,qa-engineer,,");
  EXPECT_EQ(skipped, (std::vector<std::string>{"bad agent!"}));
  EXPECT_TRUE(agents.contains("data-scientist"));
  EXPECT_TRUE(agents.contains("ml_ops"));
  EXPECT_EQ(agents.display_name("data-scientist"), "Data Scientist");
  EXPECT_EQ(agents.display_name("qa-engineer"), "The Intern");  // a built-in keeps its family name
  EXPECT_EQ(agents.all().size(), 12u);
}

TEST(Agents, WithAdditionalKeepsTheBuiltInsAndLeavesTheSharedSetAlone) {
  const auto extended = Agents::with_additional("data-scientist");
  EXPECT_TRUE(extended->contains("data-scientist"));
  EXPECT_TRUE(extended->contains("ethical-hacker"));
  EXPECT_FALSE(Agents::builtin()->contains("data-scientist"));
  EXPECT_EQ(Agents::with_additional("")->all().size(), 10u);
}

TEST(Agents, RejectsIdsThatAreTooLongOrHaveOtherCharacters) {
  EXPECT_TRUE(Agents::valid_id(std::string(100, 'a')));
  EXPECT_FALSE(Agents::valid_id(std::string(101, 'a')));
  EXPECT_FALSE(Agents::valid_id(""));
  EXPECT_FALSE(Agents::valid_id("a.b"));
  EXPECT_FALSE(Agents::valid_id("Upper"));
}

}  // namespace
}  // namespace yollayah::conductor
