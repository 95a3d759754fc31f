// `yollayah history …` end to end: the real binary against a history written by the store, with
// XDG_DATA_HOME pointing into a temporary directory.
#include "store_support.hpp"
#include "support/child_process.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace yollayah::store::test {
namespace {

namespace json = boost::json;

struct CliRun {
  int code = 0;
  std::string out;
  std::string err;
};

class HistoryCli : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* old = std::getenv("XDG_DATA_HOME");
    if (old) saved_ = old;
    ::setenv("XDG_DATA_HOME", dir_.path().c_str(), 1);
    ::setenv("TZ", "UTC", 1);
    // ctest runs every test in private mode; these are about the history being on.
    if (const char* off = std::getenv("YOLLAYAH_NO_HISTORY")) saved_no_history_ = off;
    ::unsetenv("YOLLAYAH_NO_HISTORY");
  }
  void TearDown() override {
    if (saved_) ::setenv("XDG_DATA_HOME", saved_->c_str(), 1);
    else ::unsetenv("XDG_DATA_HOME");
    if (saved_no_history_) ::setenv("YOLLAYAH_NO_HISTORY", saved_no_history_->c_str(), 1);
  }
  std::optional<std::string> saved_no_history_;
  std::string db() const { return dir_.path() + "/ai-way/history.db"; }

  // Two conversations: "Why is the sea salty?" (with an answer) and then "Axolotl facts".
  void fill() {
    asio::io_context io;
    HistoryStore store(options_for(db(), io, nullptr));
    sea_ = store.create_conversation({.model = "llama3.2", .surface = "tui"});
    const MessageId q = store.add_message({.conversation = sea_, .content = "Why is the sea salty?"});
    const MessageId a = store.add_message({.conversation = sea_, .parent = q, .role = Role::Assistant, .streaming = true});
    AnswerMeta meta;
    meta.model = "llama3.2";
    meta.tokens_per_s = 31.0;
    meta.elapsed_ms = 4000;
    store.finish_answer(a, "Rivers carry salt into the sea.", meta);
    axolotl_ = store.create_conversation({.title = "Axolotl facts"});
    store.add_message({.conversation = axolotl_, .content = "Tell me about axolotls; ask me anything"});
    ASSERT_TRUE(run(io, store.flush()));
  }

  CliRun yollayah(std::vector<std::string> args) {
    args.insert(args.begin(), {yollayah_binary(), "history"});
    const std::string err_file = dir_.file("stderr.txt");
    Child child(args, err_file);
    CliRun r;
    r.code = child.wait();
    r.out = child.output();
    std::ifstream in(err_file);
    r.err.assign(std::istreambuf_iterator<char>(in), {});
    return r;
  }

  TempDir dir_;
  std::optional<std::string> saved_;
  ConversationId sea_, axolotl_;
};

