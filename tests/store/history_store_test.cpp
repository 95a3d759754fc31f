// HistoryStore as the Conductor will use it: writes queued in order, answers checkpointed and
// finished, branches, lists, search, export, delete, tasks; and the event loop never waits for it.
#include "core/stall_monitor.hpp"
#include "store/ids.hpp"
#include "store/markdown.hpp"
#include "store_support.hpp"
#include "support/stall_budget.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace yollayah::store::test {
namespace {

using namespace std::chrono_literals;

class StoreTest : public ::testing::Test {
 protected:
  std::string path() const { return dir_.file("history.db"); }
  HistoryStore& open(HistoryStore::Options o) {
    store_ = std::make_unique<HistoryStore>(std::move(o));
    auto report = run(io_, store_->opened());
    EXPECT_TRUE(report.available) << report.error;
    return *store_;
  }
  HistoryStore& open() { return open(options_for(path(), io_, &events_)); }
  // Opens the store with checkpoints every `interval`; returns an answer streaming in a new
  // conversation.
  MessageId streaming_answer(std::chrono::milliseconds interval) {
    auto o = options_for(path(), io_, nullptr);
    o.checkpoint_interval = interval;
    auto& store = open(o);
    const ConversationId c = store.create_conversation({});
    return store.add_message({.conversation = c, .role = Role::Assistant, .streaming = true});
  }
  void close() { store_.reset(); }

  MessageId user(const ConversationId& c, std::string text, std::optional<MessageId> parent = {}) {
    NewMessage m;
    m.conversation = c;
    m.parent = std::move(parent);
    m.content = std::move(text);
    return store_->add_message(m);
  }
  MessageId answer(const ConversationId& c, const MessageId& parent, std::string text) {
    NewMessage m;
    m.conversation = c;
    m.parent = parent;
    m.role = Role::Assistant;
    m.streaming = true;
    m.model = "llama3.2";
    const MessageId id = store_->add_message(m);
    AnswerMeta meta;
    meta.model = "llama3.2";
    meta.elapsed_ms = 4000;
    store_->finish_answer(id, std::move(text), meta);
    return id;
  }

  TempDir dir_;
  asio::io_context io_;
  std::vector<StoreEvent> events_;
  std::unique_ptr<HistoryStore> store_;  // after io_: goes first
};

TEST_F(StoreTest, ATurnIsStoredWithItsAnswersTiming) {
  auto& store = open();
  const ConversationId c =
      store.create_conversation({.model = "llama3.2", .system_prompt = "be kind", .surface = "tui"});
  const MessageId q = user(c, "Why is the sea salty?");
  NewMessage a;
  a.conversation = c;
  a.parent = q;
  a.role = Role::Assistant;
  a.streaming = true;
  a.content_type.kind = ContentType::Kind::Markdown;
  const MessageId id = store.add_message(a);
  store.checkpoint(id, "Rivers carry");
  AnswerMeta meta;
  meta.model = "llama3.2";
  meta.backend = "gpu-box";
  meta.first_token_ms = 1200;
  meta.load_ms = 800;
  meta.elapsed_ms = 4000;
  meta.token_count = 124;
  meta.tokens_per_s = 31.0;
  store.finish_answer(id, "Rivers carry minerals to the sea.", meta);

  auto loaded = run(io_, store.load_conversation(c));
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->summary.title, "Why is the sea salty?");
  EXPECT_EQ(loaded->summary.surface, "tui");
  EXPECT_EQ(loaded->system_prompt, "be kind");
  ASSERT_EQ(loaded->messages.size(), 2u);
  EXPECT_EQ(loaded->messages[0].id, q);
  EXPECT_EQ(loaded->messages[0].role, Role::User);
  const StoredMessage& m = loaded->messages[1];
  EXPECT_EQ(m.id, id);
  EXPECT_EQ(m.parent, q);
  EXPECT_EQ(m.content, "Rivers carry minerals to the sea.");
  EXPECT_EQ(m.content_type.kind, ContentType::Kind::Markdown);
  EXPECT_FALSE(m.streaming);
  EXPECT_EQ(m.meta, meta);
  EXPECT_EQ(meta_line(m), "llama3.2 on gpu-box · 1.2 s to first token · 31.0 tok/s · 4.0 s · 124 tokens");
}

