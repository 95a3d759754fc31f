// Agents against ollama-sim: `task start` tags run real agent turns through the router, in
// parallel, visible to version-2 surfaces, cancellable, and reported back in a follow-up answer.
// Each agent and the follow-up get their own script through `--route PATTERN=FILE`.
#include "integration/harness.hpp"
#include "support/sim_process.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace yollayah::test {
namespace {

std::string script(std::initializer_list<std::string> tokens) {
  std::string s;
  for (const auto& t : tokens) s += t + "\n";
  return s;
}

std::string route(const std::string& pattern, const std::string& file) { return pattern + "=" + file; }

// Routes every built-in agent's persona ("You are Uncle Marco") to its own short answer, and the
// follow-up's report to `follow_up`.
std::vector<std::string> sim_args(const std::string& main_script, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"--script", write_temp_file(main_script)};
  for (auto& e : extra) args.push_back(std::move(e));
  return args;
}

ev::UserMessage say(std::string text) { return ev::UserMessage{"evt_msg", std::move(text)}; }

std::size_t stream_ends(const RecordingSurface& s) { return s.count<msg::StreamEnd>() + s.count<msg::StreamError>(); }

// The text one agent conversation streamed.
std::string conversation_text(const RecordingSurface& s, const protocol::ConversationId& id) {
  std::string out;
  for (const auto& t : s.all<msg::ConversationStreamToken>())
    if (t.conversation_id == id) out += t.token;
  return out;
}

bool has_notify(const RecordingSurface& s, std::string_view title) {
  for (const auto& n : s.all<msg::Notify>())
    if (n.title.value_or("") == title) return true;
  return false;
}

const std::string kFollowUp = "Uncle Marco says the schema is fine.";

TEST(Agents, OneTaskRunsThroughTheRouterAndIsReportedBackInAFollowUp) {
  SimProcess sim(sim_args(script({"On it!", "[yolla:task start backend-engineer Review the schema]"}),
                          {"--route", route("[Report from your helpers]", write_temp_file(script({"Uncle Marco says", " the schema", " is fine."}))),
                           "--route", route("You are Uncle Marco", write_temp_file(script({"The schema", " looks", " fine.\\n", "Add an index."})))}));
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface s(io, cut.conductor);
  ASSERT_TRUE(s.join());
  s.send(say("Please have the schema reviewed"));
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return stream_ends(r) >= 2; }));

  const auto ends = s.all<msg::StreamEnd>();
  ASSERT_EQ(ends.size(), 2u);
  EXPECT_EQ(ends[0].final_content, "On it!");
  EXPECT_EQ(ends[0].metadata.agent_tasks_spawned, 1u);
  ASSERT_TRUE(ends[0].metadata.follow_up_id.has_value());
  EXPECT_EQ(ends[1].message_id, *ends[0].metadata.follow_up_id);
  EXPECT_EQ(ends[1].final_content, kFollowUp);

  const auto created = s.all<msg::TaskCreated>();
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0].agent, "backend-engineer");
  EXPECT_EQ(created[0].description, "Review the schema");
  const auto done = s.all<msg::TaskCompleted>();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].task_id, created[0].task_id);
  EXPECT_EQ(done[0].summary, std::optional<std::string>("The schema looks fine. Add an index."));
  EXPECT_GE(s.count<msg::TaskUpdated>(), 1u);
  EXPECT_EQ(s.count<msg::TaskFailed>(), 0u);

  const auto conversations = s.all<msg::ConversationCreated>();
  ASSERT_EQ(conversations.size(), 1u);
  EXPECT_EQ(conversations[0].agent_name, std::optional<std::string>("Uncle Marco"));
  EXPECT_EQ(conversations[0].task_id, protocol::Extension<std::string>(created[0].task_id));
  EXPECT_EQ(conversations[0].parent_message_id, protocol::Extension<std::string>(ends[0].message_id));
  EXPECT_EQ(conversation_text(s, conversations[0].conversation_id), "The schema looks fine.\nAdd an index.");
  const auto agent_end = s.all<msg::ConversationStreamEnd>();
  ASSERT_EQ(agent_end.size(), 1u);
  EXPECT_EQ(agent_end[0].final_content, "The schema looks fine.\nAdd an index.");
  ASSERT_EQ(s.count<msg::SummaryReady>(), 1u);
  EXPECT_EQ(s.all<msg::SummaryReady>()[0].conversation_id, conversations[0].conversation_id);

  // Order: the task ends before the follow-up starts streaming.
  std::size_t completed_at = 0, follow_up_token_at = 0;
  for (std::size_t i = 0; i < s.received().size(); ++i) {
    if (std::holds_alternative<msg::TaskCompleted>(s.received()[i])) completed_at = i;
    if (auto* t = std::get_if<msg::Token>(&s.received()[i]); t && t->message_id == ends[1].message_id && !follow_up_token_at)
      follow_up_token_at = i;
  }
  EXPECT_LT(completed_at, follow_up_token_at);
}

