// [gateway] record: API conversations stored in the history, read back through the store as the
// terminal's are. The gateway runs on its thread; the store answers the test on a loop of its own.
#include "gateway/gateway_fixture.hpp"
#include "gateway/run_tool.hpp"
#include "store/history_cli.hpp"
#include "support/temp_dir.hpp"

#include <filesystem>

namespace yollayah::test {
namespace {

using store::Role;

// A gateway that records into a store of the test's own.
class Recorded {
 public:
  explicit Recorded(std::vector<std::string> sim_args = {"--tokens", "8", "--tokens-per-sec", "0"}, bool record = true)
      : store_(store_options(dir_)) {
    auto o = test_options();
    o.record = record;
    o.history = &store_;
    g_.emplace(std::move(sim_args), std::move(o));
  }

  GatewayUnderTest& g() { return *g_; }
  std::uint16_t port() { return g_->port(); }
  // A POST on one keep-alive connection.
  Reply post(const std::string& path, const std::string& body) {
    if (!client_) client_.emplace(port());
    return client_->request(http::verb::post, path, body);
  }
  store::HistoryStore& store() { return store_; }

  // Runs `task` to its end on the test's loop (at most 10 s).
  template <class T>
  T run(asio::awaitable<T> task) {
    std::optional<T> result;
    asio::co_spawn(io_, std::move(task), [&](std::exception_ptr e, T value) {
      if (!e) result.emplace(std::move(value));
    });
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!result && std::chrono::steady_clock::now() < deadline) {
      io_.restart();
      io_.run_for(20ms);
    }
    if (!result) throw std::runtime_error("the store did not answer within 10 s");
    return std::move(*result);
  }

  void run(asio::awaitable<void> task) {
    run([](asio::awaitable<void> t) -> asio::awaitable<bool> {
      co_await std::move(t);
      co_return true;
    }(std::move(task)));
  }

  // What the store holds once everything queued so far is written: most recent first.
  std::vector<store::ConversationSummary> conversations() {
    EXPECT_TRUE(run(store_.flush()).has_value());
    return run(store_.list_conversations(100)).value();
  }
  store::Conversation conversation(const store::ConversationId& id) { return run(store_.load_conversation(id)).value(); }
  // The only conversation stored (the test fails when there is not exactly one).
  store::Conversation only() {
    const auto list = conversations();
    if (list.size() != 1) throw std::runtime_error(std::to_string(list.size()) + " conversations stored, not 1");
    return conversation(list.front().id);
  }

 private:
  static store::HistoryStore::Options store_options(const TempDir& dir) {
    store::HistoryStore::Options o;
    o.path = dir.file("history.db");
    return o;
  }