TEST_F(StoreTest, MetadataConvertsToAndFromTheProtocol) {
  protocol::ResponseMetadata meta;
  meta.model_id = "m";
  meta.backend = "b";
  meta.first_token_ms = 5;
  meta.load_ms = 3;
  meta.elapsed_ms = 10;
  meta.token_count = 7;
  meta.tokens_per_second = 2.5f;
  meta.context_hint = "cancelled";
  const AnswerMeta stored = from_metadata(meta, false);
  EXPECT_TRUE(stored.cancelled);
  EXPECT_TRUE(stored.interrupted);
  EXPECT_EQ(to_metadata(stored), meta);
}

TEST_F(StoreTest, IdsAreUuidsNotPerProcessCounters) {
  auto& store = open();
  const ConversationId c = store.create_conversation({});
  const MessageId m = user(c, "hi");
  EXPECT_TRUE(looks_like_id(c)) << c;
  EXPECT_TRUE(looks_like_id(m)) << m;
  EXPECT_EQ(store.create_conversation({.id = "given-id"}), "given-id");
}

TEST_F(StoreTest, ListIsMostRecentFirstWithCountsAndFirstLines) {
  auto& store = open();
  const ConversationId older = store.create_conversation({.title = "Older", .model = "a", .created_ms = 1000});
  store.add_message({.conversation = older, .content = "first question\nmore", .created_ms = 1000});
  const ConversationId newer = store.create_conversation({.model = "b", .created_ms = 2000});
  const MessageId q = store.add_message({.conversation = newer, .content = "  second\tquestion", .created_ms = 2000});
  answer(newer, q, "an answer");  // finished now: newer is the most recently updated

  auto list = run(io_, store.list_conversations(10));
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, newer);
  EXPECT_EQ((*list)[0].message_count, 2u);
  EXPECT_EQ((*list)[0].first_line, "second question");
  EXPECT_EQ((*list)[0].title, "second question");  // from the first user message
  EXPECT_EQ((*list)[1].id, older);
  EXPECT_EQ((*list)[1].title, "Older");  // a given title stays
  EXPECT_EQ((*list)[1].first_line, "first question");

  auto page = run(io_, store.list_conversations(1, 1));
  ASSERT_TRUE(page);
  ASSERT_EQ(page->size(), 1u);
  EXPECT_EQ(page->front().id, older);

  auto last = run(io_, store.last_conversation());
  ASSERT_TRUE(last && *last);
  EXPECT_EQ((*last)->id, newer);
}

TEST_F(StoreTest, LastConversationIsNothingOnANewHistory) {
  auto& store = open();
  auto last = run(io_, store.last_conversation());
  ASSERT_TRUE(last);
  EXPECT_FALSE(*last);
}

TEST_F(StoreTest, SetTitleReplacesTheTitle) {
  auto& store = open();
  const ConversationId c = store.create_conversation({});
  user(c, "question");
  store.set_title(c, "Better title");
  auto loaded = run(io_, store.load_conversation(c));
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->summary.title, "Better title");
}

// user → answer A; /retry → answer B beside A; the default view is the newest branch.
TEST_F(StoreTest, ARetryIsABranchAndTheNewestBranchIsShown) {
  auto& store = open();
  const ConversationId c = store.create_conversation({});
  const MessageId q = user(c, "question");
  const MessageId a = answer(c, q, "first answer");
  const MessageId b = answer(c, q, "second answer");

  auto shown = run(io_, store.load_conversation(c));
  ASSERT_TRUE(shown);
  ASSERT_EQ(shown->messages.size(), 2u);
  EXPECT_EQ(shown->messages[1].id, b);
  EXPECT_EQ(shown->messages[1].sibling_index, 2u);
  EXPECT_EQ(shown->messages[1].sibling_count, 2u);
  EXPECT_EQ(shown->messages[1].prev_sibling, a);
  EXPECT_EQ(shown->messages[1].next_sibling, "");
  EXPECT_EQ(shown->messages[0].sibling_count, 1u);

  auto first = run(io_, store.load_conversation(c, a));
  ASSERT_TRUE(first);
  ASSERT_EQ(first->messages.size(), 2u);
  EXPECT_EQ(first->messages[1].content, "first answer");
  EXPECT_EQ(first->messages[1].sibling_index, 1u);
  EXPECT_EQ(first->messages[1].next_sibling, b);
  EXPECT_NE(meta_line(first->messages[1]).find("answer 1/2"), std::string::npos);
}