// The three agents' streams interleave: each one's first token arrives before any one's last.
TEST(Agents, ThreeTasksRunInParallelAndTheirStreamsInterleave) {
  auto slow = [](const std::string& who) {
    std::vector<std::string> t;
    for (int i = 0; i < 12; ++i) t.push_back(who + std::to_string(i) + " ");
    std::string s;
    for (auto& x : t) s += x + "\n";
    return write_temp_file(s);
  };
  SimProcess sim(sim_args(script({"Asking three.", "[yolla:task start backend-engineer A]",
                                  "[yolla:task start qa-engineer B]", "[yolla:task start devops-engineer C]"}),
                          {"--tokens-per-sec", "40", "--route", route("[Report from your helpers]", write_temp_file(script({"All done."}))),
                           "--route", route("You are Uncle Marco", slow("m")), "--route", route("You are The Intern", slow("i")),
                           "--route", route("You are Primo Carlos", slow("c"))}));
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface s(io, cut.conductor);
  ASSERT_TRUE(s.join());
  s.send(say("three things"));
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return stream_ends(r) >= 2; }, std::chrono::seconds(20)));
  ASSERT_EQ(s.count<msg::TaskCompleted>(), 3u);

  std::map<std::string, std::pair<std::size_t, std::size_t>> span;  // conversation → first, last index
  for (std::size_t i = 0; i < s.received().size(); ++i) {
    if (auto* t = std::get_if<msg::ConversationStreamToken>(&s.received()[i])) {
      auto [it, fresh] = span.try_emplace(t->conversation_id, i, i);
      if (!fresh) it->second.second = i;
    }
  }
  ASSERT_EQ(span.size(), 3u);
  std::size_t latest_first = 0, earliest_last = SIZE_MAX;
  for (const auto& [id, range] : span) {
    latest_first = std::max(latest_first, range.first);
    earliest_last = std::min(earliest_last, range.second);
  }
  EXPECT_LT(latest_first, earliest_last) << "the agents ran one after another";
  EXPECT_EQ(s.all<msg::StreamEnd>().back().final_content, "All done.");
}

TEST(Agents, AFailingAgentGivesTaskFailedAndTheFollowUpSaysSo) {
  SimProcess sim(sim_args(script({"Asking Tia Rosa.", "[yolla:task start relational-database-expert Tune the query]"}),
                          {"--models", "sim", "--route", route("): FAILED", write_temp_file(script({"Tia Rosa", " could not help."}))),
                           "--route", route("[Report from your helpers]", write_temp_file(script({"All fine."})))}));
  asio::io_context io;
  auto config = quiet_config();
  conductor::AgentInfo rosa;
  rosa.id = "relational-database-expert";
  rosa.display_name = "Tia Rosa";
  rosa.model = "not-on-this-server";  // the sim knows only "sim": her requests fail
  config.agents.push_back(rosa);
  ConductorUnderTest cut(io, sim.url(), config);
  RecordingSurface s(io, cut.conductor);
  ASSERT_TRUE(s.join());
  s.send(say("tune it"));
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return stream_ends(r) >= 2; }));
  ASSERT_EQ(s.count<msg::TaskFailed>(), 1u);
  EXPECT_NE(s.all<msg::TaskFailed>()[0].error.find("not-on-this-server"), std::string::npos) << s.all<msg::TaskFailed>()[0].error;
  EXPECT_EQ(s.count<msg::TaskCompleted>(), 0u);
  EXPECT_EQ(s.all<msg::StreamEnd>().back().final_content, "Tia Rosa could not help.");
}

