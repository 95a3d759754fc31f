// Schema versions: every earlier version's file opens and is migrated to the latest, with its data.
// The fixtures below are frozen copies of each version's schema as it shipped: never edit one; when
// version N+1 arrives, add kSchemaV{N+1} and its rows, and every older fixture must still migrate.
#include "store/schema.hpp"
#include "store_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

namespace yollayah::store::test {
namespace {

// Version 0: no file, or an empty one.
constexpr const char* kSchemaV0 = "";

// Version 1, as shipped (issue 11).
constexpr const char* kSchemaV1 = R"sql(
PRAGMA application_id = 1498175816;
CREATE TABLE conversations (
  cid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, title TEXT NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL, model TEXT NOT NULL DEFAULT '',
  system_prompt TEXT NOT NULL DEFAULT '', surface TEXT NOT NULL DEFAULT '');
CREATE INDEX conversations_by_update ON conversations(updated_ms);
CREATE TABLE messages (
  mid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
  conversation INTEGER NOT NULL REFERENCES conversations(cid) ON DELETE CASCADE,
  parent INTEGER REFERENCES messages(mid) ON DELETE CASCADE,
  role TEXT NOT NULL, content TEXT NOT NULL DEFAULT '', content_type TEXT NOT NULL DEFAULT 'plain',
  created_ms INTEGER NOT NULL, streaming INTEGER NOT NULL DEFAULT 0, writer TEXT,
  model TEXT, backend TEXT, first_token_ms INTEGER, load_ms INTEGER, elapsed_ms INTEGER,
  token_count INTEGER, tokens_per_s REAL, interrupted INTEGER NOT NULL DEFAULT 0,
  cancelled INTEGER NOT NULL DEFAULT 0, finished_ms INTEGER);
CREATE INDEX messages_by_conversation ON messages(conversation, parent);
CREATE INDEX messages_by_parent ON messages(parent);
CREATE INDEX messages_streaming ON messages(writer) WHERE streaming = 1;
CREATE TABLE agent_tasks (
  tid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
  conversation INTEGER NOT NULL REFERENCES conversations(cid) ON DELETE CASCADE,
  message INTEGER REFERENCES messages(mid) ON DELETE SET NULL,
  agent TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT '',
  output TEXT NOT NULL DEFAULT '', created_ms INTEGER NOT NULL, finished_ms INTEGER);
CREATE INDEX agent_tasks_by_conversation ON agent_tasks(conversation);
CREATE INDEX agent_tasks_by_message ON agent_tasks(message);
CREATE VIRTUAL TABLE messages_fts USING fts5(
  content, content = 'messages', content_rowid = 'mid', tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.streaming = 0 BEGIN
  INSERT INTO messages_fts(rowid, content) VALUES (new.mid, new.content);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.streaming = 0 BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.mid, old.content);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, streaming ON messages
  WHEN old.streaming = 0 OR new.streaming = 0 BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, content)
    SELECT 'delete', old.mid, old.content WHERE old.streaming = 0;
  INSERT INTO messages_fts(rowid, content) SELECT new.mid, new.content WHERE new.streaming = 0;
END;
INSERT INTO conversations VALUES (1, '01900000-0000-7000-8000-000000000001', 'Salt', 1700000000000,
  1700000001000, 'llama3.2', 'be kind', 'tui');
INSERT INTO messages (mid, id, conversation, parent, role, content, created_ms) VALUES
  (1, '01900000-0000-7000-8000-0000000000a1', 1, NULL, 'user', 'why is the sea salty?', 1700000000000);
INSERT INTO messages (mid, id, conversation, parent, role, content, created_ms, model, elapsed_ms,
  token_count, tokens_per_s) VALUES
  (2, '01900000-0000-7000-8000-0000000000a2', 1, 1, 'assistant', 'rivers carry minerals', 1700000001000,
   'llama3.2', 900, 12, 13.5);
PRAGMA user_version = 1;
)sql";

// Every version's fixture; each holds the Salt conversation from version 1 on.
const std::map<int, const char*> kFixtures = {{0, kSchemaV0}, {1, kSchemaV1}};