// Choosing an earlier answer shows what followed it, down to its newest reply.
TEST_F(StoreTest, ChoosingABranchShowsTheRestOfIt) {
  auto& store = open();
  const ConversationId c = store.create_conversation({});
  const MessageId q1 = user(c, "q1");
  const MessageId a1 = answer(c, q1, "a1");
  const MessageId q2 = user(c, "q2", a1);
  const MessageId a2 = answer(c, q2, "a2");
  const MessageId a1b = answer(c, q1, "a1 again");  // a retry of the first answer: newest

  auto newest = run(io_, store.load_conversation(c));
  ASSERT_TRUE(newest);
  ASSERT_EQ(newest->messages.size(), 2u);
  EXPECT_EQ(newest->messages[1].id, a1b);

  auto through_a1 = run(io_, store.load_conversation(c, a1));
  ASSERT_TRUE(through_a1);
  std::vector<MessageId> ids;
  for (const auto& m : through_a1->messages) ids.push_back(m.id);
  EXPECT_EQ(ids, (std::vector<MessageId>{q1, a1, q2, a2}));
  EXPECT_EQ(through_a1->summary.message_count, 5u);
}

// Editing the first question (↑, Enter) starts a new root: "version 2/2" of the question.
TEST_F(StoreTest, AnEditedFirstQuestionIsASecondRoot) {
  auto& store = open();
  const ConversationId c = store.create_conversation({});
  const MessageId q1 = user(c, "first try");
  answer(c, q1, "a");
  const MessageId q2 = user(c, "second try");
  auto shown = run(io_, store.load_conversation(c));
  ASSERT_TRUE(shown);
  ASSERT_EQ(shown->messages.size(), 1u);
  EXPECT_EQ(shown->messages[0].id, q2);
  EXPECT_EQ(shown->messages[0].sibling_index, 2u);
  EXPECT_EQ(shown->messages[0].prev_sibling, q1);
}

TEST_F(StoreTest, AMessageNamingAnUnknownParentIsSkippedNotFatal) {
  auto& store = open();
  const ConversationId c = store.create_conversation({});
  user(c, "orphan", std::string("no-such-message"));
  user(c, "fine");
  EXPECT_TRUE(run(io_, store.flush()));
  auto loaded = run(io_, store.load_conversation(c));
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->messages.size(), 1u);
  EXPECT_EQ(loaded->messages[0].content, "fine");
  EXPECT_EQ(store.health(), Health::Ok);
}

TEST_F(StoreTest, LoadingAnUnknownConversationIsNotFound) {
  auto& store = open();
  auto loaded = run(io_, store.load_conversation("nope"));
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().kind, StoreError::Kind::NotFound);
}

// A thousand checkpoints in a burst reach SQLite as one or two writes, the last text among them.
TEST_F(StoreTest, CheckpointsAreCoalescedToOneWritePerInterval) {
  auto o = options_for(path(), io_, nullptr);
  o.checkpoint_interval = 300ms;
  auto& store = open(o);
  const ConversationId c = store.create_conversation({});
  const MessageId q = user(c, "q");
  const MessageId a = store.add_message({.conversation = c, .parent = q, .role = Role::Assistant, .streaming = true});
  ASSERT_TRUE(run(io_, store.flush()));
  const auto start = std::chrono::steady_clock::now();
  std::string text;
  for (int i = 0; i < 1000; ++i) {
    text += "token" + std::to_string(i) + " ";
    store.checkpoint(a, text);
  }
  const auto spent = std::chrono::steady_clock::now() - start;
  Peek peek(path());
  const std::string select = "SELECT content FROM messages WHERE id = '" + a + "'";
  ASSERT_TRUE(run_until(io_, [&] { return peek.text(select) == text; }, 10s));
  // One write at once, then one when the interval has passed: more only if the burst itself took
  // longer than an interval.
  const auto intervals = static_cast<std::uint64_t>(spent / 300ms);
  EXPECT_LE(store.stats().checkpoint_writes, 2 + intervals);
  EXPECT_GE(store.stats().checkpoint_writes, 1u);
}