// Agents that take a while: 60 tokens at 30 tokens/s.
std::string slow_agent(const std::string& word) {
  std::string s;
  for (int i = 0; i < 60; ++i) s += word + " \n";
  return write_temp_file(s);
}

TEST(Agents, CancellingOneAgentEndsOnlyItsTaskAndTheFollowUpReportsIt) {
  SimProcess sim(sim_args(script({"Two.", "[yolla:task start backend-engineer A]", "[yolla:task start qa-engineer B]"}),
                          {"--tokens-per-sec", "30",
                           "--route", route("CANCELLED by the user", write_temp_file(script({"Marco was stopped."}))),
                           "--route", route("[Report from your helpers]", write_temp_file(script({"Nothing was stopped."}))),
                           "--route", route("You are Uncle Marco", slow_agent("marco")),
                           "--route", route("You are The Intern", write_temp_file(script({"tested", " it"})))}));
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface s(io, cut.conductor);
  ASSERT_TRUE(s.join());
  s.send(say("go"));
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return r.count<msg::ConversationStreamToken>() >= 3; }));
  protocol::TaskId marco;
  for (const auto& c : s.all<msg::TaskCreated>())
    if (c.agent == "backend-engineer") marco = c.task_id;
  ASSERT_FALSE(marco.empty());
  ev::CancelResponse cancel{"evt_x", {}};
  cancel.task_id = marco;
  s.send(cancel);
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return stream_ends(r) >= 2; }, std::chrono::seconds(15)));
  const auto failed = s.all<msg::TaskFailed>();
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].task_id, marco);
  EXPECT_EQ(failed[0].error, "Cancelled");
  ASSERT_EQ(s.count<msg::TaskCompleted>(), 1u);
  EXPECT_EQ(s.all<msg::StreamEnd>().back().final_content, "Marco was stopped.");
}

TEST(Agents, CancellingTheTurnStopsEveryAgentAndEndsThePromisedFollowUp) {
  SimProcess sim(sim_args(script({"Two.", "[yolla:task start backend-engineer A]", "[yolla:task start qa-engineer B]",
                                  "[yolla:task start devops-engineer C]", "[yolla:task start ethical-hacker D]",
                                  "[yolla:task start ux-ui-designer E]"}),
                          {"--tokens-per-sec", "30", "--route", route("[Report from your helpers]", write_temp_file(script({"never"}))),
                           "--route", route("Yollayah's family of specialists", slow_agent("busy"))}));
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface s(io, cut.conductor);
  ASSERT_TRUE(s.join());
  s.send(say("go"));
  // Four run at once (max_active), the fifth waits.
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return r.count<msg::StreamEnd>() >= 1 && r.count<msg::ConversationStreamToken>() >= 4; }));
  const auto follow_up = s.all<msg::StreamEnd>()[0].metadata.follow_up_id;
  ASSERT_TRUE(follow_up.has_value());
  s.send(ev::CancelResponse{"evt_stop", {}});
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return r.count<msg::StreamEnd>() >= 2; }));
  const auto end = s.all<msg::StreamEnd>()[1];
  EXPECT_EQ(end.message_id, *follow_up);
  EXPECT_EQ(end.metadata.context_hint, std::optional<std::string>("cancelled"));
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return r.count<msg::TaskFailed>() >= 5; }));
  for (const auto& f : s.all<msg::TaskFailed>()) EXPECT_EQ(f.error, "Cancelled");
  for (const auto& t : s.all<msg::Token>()) EXPECT_NE(t.message_id, *follow_up);
}

TEST(Agents, ATagStormIsBoundedByTheLimitsWithOneNotify) {
  std::string storm = "Here we go.\n";
  for (int i = 0; i < 1000; ++i) storm += "[yolla:task start qa-engineer test " + std::to_string(i) + "]\n";
  SimProcess sim(sim_args(storm, {"--route", route("[Report from your helpers]", write_temp_file(script({"Summed up."}))),
                                  "--route", route("You are The Intern", write_temp_file(script({"ok"})))}));
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface s(io, cut.conductor);
  ASSERT_TRUE(s.join());
  s.send(say("storm"));
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return stream_ends(r) >= 2; }, std::chrono::seconds(20)));
  EXPECT_EQ(s.count<msg::TaskCreated>(), conductor::TagParser::kMaxCommands);
  EXPECT_EQ(s.count<msg::TaskCompleted>(), conductor::TagParser::kMaxCommands);
  std::size_t notices = 0;
  for (const auto& n : s.all<msg::Notify>()) notices += n.title.value_or("") == "Too many helpers";
  EXPECT_EQ(notices, 1u);
  EXPECT_EQ(s.all<msg::StreamEnd>().back().final_content, "Summed up.");
  expect_stall_budget(cut.conductor.stall_monitor(), kStallBudget, /*require_samples=*/false);
}

