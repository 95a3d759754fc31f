// The demo persona (ollama-sim --demo): which answer a conversation gets, follow-ups that build on
// the turn before, agents and the helpers' reports, the shape of the answers themselves, and a clear
// error at start when a data file is missing.
#include "demo_persona.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace yollayah::test {
namespace {

namespace fs = std::filesystem;
using sim::DemoChoice;
using sim::DemoMessage;
using sim::DemoPersona;

const std::string kDemoDir = YOLLAYAH_SOURCE_DIR "/apps/ollama-sim/demo";

const DemoPersona& persona() {
  static const DemoPersona p = DemoPersona::load(kDemoDir);
  return p;
}

std::string text_of(const sim::TokenSource& tokens) {
  auto cursor = tokens.cursor(tokens.count());
  std::string out;
  while (!cursor.next().empty()) out += cursor.raw();
  return out;
}

// A conversation of user messages, each followed by a placeholder assistant answer.
std::vector<DemoMessage> conversation(const std::vector<std::string>& user_messages) {
  std::vector<DemoMessage> out{{"system", "You are Yollayah, a small pink axolotl."}};
  for (std::size_t i = 0; i < user_messages.size(); ++i) {
    if (i > 0) out.push_back({"assistant", "(an earlier answer)"});
    out.push_back({"user", user_messages[i]});
  }
  return out;
}

DemoChoice choose(const std::vector<std::string>& user_messages) {
  return persona().choose(conversation(user_messages));
}

std::string answer_to(const std::vector<std::string>& user_messages) {
  return text_of(persona().answer(choose(user_messages)));
}

struct Case {
  const char* message;
  const char* file;
};

TEST(DemoPersona, PicksTheAnswerKindFromRepresentativeMessages) {
  const Case cases[] = {
      {"Write a function that reverses a string", "code/python"},
      {"show me a rust function to parse a number", "code/rust"},
      {"can you write that in C++ please, as code", "code/cpp"},
      {"a JavaScript snippet for a debounce", "code/javascript"},
      {"write a small Go program that serves HTTP", "code/go"},
      {"a shell script to back up my home", "code/bash"},
      {"how do I read a file in python?", "code/python"},
      {"Compare Python, Rust and Go", "table"},
      {"make me a table of HTTP status codes", "table"},
      {"what's the difference between TCP and UDP", "table"},
      {"give me a plan to learn the guitar", "plan"},
      {"list the steps to bake bread", "plan"},
      {"please review my login code", "delegate"},
      {"can you audit this service for security holes?", "delegate"},
      {"design a system for booking rooms", "delegate"},
      {"plan the migration of our database", "delegate"},
      {"tell me a joke", "joke"},
      {"hello!", "greeting"},
      {"Hola", "greeting"},
      {"thanks a lot", "thanks"},
      {"gracias :)", "thanks"},
      {"who are you?", "who"},
      {"what is the capital of Peru?", "fallback"},
      {"I feel like going for a walk", "fallback"},
  };
  for (const auto& c : cases) EXPECT_EQ(choose({c.message}).file(), c.file) << c.message;
}

TEST(DemoPersona, TheConductorsGreetingRequestGetsTheGreeting) {
  auto text = answer_to({"Say a quick, cute one-line greeting to the user, who just opened the chat. It's Saturday "
                         "evening. Maybe use a Spanish expression. ONE sentence at most. Start with a wave tag and "
                         "a mood tag."});
  EXPECT_NE(text.find("I'm Yollayah"), std::string::npos) << text;
  EXPECT_NE(text.find("[yolla:wave]"), std::string::npos) << text;
  EXPECT_EQ(persona().choose(std::vector<DemoMessage>{}).kind, "greeting");
}

TEST(DemoPersona, CodeAnswersExplainAndFenceTheAskedLanguage) {
  const std::pair<const char*, const char*> langs[] = {{"python", "```python\n"}, {"rust", "```rust\n"},
                                                       {"c++", "```cpp\n"},       {"javascript", "```javascript\n"},
                                                       {"golang", "```go\n"},     {"bash", "```bash\n"}};
  for (const auto& [lang, fence] : langs) {
    auto text = answer_to({std::string("write a function in ") + lang});
    const auto at = text.find(fence);
    ASSERT_NE(at, std::string::npos) << lang << ":\n" << text;
    EXPECT_GT(at, 40u) << "no explanation before the code in " << lang;
    EXPECT_NE(text.find("\n```", at + 3), std::string::npos) << "the block is not closed in " << lang;
    EXPECT_NE(text.find("[yolla:"), std::string::npos) << lang;
  }
}

TEST(DemoPersona, TableAnswerIsAMarkdownTableWithAnAlignmentRow) {
  auto text = answer_to({"compare a few languages"});
  EXPECT_NE(text.find("\n| Language"), std::string::npos) << text;
  EXPECT_NE(text.find("|:---"), std::string::npos) << text;
  EXPECT_NE(text.find(":|"), std::string::npos) << "no centred or right-aligned column";
  EXPECT_NE(text.find("[yolla:mood curious]"), std::string::npos);
}

TEST(DemoPersona, PlanAnswerHasHeadingsAndANestedTaskList) {
  auto text = answer_to({"make a plan for my side project"});  // "plan" & "project" delegates…
  EXPECT_EQ(choose({"make a plan for my side project"}).kind, "delegate");
  text = answer_to({"give me the steps"});
  EXPECT_NE(text.find("\n## "), std::string::npos) << text;
  EXPECT_NE(text.find("- [x] "), std::string::npos) << text;
  EXPECT_NE(text.find("\n- [ ] "), std::string::npos) << text;
  EXPECT_NE(text.find("\n  - [ ] "), std::string::npos) << "no nested item";
}

TEST(DemoPersona, DelegationStartsTwoOrThreeHelpersByAgentId) {
  auto text = answer_to({"please review my login code"});
  std::size_t starts = 0;
  for (auto at = text.find("[yolla:task start "); at != std::string::npos; at = text.find("[yolla:task start ", at + 1)) {
    ++starts;
  }
  EXPECT_GE(starts, 2u);
  EXPECT_LE(starts, 3u);
  EXPECT_NE(text.find("[yolla:task start backend-engineer "), std::string::npos);
}

TEST(DemoPersona, ShortAnswersCarryGesturesAndReactions) {
  EXPECT_NE(answer_to({"tell me a joke"}).find("[yolla:react laugh]"), std::string::npos);
  EXPECT_NE(answer_to({"hi there"}).find("[yolla:wave]"), std::string::npos);
  EXPECT_NE(answer_to({"thank you!"}).find("[yolla:react love]"), std::string::npos);
  EXPECT_NE(answer_to({"who are you"}).find("[yolla:spin]"), std::string::npos);
}

TEST(DemoPersona, FallbackSaysItIsSimulatedAndOffersThreeThingsToTry) {
  auto text = answer_to({"what is the meaning of life?"});
  EXPECT_NE(text.find("simulated"), std::string::npos) << text;
  EXPECT_NE(text.find("\n1. "), std::string::npos);
  EXPECT_NE(text.find("\n2. "), std::string::npos);
  EXPECT_NE(text.find("\n3. "), std::string::npos);
  EXPECT_EQ(text.find("\n4. "), std::string::npos);
}

TEST(DemoPersona, AndInRustAfterCodeIsTheSameProgramInRust) {
  auto c = choose({"write a function that counts words", "and in Rust?"});
  EXPECT_EQ(c.file(), "code/rust");
  EXPECT_EQ(c.variant, 0u);
  // The second program ("another one") keeps its place when the language changes.
  c = choose({"write a function that counts words", "another one", "and in Go?"});
  EXPECT_EQ(c.file(), "code/go");
  EXPECT_EQ(c.variant, 1u);
  EXPECT_NE(text_of(persona().answer(c)).find("FizzBuzz"), std::string::npos);
}

TEST(DemoPersona, CodeFollowUpsKeepTheLanguageOfTheTurnBefore) {
  EXPECT_EQ(choose({"a rust function please", "write another function"}).file(), "code/rust");
  EXPECT_EQ(choose({"a rust function please", "now show me the code again"}).file(), "code/rust");
}

TEST(DemoPersona, AnotherOneCyclesThroughTheAlternatives) {
  const auto first = answer_to({"tell me a joke"});
  const auto second = answer_to({"tell me a joke", "another one"});
  const auto third = answer_to({"tell me a joke", "another one", "one more"});
  EXPECT_NE(first, second);
  EXPECT_NE(second, third);
  EXPECT_NE(first, third);
  EXPECT_EQ(choose({"tell me a joke", "another one"}).kind, "joke");
}

TEST(DemoPersona, MakeItShorterGivesTheShortFormOfThePreviousAnswer) {
  const auto table = answer_to({"compare python and go"});
  const auto shorter = answer_to({"compare python and go", "make it shorter"});
  auto c = choose({"compare python and go", "make it shorter"});
  EXPECT_EQ(c.kind, "table");
  EXPECT_TRUE(c.shorter);
  EXPECT_LT(shorter.size(), table.size() / 2);
  EXPECT_NE(shorter.find("|:---"), std::string::npos) << "the short form is still a table";
}

TEST(DemoPersona, AFollowUpWithNothingBeforeItIsNotAFollowUp) {
  EXPECT_EQ(choose({"another one"}).kind, "fallback");
  EXPECT_EQ(choose({"make it shorter"}).kind, "fallback");
}

TEST(DemoPersona, ANewRequestAfterAFollowUpStandsOnItsOwn) {
  auto c = choose({"tell me a joke", "another one", "compare cats and dogs"});
  EXPECT_EQ(c.kind, "table");
  EXPECT_EQ(c.variant, 0u);
}

TEST(DemoPersona, AnAgentsRequestIsAnsweredAsThatAgent) {
  std::vector<DemoMessage> request{
      {"system", "You are The Intern, an eager QA engineer… Your agent id is qa-engineer. While you work…"},
      {"user", "Yollayah asks you, The Intern (task t1):\nWrite a test plan\n\nThe user's request: please review my code"}};
  auto c = persona().choose(request);
  EXPECT_EQ(c.file(), "agents/qa-engineer");
  EXPECT_NE(text_of(persona().answer(c)).find("Empty input"), std::string::npos);

  request[0].text = "You are Cousin Ana, a data scientist. Your agent id is data-scientist. While you work…";
  EXPECT_EQ(persona().choose(request).file(), "agents/default");
}

TEST(DemoPersona, TheHelpersReportIsSummedUpOrSaidToBeUnfinished) {
  const std::string report =
      "[Report from your helpers]\nYou asked your helpers for help… If a helper failed or was cancelled, say so "
      "plainly.\n\n## Uncle Marco (backend-engineer, task t1): "
      "completed\nAnswer:\n- fine\n";
  auto messages = conversation({"please review my login code", report});
  EXPECT_EQ(persona().choose(messages).file(), "report");
  EXPECT_NE(text_of(persona().answer(persona().choose(messages))).find("What I'd do next"), std::string::npos);

  messages = conversation({"please review my login code", report + "\n## Cousin Rita (ethical-hacker, task t2): CANCELLED by the user\n"});
  EXPECT_EQ(persona().choose(messages).file(), "report-stopped");
  messages = conversation({"please review my login code", report + "\n## Cousin Rita (ethical-hacker, task t2): FAILED\n"});
  EXPECT_EQ(persona().choose(messages).file(), "report-stopped");
}

TEST(DemoPersona, EveryAnswerSteersTheAvatar) {
  for (const auto* file : {"greeting", "thanks", "who", "joke", "table", "plan", "delegate", "report",
                           "report-stopped", "fallback", "code/python", "code/rust", "code/cpp", "code/javascript",
                           "code/go", "code/bash"}) {
    DemoChoice c;
    const std::string f(file);
    if (f.starts_with("code/")) {
      c.kind = "code";
      c.language = f.substr(5);
    } else {
      c.kind = f;
    }
    ASSERT_EQ(c.file(), f);
    for (bool shorter : {false, true}) {
      c.shorter = shorter;
      EXPECT_NE(text_of(persona().answer(c)).find("[yolla:"), std::string::npos) << file << " shorter=" << shorter;
    }
  }
}

// ---- loading ----

class DemoPersonaFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("demo_persona_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::copy(kDemoDir, dir_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string load_error() {
    try {
      DemoPersona::load(dir_.string());
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return {};
  }

  fs::path dir_;
};

TEST_F(DemoPersonaFiles, ACopyOfTheDirectoryLoads) { EXPECT_EQ(load_error(), ""); }

TEST_F(DemoPersonaFiles, AMissingAnswerFileIsNamedAtStart) {
  fs::remove(dir_ / "table.md");
  EXPECT_NE(load_error().find("table.md is missing"), std::string::npos) << load_error();
}

TEST_F(DemoPersonaFiles, AMissingCodeFileForALanguageIsNamedAtStart) {
  fs::remove(dir_ / "code" / "rust.md");
  EXPECT_NE(load_error().find("code/rust.md is missing"), std::string::npos) << load_error();
}

TEST_F(DemoPersonaFiles, AMissingRulesFileOrDirectoryIsNamed) {
  fs::remove(dir_ / "match.txt");
  EXPECT_NE(load_error().find("match.txt"), std::string::npos) << load_error();
  fs::remove_all(dir_);
  EXPECT_NE(load_error().find("no directory"), std::string::npos) << load_error();
}

TEST_F(DemoPersonaFiles, AnUnknownKindInTheRulesIsNamedWithItsLine) {
  std::ofstream(dir_ / "match.txt") << "# rules\ntable: table\npoem: poem\n";
  EXPECT_NE(load_error().find("match.txt:3: unknown kind 'poem'"), std::string::npos) << load_error();
}

TEST_F(DemoPersonaFiles, AnEmptyAlternativeIsAnError) {
  std::ofstream(dir_ / "joke.md") << "a joke\n--- another\n\n";
  EXPECT_NE(load_error().find("joke.md has an empty section"), std::string::npos) << load_error();
}

TEST(DemoPersonaDefaults, WithoutAnInstallTreeTheCheckoutDirectoryIsTheDefault) {
  EXPECT_TRUE(fs::equivalent(DemoPersona::default_dir(), kDemoDir));
}

// ---- tokens ----

TEST(DemoTokens, WordsKeepTheirLeadingSpaceAndLongWordsGoInPieces) {
  auto tokens = sim::demo_tokens("Hello there,\n\n  indented extraordinarily");
  ASSERT_GE(tokens.size(), 6u);
  EXPECT_EQ(tokens[0], "Hello");
  EXPECT_EQ(tokens[1], " there,");
  EXPECT_EQ(tokens[2], "\n\n");
  EXPECT_EQ(tokens[3], "  indented");
  std::string joined;
  for (const auto& t : tokens) {
    EXPECT_LE(t.size(), 10u) << t;
    joined += t;
  }
  EXPECT_EQ(joined, "Hello there,\n\n  indented extraordinarily");
}

TEST(DemoTokens, APieceNeverEndsInsideAUtf8Character) {
  const std::string text = "¡Órale! añañañañañañañañ [yolla:mood excited]";
  std::string joined;
  for (const auto& t : sim::demo_tokens(text)) {
    ASSERT_FALSE(t.empty());
    EXPECT_NE(static_cast<unsigned char>(t.front()) & 0xC0, 0x80) << "a token starts inside a character";
    joined += t;
  }
  EXPECT_EQ(joined, text);
}

}  // namespace
}  // namespace yollayah::test