TEST_F(HistoryCli, ListOnANewMachineSaysThereIsNothingYet) {
  const CliRun r = yollayah({"list"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "No conversations yet.\n");
  EXPECT_TRUE(std::filesystem::exists(db()));
}

TEST_F(HistoryCli, ListJsonHasEveryConversationMostRecentFirst) {
  fill();
  const CliRun r = yollayah({"list", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json::array list = json::parse(r.out).as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].at("id").as_string(), axolotl_);
  EXPECT_EQ(list[0].at("title").as_string(), "Axolotl facts");
  EXPECT_EQ(list[1].at("id").as_string(), sea_);
  EXPECT_EQ(list[1].at("title").as_string(), "Why is the sea salty?");
  EXPECT_EQ(list[1].at("message_count").as_int64(), 2);
  EXPECT_EQ(list[1].at("model").as_string(), "llama3.2");
}

TEST_F(HistoryCli, ListTextHasIdsTitlesAndLimit) {
  fill();
  const CliRun r = yollayah({"list", "--limit", "1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(axolotl_), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Axolotl facts"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(sea_), std::string::npos) << r.out;
}

TEST_F(HistoryCli, ShowPrintsTheConversationAsMarkdownByIdPrefixOrLast) {
  fill();
  const CliRun r = yollayah({"show", sea_.substr(0, 34)});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("# Why is the sea salty?\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("Rivers carry salt into the sea."), std::string::npos);
  EXPECT_NE(r.out.find("*llama3.2 · 31.0 tok/s · 4.0 s*"), std::string::npos) << r.out;
  const CliRun last = yollayah({"show", "last"});
  ASSERT_EQ(last.code, 0) << last.err;
  EXPECT_EQ(last.out.rfind("# Axolotl facts\n", 0), 0u) << last.out;
}

// An answer holding escape sequences (stored by a model): `show` on a terminal shows them as
// symbols and obeys none; into a pipe it gives the bytes as they are.
TEST_F(HistoryCli, ShowOnATerminalShowsAModelsEscapeSequencesInsteadOfObeyingThem) {
  ConversationId id;
  {
    asio::io_context io;
    HistoryStore store(options_for(db(), io, nullptr));
    id = store.create_conversation({.title = "Hostile"});
    const MessageId q = store.add_message({.conversation = id, .content = "hi"});
    const MessageId a = store.add_message({.conversation = id, .parent = q, .role = Role::Assistant, .streaming = true});
    store.finish_answer(a, "Hi \x1b]0;pwned\x07 there", {});
    ASSERT_TRUE(run(io, store.flush()));
  }
  ::yollayah::test::PtyChild tty({yollayah_binary(), "history", "show", id}, {}, 80, 24);
  ASSERT_TRUE(tty.wait_for("there", std::chrono::seconds(10))) << tty.seen();
  EXPECT_EQ(tty.wait_exit(std::chrono::seconds(10)), 0);
  EXPECT_NE(tty.seen().find("Hi \u241B]0;pwned\u2407 there"), std::string::npos) << tty.seen();
  EXPECT_EQ(tty.seen().find('\x1b'), std::string::npos) << tty.seen();
  const CliRun piped = yollayah({"show", id});
  ASSERT_EQ(piped.code, 0) << piped.err;
  EXPECT_NE(piped.out.find("Hi \x1b]0;pwned\x07 there"), std::string::npos) << piped.out;
}

TEST_F(HistoryCli, ShowJsonHasTheMessagesAndTheirTiming) {
  fill();
  const CliRun r = yollayah({"show", "--json", sea_});
  ASSERT_EQ(r.code, 0) << r.err;
  const json::object c = json::parse(r.out).as_object();
  EXPECT_EQ(c.at("id").as_string(), sea_);
  const json::array& messages = c.at("messages").as_array();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1].at("role").as_string(), "assistant");
  EXPECT_EQ(messages[1].at("tokens_per_s").as_double(), 31.0);
  EXPECT_EQ(messages[1].at("branch").at("count").as_int64(), 1);
  EXPECT_EQ(messages[1].at("parent").as_string(), messages[0].at("id").as_string());
}

TEST_F(HistoryCli, JsonStaysParseableWhenTheFileHoldsTextThatIsNotUtf8) {
  fill();
  // Another program (or an older version) left bytes that are not UTF-8 in an answer.
  sqlite3_cli(db(), "UPDATE messages SET content = 'salt ' || CAST(X'FF41C3' AS TEXT) WHERE role = 'assistant';");
  const CliRun r = yollayah({"show", "--json", sea_});
  ASSERT_EQ(r.code, 0) << r.err;
  boost::system::error_code ec;
  const json::value v = json::parse(r.out, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(v.at("messages").as_array().at(1).at("content").as_string(), "salt \xEF\xBF\xBD" "A\xEF\xBF\xBD");
}

TEST_F(HistoryCli, AnUnknownOrAmbiguousIdIsExit2WithAReason) {
  fill();
  const CliRun unknown = yollayah({"show", "ffffffff"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("no conversation ffffffff"), std::string::npos) << unknown.err;
  // Both ids were made within the same minute: their first 8 characters (time) are shared.
  const CliRun ambiguous = yollayah({"show", sea_.substr(0, 8)});
  EXPECT_EQ(ambiguous.code, 2);
  EXPECT_NE(ambiguous.err.find("matches several conversations"), std::string::npos) << ambiguous.err;
}

TEST_F(HistoryCli, SearchFindsMessagesAndAskIsJustAWordThere) {
  fill();
  const CliRun r = yollayah({"search", "salt"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(sea_), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("**salt**"), std::string::npos) << r.out;
  const CliRun ask = yollayah({"search", "--json", "ask", "me"});
  ASSERT_EQ(ask.code, 0) << ask.err;
  const json::array hits = json::parse(ask.out).as_array();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].at("conversation").as_string(), axolotl_);
  EXPECT_FALSE(hits[0].at("highlights").as_array().empty());
}

TEST_F(HistoryCli, ExportWritesMarkdownToAFile) {
  fill();
  const std::string file = dir_.file("sea.md");
  const CliRun r = yollayah({"export", sea_, file});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  std::ifstream in(file);
  const std::string md(std::istreambuf_iterator<char>(in), {});
  EXPECT_EQ(md.rfind("# Why is the sea salty?\n", 0), 0u) << md;
  EXPECT_NE(md.find("### Yollayah"), std::string::npos);
}

TEST_F(HistoryCli, DeleteRemovesAConversationOnce) {
  fill();
  const CliRun r = yollayah({"delete", sea_});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Deleted conversation " + sea_ + ".\n");
  const CliRun again = yollayah({"delete", "--json", sea_});
  EXPECT_EQ(again.code, 2);
  const CliRun list = yollayah({"list", "--json"});
  EXPECT_EQ(json::parse(list.out).as_array().size(), 1u);
}

TEST_F(HistoryCli, ABrokenFileIsMovedAsideAndSaidOnStderr) {
  std::filesystem::create_directories(dir_.path() + "/ai-way");
  std::ofstream(db()) << std::string(5000, '!');
  const CliRun r = yollayah({"list"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find(db() + " is not a SQLite database"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(db() + ".broken-"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "No conversations yet.\n");
}

}  // namespace
}  // namespace yollayah::store::test