TEST(Agents, TagsInAnAgentsAnswerAreParsedButCannotStartMoreAgents) {
  SimProcess sim(sim_args(script({"Asking.", "[yolla:task start backend-engineer A]"}),
                          {"--route", route("[Report from your helpers]", write_temp_file(script({"Done."}))),
                           "--route", route("You are Uncle Marco", write_temp_file(script({"[yolla:mood thinking]Half", "[yolla:task progress backend-engineer 50]", " way", "[yolla:task start qa-engineer more]", "."})))}));
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface s(io, cut.conductor);
  ASSERT_TRUE(s.join());
  s.send(say("go"));
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return stream_ends(r) >= 2; }));
  ASSERT_EQ(s.count<msg::ConversationStreamEnd>(), 1u);
  EXPECT_EQ(s.all<msg::ConversationStreamEnd>()[0].final_content, "Half way.");
  bool thinking = false;
  for (const auto& m : s.all<msg::AvatarMood>()) thinking = thinking || m.mood == protocol::AvatarMood::Thinking;
  EXPECT_TRUE(thinking);
  bool fifty = false;
  for (const auto& u : s.all<msg::TaskUpdated>()) fifty = fifty || u.progress == 50;
  EXPECT_TRUE(fifty);
  EXPECT_EQ(s.count<msg::TaskCreated>(), 1u);  // depth 1: the agent's own start was refused
  EXPECT_TRUE(has_notify(s, "Too many helpers"));
}

TEST(Agents, AVersionOneSurfaceSeesTheTasksButNoVersionTwoMessage) {
  SimProcess sim(sim_args(script({"On it!", "[yolla:task start backend-engineer Review]"}),
                          {"--route", route("[Report from your helpers]", write_temp_file(script({"Summed."}))),
                           "--route", route("You are Uncle Marco", write_temp_file(script({"Fine."})))}));
  asio::io_context io;
  ConductorUnderTest cut(io, sim.url());
  RecordingSurface v2(io, cut.conductor);
  RecordingSurface v1(io, cut.conductor);
  ASSERT_TRUE(v2.join(2));
  ASSERT_TRUE(v1.join(1));
  v1.send(say("review please"));
  ASSERT_TRUE(v1.run_until([&](const RecordingSurface&) { return stream_ends(v1) >= 2 && stream_ends(v2) >= 2; }));
  for (const auto& m : v1.received()) {
    EXPECT_EQ(protocol::variant_since(m), 1u) << protocol::variant_name(m);
    EXPECT_FALSE(std::holds_alternative<msg::ConversationCreated>(m));
    EXPECT_FALSE(std::holds_alternative<msg::ConversationStreamToken>(m));
    EXPECT_FALSE(std::holds_alternative<msg::ConversationStreamEnd>(m));
    EXPECT_FALSE(std::holds_alternative<msg::SummaryReady>(m));
    if (auto* ack = std::get_if<msg::Ack>(&m)) {
      EXPECT_FALSE(ack->message_id.has_value());
    }
  }
  EXPECT_EQ(v1.count<msg::TaskCreated>(), 1u);
  EXPECT_EQ(v1.count<msg::TaskCompleted>(), 1u);
  EXPECT_EQ(v2.count<msg::ConversationCreated>(), 1u);
  EXPECT_EQ(v2.count<msg::SummaryReady>(), 1u);
  EXPECT_EQ(v1.all<msg::StreamEnd>().back().final_content, "Summed.");
}