// With no finish and no flush, the text still reaches the disk: what kill -9 would find.
TEST_F(StoreTest, ACheckpointIsWrittenWithoutAFlush) {
  const MessageId a = streaming_answer(100ms);
  auto& store = *store_;
  store.checkpoint(a, "first");
  store.checkpoint(a, "first words");
  Peek peek(path());
  const std::string select = "SELECT content FROM messages WHERE id = '" + a + "' AND streaming = 1";
  EXPECT_TRUE(run_until(io_, [&] { return peek.text(select) == "first words"; }, 10s));
}

TEST_F(StoreTest, FinishingReplacesAPendingCheckpoint) {
  const MessageId a = streaming_answer(50ms);
  auto& store = *store_;
  store.checkpoint(a, "one");  // written at once
  store.checkpoint(a, "one two");  // waits for the interval
  store.finish_answer(a, "one two three", {});
  store.checkpoint(a, "late");  // after the finish: ignored
  asio::steady_timer t(io_);
  t.expires_after(200ms);
  run(io_, t.async_wait(asio::use_awaitable));
  ASSERT_TRUE(run(io_, store.flush()));
  Peek peek(path());
  EXPECT_EQ(peek.text("SELECT content FROM messages WHERE id = '" + a + "'"), "one two three");
  EXPECT_EQ(peek.integer("SELECT streaming FROM messages WHERE id = '" + a + "'"), 0);
}

// The journal's way: only the text that came since is handed over, and written after what the row
// holds; the finish adds the rest. The whole answer is searchable once it ends.
TEST_F(StoreTest, AppendedTextGoesAfterWhatTheRowHoldsAndTheFinishAddsTheRest) {
  const MessageId a = streaming_answer(50ms);
  auto& store = *store_;
  Peek peek(path());
  const std::string select = "SELECT content FROM messages WHERE id = '" + a + "' AND streaming = 1";
  store.append_text(a, "Rivers ");
  ASSERT_TRUE(run_until(io_, [&] { return peek.text(select) == "Rivers "; }, 10s));
  store.append_text(a, "carry ");
  store.append_text(a, "");
  store.append_text(a, "minerals");
  ASSERT_TRUE(run_until(io_, [&] { return peek.text(select) == "Rivers carry minerals"; }, 10s));
  store.append_text(a, " to");  // still waiting when the answer ends: goes before the rest
  AnswerMeta meta;
  meta.token_count = 5;
  store.finish_appended(a, " the sea.", meta);
  store.append_text(a, " late");  // after the finish: ignored
  ASSERT_TRUE(run(io_, store.flush()));
  EXPECT_EQ(peek.text("SELECT content FROM messages WHERE id = '" + a + "'"), "Rivers carry minerals to the sea.");
  EXPECT_EQ(peek.integer("SELECT streaming FROM messages WHERE id = '" + a + "'"), 0);
  EXPECT_EQ(peek.integer("SELECT token_count FROM messages WHERE id = '" + a + "'"), 5);
  auto hits = run(io_, store.search("minerals", 10));
  ASSERT_TRUE(hits) << hits.error().message;
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ(hits->front().message, a);
}

// A whole-text checkpoint and appended text mix: what is appended continues the last whole text.
TEST_F(StoreTest, TextAppendedAfterAWholeCheckpointContinuesIt) {
  auto& store = open();
  const ConversationId c = store.create_conversation({});
  const MessageId a = store.add_message({.conversation = c, .role = Role::Assistant, .streaming = true});
  const MessageId b = store.add_message({.conversation = c, .role = Role::Assistant, .streaming = true});
  ASSERT_TRUE(run(io_, store.flush()));
  store.checkpoint(a, "one");
  store.append_text(a, " two");
  store.append_text(b, "bee");
  ASSERT_TRUE(run(io_, store.flush()));  // written: "one two", "bee"
  store.append_text(a, " three");
  store.checkpoint(b, "a whole new text");
  store.finish_appended(a, " four", {});
  store.finish_appended(b, ", and more", {});
  ASSERT_TRUE(run(io_, store.flush()));
  Peek peek(path());
  EXPECT_EQ(peek.text("SELECT content FROM messages WHERE id = '" + a + "'"), "one two three four");
  EXPECT_EQ(peek.text("SELECT content FROM messages WHERE id = '" + b + "'"), "a whole new text, and more");
}

