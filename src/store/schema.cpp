#include "store/schema.hpp"

#include <string>

namespace yollayah::store::schema {

namespace {

// Version 1. Integer keys inside the file (compact indexes, FTS5 rowids); the UUIDs are what the
// rest of the program sees. Answers that are still streaming are kept out of the full-text index
// (a checkpoint a second would churn it) and enter it when they finish or are found interrupted.
constexpr const char* kV1 = R"sql(
PRAGMA application_id = 1498175816;  -- kApplicationId

CREATE TABLE conversations (
  cid           INTEGER PRIMARY KEY,
  id            TEXT NOT NULL UNIQUE,
  title         TEXT NOT NULL DEFAULT '',
  created_ms    INTEGER NOT NULL,
  updated_ms    INTEGER NOT NULL,
  model         TEXT NOT NULL DEFAULT '',
  system_prompt TEXT NOT NULL DEFAULT '',
  surface       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX conversations_by_update ON conversations(updated_ms);

CREATE TABLE messages (
  mid            INTEGER PRIMARY KEY,
  id             TEXT NOT NULL UNIQUE,
  conversation   INTEGER NOT NULL REFERENCES conversations(cid) ON DELETE CASCADE,
  parent         INTEGER REFERENCES messages(mid) ON DELETE CASCADE,
  role           TEXT NOT NULL,
  content        TEXT NOT NULL DEFAULT '',
  content_type   TEXT NOT NULL DEFAULT 'plain',
  created_ms     INTEGER NOT NULL,
  streaming      INTEGER NOT NULL DEFAULT 0,
  writer         TEXT,
  model          TEXT,
  backend        TEXT,
  first_token_ms INTEGER,
  load_ms        INTEGER,
  elapsed_ms     INTEGER,
  token_count    INTEGER,
  tokens_per_s   REAL,
  interrupted    INTEGER NOT NULL DEFAULT 0,
  cancelled      INTEGER NOT NULL DEFAULT 0,
  finished_ms    INTEGER
);
CREATE INDEX messages_by_conversation ON messages(conversation, parent);
CREATE INDEX messages_by_parent ON messages(parent);
CREATE INDEX messages_streaming ON messages(writer) WHERE streaming = 1;

CREATE TABLE agent_tasks (
  tid          INTEGER PRIMARY KEY,
  id           TEXT NOT NULL UNIQUE,
  conversation INTEGER NOT NULL REFERENCES conversations(cid) ON DELETE CASCADE,
  message      INTEGER REFERENCES messages(mid) ON DELETE SET NULL,
  agent        TEXT NOT NULL DEFAULT '',
  description  TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL DEFAULT '',
  output       TEXT NOT NULL DEFAULT '',
  created_ms   INTEGER NOT NULL,
  finished_ms  INTEGER
);
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
)sql";

constexpr Migration kMigrations[] = {
    {1, kV1},
};

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

int latest_version() { return kMigrations[std::size(kMigrations) - 1].version; }

sql::Error migrate(sql::Connection& db, std::span<const Migration> steps, int& found, int& reached) {
  sql::Error error;
  const auto version = db.query_int("PRAGMA user_version", error);
  if (!version) return error;
  found = reached = static_cast<int>(*version);
  for (const auto& step : steps) {
    if (step.version <= reached) continue;
    if (step.version != reached + 1) {
      return {SQLITE_ERROR, "no migration from schema version " + std::to_string(reached) + " to " +
                                std::to_string(reached + 1)};
    }
    if ((error = db.exec("BEGIN IMMEDIATE"))) return error;
    // Another process may have migrated the file since we looked (two starting at once).
    const auto now = db.query_int("PRAGMA user_version", error);
    if (!error && now && *now >= step.version) {
      db.exec("COMMIT");
      reached = static_cast<int>(*now);
      continue;
    }
    if (!error) error = db.exec(step.sql);
    if (!error) error = db.exec("PRAGMA user_version = " + std::to_string(step.version));
    if (!error) error = db.exec("COMMIT");
    if (error) {
      if (db.in_transaction()) db.exec("ROLLBACK");
      error.message = "migrating to schema version " + std::to_string(step.version) + ": " + error.message;
      return error;
    }
    reached = step.version;
  }
  return {};
}

}  // namespace yollayah::store::schema