TEST(Agents, AnAgentPastItsTimeLimitFailsAndTheFollowUpSaysSo) {
  SimProcess sim(sim_args(script({"Asking Marco.", "[yolla:task start backend-engineer A]"}),
                          {"--tokens-per-sec", "30", "--route", route("): FAILED", write_temp_file(script({"Marco ran out of time."}))),
                           "--route", route("[Report from your helpers]", write_temp_file(script({"Marco is done."}))),
                           "--route", route("You are Uncle Marco", slow_agent("marco"))}));
  asio::io_context io;
  auto config = quiet_config();
  config.agent.time_limit = std::chrono::milliseconds(300);  // his answer takes 2 s
  ConductorUnderTest cut(io, sim.url(), config);
  RecordingSurface s(io, cut.conductor);
  ASSERT_TRUE(s.join());
  s.send(say("go"));
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return stream_ends(r) >= 2; }));
  ASSERT_EQ(s.count<msg::TaskFailed>(), 1u);
  EXPECT_NE(s.all<msg::TaskFailed>()[0].error.find("took longer than 300 ms"), std::string::npos)
      << s.all<msg::TaskFailed>()[0].error;
  EXPECT_EQ(s.count<msg::TaskCompleted>(), 0u);
  EXPECT_FALSE(conversation_text(s, s.all<msg::ConversationCreated>()[0].conversation_id).empty())
      << "what he wrote before the limit is kept";
  EXPECT_EQ(s.all<msg::StreamEnd>().back().final_content, "Marco ran out of time.");
}

TEST(Agents, AtMostMaxActiveAgentsStreamAtOnceAndTheRestWaitTheirTurn) {
  SimProcess sim(sim_args(script({"Four.", "[yolla:task start backend-engineer A]", "[yolla:task start qa-engineer B]",
                                  "[yolla:task start devops-engineer C]", "[yolla:task start ethical-hacker D]"}),
                          {"--tokens-per-sec", "100", "--route", route("[Report from your helpers]", write_temp_file(script({"All four."}))),
                           "--route", route("Yollayah's family of specialists", slow_agent("busy"))}));
  asio::io_context io;
  auto config = quiet_config();
  config.agent.max_active = 2;
  ConductorUnderTest cut(io, sim.url(), config);
  RecordingSurface s(io, cut.conductor);
  ASSERT_TRUE(s.join());
  s.send(say("go"));
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return stream_ends(r) >= 2; }, std::chrono::seconds(20)));
  EXPECT_EQ(s.count<msg::TaskCompleted>(), 4u);
  std::set<protocol::ConversationId> streaming;
  std::size_t most = 0;
  for (const auto& m : s.received()) {
    if (auto* t = std::get_if<msg::ConversationStreamToken>(&m)) streaming.insert(t->conversation_id);
    if (auto* e = std::get_if<msg::ConversationStreamEnd>(&m)) streaming.erase(e->conversation_id);
    most = std::max(most, streaming.size());
  }
  EXPECT_EQ(most, 2u);
  EXPECT_EQ(s.all<msg::StreamEnd>().back().final_content, "All four.");
}

TEST(Agents, WithMaxDepthTwoAnAgentStartsAnotherAndOneFollowUpReportsBoth) {
  SimProcess sim(sim_args(script({"Asking Marco.", "[yolla:task start backend-engineer Review]"}),
                          {"--route", route("You are The Intern", write_temp_file(script({"Tested", " it."}))),
                           "--route", route("(qa-engineer, task", write_temp_file(script({"Marco and", " the Intern", " agree."}))),
                           "--route", route("[Report from your helpers]", write_temp_file(script({"Only Marco."}))),
                           "--route", route("You are Uncle Marco", write_temp_file(script({"Looks fine;", " asking the Intern.", "[yolla:task start qa-engineer Test it]"})))}));
  asio::io_context io;
  auto config = quiet_config();
  config.agent.max_depth = 2;
  ConductorUnderTest cut(io, sim.url(), config);
  RecordingSurface s(io, cut.conductor);
  ASSERT_TRUE(s.join());
  s.send(say("review"));
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return stream_ends(r) >= 2; }));
  ASSERT_EQ(s.count<msg::TaskCreated>(), 2u);
  EXPECT_EQ(s.all<msg::TaskCreated>()[1].agent, "qa-engineer");
  EXPECT_EQ(s.count<msg::TaskCompleted>(), 2u);
  EXPECT_FALSE(has_notify(s, "Too many helpers"));
  const auto ends = s.all<msg::StreamEnd>();
  ASSERT_EQ(ends.size(), 2u);
  EXPECT_EQ(ends[1].final_content, "Marco and the Intern agree.");
}

}  // namespace
}  // namespace yollayah::test