// Many short turns in a row (what the relay benchmark's 300 answers are): the writes queued within
// write_delay of each other share a transaction, and they reach the disk without a flush.
TEST_F(StoreTest, WritesQueuedTogetherShareATransactionAndNeedNoFlush) {
  auto o = options_for(path(), io_, nullptr);
  o.write_delay = 100ms;
  auto& store = open(o);
  const auto start = std::chrono::steady_clock::now();
  const ConversationId c = store.create_conversation({});
  std::optional<MessageId> tip;
  for (int i = 0; i < 50; ++i) {
    tip = user(c, "question " + std::to_string(i), tip);
    tip = answer(c, *tip, "answer " + std::to_string(i));
  }
  const auto spent = std::chrono::steady_clock::now() - start;
  Peek peek(path());
  ASSERT_TRUE(run_until(io_, [&] { return peek.integer("SELECT count(*) FROM messages WHERE streaming = 0") == 100; }, 10s));
  // One transaction per write_delay the burst took, and one more for what came at its end.
  const auto intervals = static_cast<std::uint64_t>(spent / 100ms);
  EXPECT_LE(store.stats().transactions, 2 + intervals);
  EXPECT_EQ(store.stats().operations, 151u);
  EXPECT_EQ(peek.text("SELECT content FROM messages WHERE id = '" + *tip + "'"), "answer 49");
}

TEST_F(StoreTest, EveryCommittedTransactionIsInTheWriteLatencyHistogram) {
  auto& store = open();
  const auto& h = store.write_latency();
  auto observed = [&] {
    std::uint64_t n = 0;
    for (std::size_t i = 0; i <= h.bounds(); ++i) n += h.count(i);
    return n;
  };
  const ConversationId c = store.create_conversation({});
  const MessageId q = user(c, "question");
  answer(c, q, "answer");
  ASSERT_TRUE(run(io_, store.flush()));
  ASSERT_GE(store.stats().transactions, 1u);
  EXPECT_EQ(observed(), store.stats().transactions);
  EXPECT_GT(h.sum_ns(), 0u);
}

TEST_F(StoreTest, AnAnswerStillStreamingAtCloseIsMarkedInterrupted) {
  MessageId a;
  {
    auto& store = open();
    const ConversationId c = store.create_conversation({});
    a = store.add_message({.conversation = c, .role = Role::Assistant, .streaming = true});
    store.checkpoint(a, "half an answer");
    close();
  }
  Peek peek(path());
  EXPECT_EQ(peek.text("SELECT content FROM messages WHERE id = '" + a + "'"), "half an answer");
  EXPECT_EQ(peek.integer("SELECT interrupted FROM messages WHERE id = '" + a + "'"), 1);
  EXPECT_EQ(peek.integer("SELECT streaming FROM messages WHERE id = '" + a + "'"), 0);
}