void make_fixture(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

TEST(StoreSchema, FixturesCoverEveryVersionUpToTheLatest) {
  for (int v = 0; v <= schema::latest_version(); ++v) EXPECT_TRUE(kFixtures.count(v)) << "no fixture for version " << v;
}

TEST(StoreSchema, EveryEarlierVersionMigratesToTheLatestAndKeepsItsData) {
  for (const auto& [version, sql] : kFixtures) {
    SCOPED_TRACE("from version " + std::to_string(version));
    TempDir dir;
    const std::string path = dir.file("history.db");
    make_fixture(path, sql);
    asio::io_context io;
    HistoryStore store(options_for(path, io, nullptr));
    const OpenReport report = run(io, store.opened());
    ASSERT_TRUE(report.available) << report.error;
    EXPECT_EQ(report.schema_before, version);
    EXPECT_EQ(report.schema_after, schema::latest_version());
    EXPECT_TRUE(report.events.empty());
    auto list = run(io, store.list_conversations(10));
    ASSERT_TRUE(list);
    if (version >= 1) {
      ASSERT_EQ(list->size(), 1u);
      auto c = run(io, store.load_conversation(list->front().id));
      ASSERT_TRUE(c);
      ASSERT_EQ(c->messages.size(), 2u);
      EXPECT_EQ(c->messages[1].content, "rivers carry minerals");
      EXPECT_EQ(c->messages[1].meta.token_count, 12u);
      auto hits = run(io, store.search("minerals", 5));
      ASSERT_TRUE(hits);
      EXPECT_EQ(hits->size(), 1u);
    } else {
      EXPECT_TRUE(list->empty());
    }
    // And it takes new writes.
    const auto id = store.create_conversation({.title = "new"});
    store.add_message({.conversation = id, .content = "hello"});
    EXPECT_TRUE(run(io, store.flush()));
  }
}

TEST(StoreSchema, ANewFileIsVersionLatestWithOurApplicationId) {
  TempDir dir;
  const std::string path = dir.file("sub/dir/history.db");
  {
    asio::io_context io;
    HistoryStore store(options_for(path, io, nullptr));
    const OpenReport report = run(io, store.opened());
    EXPECT_TRUE(report.created);
    EXPECT_EQ(report.schema_before, 0);
  }
  EXPECT_EQ(sqlite3_cli(path, "PRAGMA user_version;"), std::to_string(schema::latest_version()) + "\n");
  EXPECT_EQ(sqlite3_cli(path, "PRAGMA application_id;"), std::to_string(schema::kApplicationId) + "\n");
  EXPECT_EQ(sqlite3_cli(path, "PRAGMA journal_mode;"), "wal\n");
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST(StoreSchema, AFailingMigrationRollsBackItsStepAndKeepsTheVersionReached) {
  TempDir dir;
  sql::Error error;
  auto db = sql::Connection::open(dir.file("m.db"), true, error);
  ASSERT_TRUE(db) << error.message;
  const schema::Migration steps[] = {
      {1, "CREATE TABLE a (x INTEGER);"},
      {2, "CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);"},
  };
  int found = -1, reached = -1;
  error = schema::migrate(*db, steps, found, reached);
  EXPECT_TRUE(error);
  EXPECT_NE(error.message.find("schema version 2"), std::string::npos) << error.message;
  EXPECT_EQ(found, 0);
  EXPECT_EQ(reached, 1);
  EXPECT_EQ(*db->query_int("PRAGMA user_version", error), 1);
  EXPECT_EQ(*db->query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'b'", error), 0);
  EXPECT_EQ(*db->query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'a'", error), 1);
}

TEST(StoreSchema, AGapInTheMigrationsIsAnError) {
  TempDir dir;
  sql::Error error;
  auto db = sql::Connection::open(dir.file("m.db"), true, error);
  const schema::Migration steps[] = {{1, "CREATE TABLE a (x);"}, {3, "CREATE TABLE c (x);"}};
  int found = 0, reached = 0;
  error = schema::migrate(*db, steps, found, reached);
  EXPECT_TRUE(error);
  EXPECT_EQ(reached, 1);
  EXPECT_NE(error.message.find("from schema version 1 to 2"), std::string::npos) << error.message;
}

TEST(StoreSchema, ShippedMigrationsAreNumberedFromOneWithoutGaps) {
  int expected = 1;
  for (const auto& m : schema::migrations()) EXPECT_EQ(m.version, expected++);
  EXPECT_EQ(schema::latest_version(), expected - 1);
}

}  // namespace
}  // namespace yollayah::store::test