  TempDir dir_{"yolla-record"};
  asio::io_context io_;         // before the store: its replies are posted here
  store::HistoryStore store_;   // before the gateway, which writes to it
  std::optional<GatewayUnderTest> g_;
  std::optional<HttpClient> client_;
};

std::vector<std::pair<Role, std::string>> roles_and_text(const store::Conversation& c) {
  std::vector<std::pair<Role, std::string>> out;
  for (const auto& m : c.messages) out.emplace_back(m.role, m.content);
  return out;
}

std::string ollama_text(const std::string& ndjson_body) {
  std::string text;
  for (const auto& line : ndjson(ndjson_body))
    if (const auto* m = line.as_object().if_contains("message")) text += m->at("content").as_string();
  return text;
}

std::string openai_text(const std::string& sse_body) {
  std::string text;
  for (const auto& data : sse_data(sse_body)) {
    if (data == "[DONE]") continue;
    const auto v = boost::json::parse(data);
    const auto& choices = v.at("choices").as_array();
    if (choices.empty()) continue;
    if (const auto* c = choices[0].at("delta").as_object().if_contains("content")) text += c->as_string();
  }
  return text;
}

// The meta line of an answer the sim finished: its model, the backend that served it, and timing.
void expect_complete_answer(const store::StoredMessage& a, const std::string& text) {
  EXPECT_EQ(a.role, Role::Assistant);
  EXPECT_EQ(a.content, text);
  EXPECT_FALSE(a.streaming);
  EXPECT_FALSE(a.meta.interrupted);
  EXPECT_EQ(a.meta.model, "sim");
  EXPECT_FALSE(a.meta.backend.empty());
  EXPECT_TRUE(a.meta.first_token_ms.has_value());
  EXPECT_EQ(a.meta.token_count, 8u);
  ASSERT_TRUE(a.meta.tokens_per_s.has_value());
  EXPECT_GT(*a.meta.tokens_per_s, 0.0);
}

TEST(GatewayRecord, AStreamingOllamaChatIsStoredWithItsMessagesAndTheAnswersMeta) {
  Recorded r;
  const auto reply = r.post("/api/chat", R"({"model":"sim","messages":[{"role":"system","content":"be brief"},)"
                                         R"({"role":"user","content":"why is the sea salty?"}]})");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  const auto conv = r.only();
  EXPECT_EQ(conv.summary.surface, "api:ollama");
  EXPECT_EQ(conv.summary.model, "sim");
  EXPECT_EQ(conv.summary.title, "why is the sea salty?");
  ASSERT_EQ(conv.messages.size(), 3u);
  EXPECT_EQ(conv.messages[0].role, Role::System);
  EXPECT_EQ(conv.messages[0].content, "be brief");
  EXPECT_EQ(conv.messages[1].role, Role::User);
  EXPECT_EQ(conv.messages[1].content, "why is the sea salty?");
  expect_complete_answer(conv.messages[2], ollama_text(reply.body));
}

TEST(GatewayRecord, ANonStreamingOllamaChatIsStoredToo) {
  Recorded r;
  const auto reply = r.post("/api/chat", R"({"model":"sim","stream":false,"messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  const auto conv = r.only();
  EXPECT_EQ(conv.summary.surface, "api:ollama");
  ASSERT_EQ(conv.messages.size(), 2u);
  EXPECT_EQ(conv.messages[0].content, "hi");
  const std::string text(reply.json().at("message").at("content").as_string());
  EXPECT_FALSE(text.empty());
  expect_complete_answer(conv.messages[1], text);
}

TEST(GatewayRecord, AnOllamaGenerateIsStoredAsItsSystemAndPromptAndTheAnswer) {
  Recorded r;
  const auto reply = r.post("/api/generate", R"({"model":"sim","system":"be brief","prompt":"a haiku","stream":false})");
  ASSERT_EQ(reply.status, 200u) << reply.body;
  const auto conv = r.only();
  EXPECT_EQ(conv.summary.surface, "api:ollama");
  ASSERT_EQ(conv.messages.size(), 3u);
  EXPECT_EQ(roles_and_text(conv)[0], std::make_pair(Role::System, std::string("be brief")));
  EXPECT_EQ(roles_and_text(conv)[1], std::make_pair(Role::User, std::string("a haiku")));
  expect_complete_answer(conv.messages[2], std::string(reply.json().at("response").as_string()));
}

TEST(GatewayRecord, OpenAiCompletionsStreamingAndNotAreStoredAsApiOpenAi) {
  Recorded r;
  const auto streamed =
      r.post("/v1/chat/completions", R"({"model":"sim","stream":true,"messages":[{"role":"user","content":"first"}]})");
  ASSERT_EQ(streamed.status, 200u) << streamed.body;
  const auto whole = r.post("/v1/chat/completions", R"({"model":"sim","messages":[{"role":"developer","content":"terse"},)"
                                                    R"({"role":"user","content":"second"}]})");
  ASSERT_EQ(whole.status, 200u) << whole.body;
  const auto list = r.conversations();
  ASSERT_EQ(list.size(), 2u);
  for (const auto& s : list) EXPECT_EQ(s.surface, "api:openai");
  // Both may carry the same millisecond: told apart by what they say.
  const bool in_order = list[1].first_line == "first";
  const auto first = r.conversation(list[in_order ? 1 : 0].id);
  const auto second = r.conversation(list[in_order ? 0 : 1].id);
  ASSERT_EQ(first.messages.size(), 2u);
  EXPECT_EQ(first.messages[0].content, "first");
  expect_complete_answer(first.messages[1], openai_text(streamed.body));
  ASSERT_EQ(second.messages.size(), 3u);
  EXPECT_EQ(second.messages[0].role, Role::System);  // "developer" is OpenAI's newer name for it
  EXPECT_EQ(second.messages[1].content, "second");
  expect_complete_answer(second.messages[2], std::string(whole.json().at("choices").at(0).at("message").at("content").as_string()));
}

// Chat clients resend the whole conversation each turn: the stored one grows instead of a new
// conversation per request. Resending less than was stored begins a new one; going back to an
// earlier point and saying something else is a branch of the same one.
TEST(GatewayRecord, AClientThatResendsTheConversationExtendsTheStoredOne) {
  Recorded r;
  auto ask = [&](const boost::json::array& messages) {
    const auto reply = r.post("/v1/chat/completions",
                              boost::json::serialize(boost::json::object{{"model", "sim"}, {"messages", messages}}));
    EXPECT_EQ(reply.status, 200u) << reply.body;
    return std::string(reply.json().at("choices").at(0).at("message").at("content").as_string());
  };
  auto msg = [](std::string_view role, std::string_view content) {
    return boost::json::object{{"role", role}, {"content", content}};
  };
  const std::string a1 = ask({msg("user", "hi")});
  const std::string a2 = ask({msg("user", "hi"), msg("assistant", a1), msg("user", "and then?")});
  ask({msg("user", "hi"), msg("assistant", a1), msg("user", "something else")});
  ask({msg("user", "hi")});  // a new client saying the same first thing

  const auto list = r.conversations();
  ASSERT_EQ(list.size(), 2u);
  const bool grown_first = list[0].message_count > list[1].message_count;
  const auto grown = r.conversation(list[grown_first ? 0 : 1].id);
  EXPECT_EQ(grown.summary.message_count, 6u);  // hi, a1, then two branches of a question and its answer
  EXPECT_EQ(list[grown_first ? 1 : 0].message_count, 2u);
  ASSERT_EQ(grown.messages.size(), 4u);         // the newest branch
  EXPECT_EQ(roles_and_text(grown)[0], std::make_pair(Role::User, std::string("hi")));
  EXPECT_EQ(grown.messages[1].content, a1);
  EXPECT_EQ(grown.messages[2].content, "something else");
  EXPECT_EQ(grown.messages[2].sibling_count, 2u);
  EXPECT_EQ(grown.messages[2].sibling_index, 2u);
  const auto older = r.run(r.store().load_conversation(grown.summary.id, grown.messages[2].prev_sibling)).value();
  ASSERT_GE(older.messages.size(), 3u);
  EXPECT_EQ(older.messages[2].content, "and then?");
  EXPECT_EQ(older.messages.back().content, a2);
}

// A conversation deleted from the history (`yollayah history delete`) is not continued: the
// client's next turn begins a new one with everything it sent.
TEST(GatewayRecord, AClientContinuingADeletedConversationBeginsANewOneWithEverything) {
  Recorded r({"--tokens", "8", "--tokens-per-sec", "50"});
  const auto first = r.post("/api/chat", R"({"model":"sim","stream":false,"messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(first.status, 200u) << first.body;
  const std::string a1(first.json().at("message").at("content").as_string());
  const auto deleted = r.only().summary.id;
  ASSERT_TRUE(r.run(r.store().delete_conversation(deleted)).value());

  boost::json::array messages{boost::json::object{{"role", "user"}, {"content", "hi"}},
                              boost::json::object{{"role", "assistant"}, {"content", a1}},
                              boost::json::object{{"role", "user"}, {"content", "more"}}};
  const auto second = r.post("/api/chat", boost::json::serialize(boost::json::object{
                                              {"model", "sim"}, {"stream", false}, {"messages", messages}}));
  ASSERT_EQ(second.status, 200u) << second.body;
  const auto conv = r.only();
  EXPECT_NE(conv.summary.id, deleted);
  ASSERT_EQ(conv.messages.size(), 4u);
  EXPECT_EQ(roles_and_text(conv)[0], std::make_pair(Role::User, std::string("hi")));
  EXPECT_EQ(roles_and_text(conv)[1], std::make_pair(Role::Assistant, a1));
  EXPECT_EQ(roles_and_text(conv)[2], std::make_pair(Role::User, std::string("more")));
  expect_complete_answer(conv.messages[3], std::string(second.json().at("message").at("content").as_string()));
}

TEST(GatewayRecord, WithRecordOffNothingIsStored) {
  Recorded r({"--tokens", "8", "--tokens-per-sec", "0"}, /*record=*/false);
  ASSERT_EQ(r.post("/api/chat", R"({"model":"sim","messages":[{"role":"user","content":"hi"}]})").status, 200u);
  ASSERT_EQ(r.post("/v1/chat/completions", R"({"model":"sim","messages":[{"role":"user","content":"hi"}]})").status, 200u);
  EXPECT_TRUE(r.conversations().empty());
}

TEST(GatewayRecord, ARequestRefusedBeforeItsFirstWordLeavesNothing) {
  Recorded r({"--tokens", "8", "--tokens-per-sec", "0", "--models", "sim"});
  ASSERT_EQ(r.post("/api/chat", R"({"model":"nope","messages":[{"role":"user","content":"hi"}]})").status, 404u);
  ASSERT_EQ(r.post("/api/chat", R"({"model":"sim","messages":[]})").status, 200u);  // a model load
  EXPECT_TRUE(r.conversations().empty());
}

// A long answer reaches the disk while it streams (checkpoints, as the terminal's do); a client
// that leaves mid-stream leaves the text it had, marked interrupted.
TEST(GatewayRecord, AClientThatLeavesMidStreamLeavesThePartialAnswerMarkedInterrupted) {
  Recorded r({"--tokens", "200", "--tokens-per-sec", "20"});  // 10 s of answer
  HttpClient c(r.port());
  const std::string body = R"({"model":"sim","messages":[{"role":"user","content":"tell me everything"}]})";
  c.write_raw("POST /api/chat HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(kToken) +
              "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  char buf[512];
  c.socket().read_some(asio::buffer(buf));  // the headers and the first token are in
  std::optional<store::StoredMessage> streaming;
  ASSERT_TRUE(GatewayUnderTest::eventually([&] {
    const auto list = r.conversations();
    if (list.empty()) return false;
    const auto conv = r.conversation(list.front().id);
    if (conv.messages.size() != 2 || conv.messages[1].content.empty()) return false;
    streaming = conv.messages[1];
    return true;
  }, 5s));
  EXPECT_TRUE(streaming->streaming);  // a checkpoint, before the end

  c.close();
  ASSERT_TRUE(GatewayUnderTest::eventually([&] { return !r.only().messages.back().streaming; }, 5s));
  const auto conv = r.only();
  const auto& answer = conv.messages.back();
  EXPECT_TRUE(answer.meta.interrupted);
  EXPECT_FALSE(answer.meta.cancelled);
  EXPECT_GE(answer.content.size(), streaming->content.size());
  EXPECT_EQ(answer.content.compare(0, streaming->content.size(), streaming->content), 0);
  EXPECT_GT(answer.meta.elapsed_ms, 0u);
  EXPECT_EQ(r.g().conductor().router().status().front().in_flight, 0u);
}

// A history that cannot be written does not fail the API: the answer goes out whole, the writes
// wait in memory, and they are saved when there is room again.
TEST(GatewayRecord, AFullHistoryDoesNotFailTheRequest) {
  Recorded r;
  ASSERT_TRUE(r.run(r.store().opened()).available);
  r.run(r.store().set_page_limit(1));  // SQLite raises it to the current size: no room to grow
  const std::string big(200'000, 'x');
  const auto reply =
      r.post("/api/chat", R"({"model":"sim","stream":false,"messages":[{"role":"user","content":")" + big + R"("}]})");
  ASSERT_EQ(reply.status, 200u) << reply.body.substr(0, 200);
  EXPECT_TRUE(reply.json().at("done").as_bool());
  EXPECT_FALSE(r.run(r.store().flush()).has_value());
  EXPECT_EQ(r.store().health(), store::Health::Degraded);

  r.run(r.store().set_page_limit(0));
  ASSERT_TRUE(GatewayUnderTest::eventually([&] { return r.run(r.store().flush()).has_value(); }));
  const auto conv = r.only();
  ASSERT_EQ(conv.messages.size(), 2u);
  EXPECT_EQ(conv.messages[0].content, big);
}

TEST(GatewayRecord, HistoryListShowsWhereAConversationCameFrom) {
  Recorded r;
  ASSERT_EQ(r.post("/v1/chat/completions", R"({"model":"sim","messages":[{"role":"user","content":"hello from a script"}]})").status,
            200u);
  r.conversations();  // written
  const auto out = r.run(store::run_history(r.store(), store::HistoryCommand{}));
  ASSERT_EQ(out.exit_code, 0) << out.err;
  EXPECT_NE(out.out.find("hello from a script"), std::string::npos) << out.out;
  EXPECT_NE(out.out.find("from api:openai"), std::string::npos) << out.out;
}

// The official clients holding a two-turn conversation each: two stored conversations, one per
// API, each grown by its second turn, with the answers as the clients received them.
TEST(GatewayRecord, TheOfficialNpmClientsConversationsAreStoredOneEach) {
  const std::string npm_dir = npm_clients_dir();
  if (!on_path("node")) GTEST_SKIP() << "node is not installed (scripts/setup installs it)";
  ASSERT_TRUE(npm_clients_installed()) << "the npm clients are missing: run scripts/setup (npm ci in tests/npm)";
  const std::string model = "llama3.2:3b";
  Recorded r({"--tokens", "8", "--tokens-per-sec", "0", "--models", model});
  const auto run_node = run("node " + npm_dir + "/record.mjs " + r.g().gateway().base_url() + " " + kToken + " " + model);
  ASSERT_EQ(run_node.exit_code, 0) << run_node.output;
  const auto answers = boost::json::parse(last_line(run_node.output)).as_object();

  const auto list = r.conversations();
  ASSERT_EQ(list.size(), 2u);
  for (const auto& s : list) {
    const auto conv = r.conversation(s.id);
    const bool openai = s.surface == "api:openai";
    EXPECT_TRUE(openai || s.surface == "api:ollama") << s.surface;
    const auto& said = answers.at(openai ? "openai" : "ollama").as_array();
    std::vector<std::pair<Role, std::string>> expected;
    if (openai) expected.emplace_back(Role::System, "be brief");
    expected.emplace_back(Role::User, openai ? "hi from openai" : "hi from ollama");
    expected.emplace_back(Role::Assistant, std::string(said.at(0).as_string()));
    expected.emplace_back(Role::User, openai ? "and then?" : "more");
    expected.emplace_back(Role::Assistant, std::string(said.at(1).as_string()));
    EXPECT_EQ(roles_and_text(conv), expected) << s.surface;
    EXPECT_EQ(conv.messages.back().meta.model, model);
    EXPECT_EQ(conv.messages.back().meta.token_count, 8u);
  }
}

}  // namespace
}  // namespace yollayah::test