// An answer left streaming by a process that died is interrupted at the next start; one that a
// live store (another process, here another store) is writing is left alone.
TEST_F(StoreTest, OpeningRecoversOnlyAnswersWhoseWriterIsGone) {
  MessageId live;
  auto& first = open();
  const ConversationId c = first.create_conversation({});
  live = first.add_message({.conversation = c, .role = Role::Assistant, .streaming = true});
  first.checkpoint(live, "still coming");
  ASSERT_TRUE(run(io_, first.flush()));
  {
    Peek peek(path());
    peek.exec("INSERT INTO messages (id, conversation, role, content, created_ms, streaming, writer) "
              "VALUES ('dead-one', 1, 'assistant', 'cut short', 1, 1, '999999999:1:1')");
  }
  asio::io_context io2;
  HistoryStore second(options_for(path(), io2, nullptr));
  const OpenReport report = run(io2, second.opened());
  EXPECT_EQ(report.interrupted_recovered, 1u);
  Peek peek(path());
  EXPECT_EQ(peek.integer("SELECT interrupted FROM messages WHERE id = 'dead-one'"), 1);
  EXPECT_EQ(peek.integer("SELECT streaming FROM messages WHERE id = '" + live + "'"), 1);
  // The recovered answer is now searchable; the streaming one is not (yet).
  auto hits = run(io2, second.search("cut short", 10));
  ASSERT_TRUE(hits);
  EXPECT_EQ(hits->size(), 1u);
  auto none = run(io2, second.search("still coming", 10));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST_F(StoreTest, SearchFindsWordsNewestFirstWithHighlightedContext) {
  auto& store = open();
  const ConversationId c = store.create_conversation({.title = "Seas"});
  const MessageId q = user(c, "Why is the sea salty?");
  answer(c, q, "Rivers carry dissolved salts and minerals from rocks into the sea, where water evaporates.");
  const ConversationId d = store.create_conversation({.title = "Lakes"});
  user(d, "Is a salt lake like the sea?");

  auto hits = run(io_, store.search("sea salt*", 10));
  ASSERT_TRUE(hits) << hits.error().message;
  ASSERT_EQ(hits->size(), 3u);  // salt*: salty, salts, salt
  EXPECT_EQ((*hits)[0].conversation, d);  // newest first
  EXPECT_EQ((*hits)[0].title, "Lakes");
  const SearchHit& h = (*hits)[1];
  EXPECT_EQ(h.role, Role::Assistant);
  ASSERT_FALSE(h.highlights.empty());
  for (const auto& [b, e] : h.highlights) {
    const std::string word = h.snippet.substr(b, e - b);
    EXPECT_TRUE(word == "sea" || word == "salts") << word;
  }
  auto exact = run(io_, store.search("salt", 10));  // the word itself only
  ASSERT_TRUE(exact);
  EXPECT_EQ(exact->size(), 1u);
}

TEST_F(StoreTest, SearchTakesQueryCharactersLiterallyAndRefusesNothing) {
  auto& store = open();
  const ConversationId c = store.create_conversation({});
  user(c, "what does \"NEAR\" mean (in FTS)?");
  auto hits = run(io_, store.search("\"NEAR\" (in", 10));
  ASSERT_TRUE(hits) << hits.error().message;
  EXPECT_EQ(hits->size(), 1u);
  auto empty = run(io_, store.search(" ?! ", 10));
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().kind, StoreError::Kind::Invalid);
}

TEST_F(StoreTest, DeleteRemovesTheConversationItsMessagesAndTheirIndexEntries) {
  auto& store = open();
  const ConversationId c = store.create_conversation({});
  const MessageId q = user(c, "unicorn question");
  answer(c, q, "unicorn answer");
  store.record_task({.id = "task-1", .conversation = c, .message = q, .agent = "researcher"});
  const ConversationId keep = store.create_conversation({});
  user(keep, "unicorn elsewhere");

  auto deleted = run(io_, store.delete_conversation(c));
  ASSERT_TRUE(deleted);
  EXPECT_TRUE(*deleted);
  auto again = run(io_, store.delete_conversation(c));
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  auto hits = run(io_, store.search("unicorn", 10));
  ASSERT_TRUE(hits);
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ(hits->front().conversation, keep);
  Peek peek(path());
  EXPECT_EQ(peek.integer("SELECT count(*) FROM messages"), 1);
  EXPECT_EQ(peek.integer("SELECT count(*) FROM agent_tasks"), 0);
  EXPECT_EQ(sqlite3_cli(path(), "INSERT INTO messages_fts(messages_fts) VALUES('integrity-check');"), "");
}

TEST_F(StoreTest, ExportIsMarkdownWithEachAnswersMetaLine) {
  auto& store = open();
  const ConversationId c = store.create_conversation({.model = "llama3.2", .surface = "tui"});
  const MessageId q = user(c, "Why is the sea salty?");
  answer(c, q, "Because of **rivers**.");
  auto md = run(io_, store.export_markdown(c));
  ASSERT_TRUE(md) << md.error().message;
  EXPECT_EQ(md->rfind("# Why is the sea salty?\n", 0), 0u) << *md;
  EXPECT_NE(md->find("### You · "), std::string::npos);
  EXPECT_NE(md->find("### Yollayah · "), std::string::npos);
  EXPECT_NE(md->find("Because of **rivers**.\n"), std::string::npos);
  EXPECT_NE(md->find("\n*llama3.2 · 4.0 s*\n"), std::string::npos) << *md;
  EXPECT_NE(md->find("conversation " + c), std::string::npos);
}

TEST_F(StoreTest, TasksAreRecordedAndUpdated) {
  auto& store = open();
  const ConversationId c = store.create_conversation({});
  const MessageId q = user(c, "research this");
  store.record_task({.id = "t1", .conversation = c, .message = q, .agent = "researcher", .description = "look",
                     .status = "running"});
  store.record_task({.id = "t1", .conversation = c, .message = q, .agent = "researcher", .description = "look",
                     .status = "done", .output = "found it", .finished_ms = 42});
  auto tasks = run(io_, store.tasks(c));
  ASSERT_TRUE(tasks);
  ASSERT_EQ(tasks->size(), 1u);
  EXPECT_EQ(tasks->front().status, "done");
  EXPECT_EQ(tasks->front().output, "found it");
  EXPECT_EQ(tasks->front().message, q);
  EXPECT_EQ(tasks->front().finished_ms, 42u);
}

TEST_F(StoreTest, FindConversationsMatchesIdPrefixes) {
  auto& store = open();
  const ConversationId a = store.create_conversation({.id = "abcd-1"});
  store.create_conversation({.id = "abcd-2"});
  store.create_conversation({.id = "abce-3"});
  auto two = run(io_, store.find_conversations("ABCD"));
  ASSERT_TRUE(two);
  EXPECT_EQ(two->size(), 2u);
  auto one = run(io_, store.find_conversations("abcd-1"));
  ASSERT_TRUE(one);
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(one->front(), a);
}

// The store's work happens on its own thread: while SQLite spends a long time on one transaction
// (ten thousand messages) and on searches, the caller's loop, kept busy by a ticker, is
// never late by more than the stall budget.
TEST_F(StoreTest, TheCallersLoopNeverWaitsForSqlite) {
  core::StallMonitor monitor(io_.get_executor(), "store-caller", {.interval = std::chrono::microseconds(1000)});
  auto& store = open();
  bool done = false;
  auto ticker = [&]() -> asio::awaitable<void> {
    asio::steady_timer t(co_await asio::this_coro::executor);
    while (!done) {
      monitor.note_activity();
      t.expires_after(2ms);
      co_await t.async_wait(asio::use_awaitable);
    }
  };
  auto work = [&]() -> asio::awaitable<void> {
    asio::steady_timer yield(co_await asio::this_coro::executor);
    const ConversationId c = store.create_conversation({});
    std::optional<MessageId> tip;
    for (int chunk = 0; chunk < 10; ++chunk) {
      for (int i = 0; i < 1000; ++i)
        tip = store.add_message({.conversation = c, .parent = tip, .content = "message number " + std::to_string(i)});
      yield.expires_after(0ms);  // queueing is cheap, but 10,000 at once would be a stall of our own
      co_await yield.async_wait(asio::use_awaitable);
    }
    auto flushed = co_await store.flush();
    EXPECT_TRUE(flushed);
    for (int i = 0; i < 3; ++i) {
      auto hits = co_await store.search("number", 50);
      EXPECT_TRUE(hits);
      auto loaded = co_await store.load_conversation(c);
      EXPECT_TRUE(loaded && loaded->messages.size() == 10000);
    }
    done = true;
  };
  asio::co_spawn(io_, ticker(), asio::detached);
  run(io_, work());
  yollayah::test::expect_stall_budget(monitor);
  // SQLite did hold its thread for longer than the budget at a time: had it run on the loop, the
  // loop would have stalled.
  EXPECT_GT(std::chrono::microseconds(store.stats().max_write_us), yollayah::test::kStallBudget)
      << "the test wrote too little to prove anything";
}

}  // namespace
}  // namespace yollayah::store::test
