// The write side of Database: transactions and the operations the store queues.
#include "store/database.hpp"
#include "store/text.hpp"

#include <string>

namespace yollayah::store {

namespace {

sql::Error done_or_error(sql::Connection& db, int rc) {
  if (rc == SQLITE_DONE || rc == SQLITE_ROW) return {};
  return db.last_error();
}

}  // namespace

sql::Error Database::begin(bool durable) {
  const int level = durable ? 2 : 1;
  if (level != synchronous_) {
    if (auto e = db_->exec(durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")) return e;
    synchronous_ = level;
  }
  // IMMEDIATE takes the write lock now, waiting (busy_timeout) for another process's writer; a
  // deferred transaction would fail at its first write instead, and could not wait.
  return db_->exec("BEGIN IMMEDIATE");
}

sql::Error Database::commit() { return db_->exec("COMMIT"); }

void Database::rollback() {
  if (db_->in_transaction()) db_->exec("ROLLBACK");
}

sql::Error Database::create_conversation(const NewConversation& c) {
  sql::Error e;
  auto q = db_->cached(
      "INSERT INTO conversations (id, title, created_ms, updated_ms, model, system_prompt, surface) "
      "VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING",
      e);
  if (!q) return e;
  q->bind(1, c.id).bind(2, c.title).bind(3, c.created_ms).bind(4, c.model).bind(5, c.system_prompt).bind(6, c.surface);
  return done_or_error(*db_, q->step());
}

sql::Error Database::conversation_key(const ConversationId& id, std::optional<std::int64_t>& cid) {
  sql::Error e;
  auto q = db_->cached("SELECT cid FROM conversations WHERE id = ?1", e);
  if (!q) return e;
  q->bind(1, id);
  const int rc = q->step();
  cid.reset();
  if (rc == SQLITE_ROW) cid = q->int64(0);
  else if (rc != SQLITE_DONE) return db_->last_error();
  return {};
}

sql::Error Database::add_message(const NewMessage& m) {
  std::optional<std::int64_t> cid;
  if (auto err = conversation_key(m.conversation, cid)) return err;
  // Gone: another process deleted it (`yollayah history delete`) while a session here goes on in
  // it. What is said from now on is kept, in a conversation of the same id that begins here; what
  // was deleted stays deleted.
  const bool deleted = !cid;
  if (deleted) {
    if (auto err = create_conversation({.id = m.conversation, .model = m.model, .created_ms = m.created_ms})) return err;
    if (auto err = conversation_key(m.conversation, cid)) return err;
    if (!cid) return {SQLITE_CONSTRAINT, "message " + m.id + ": no conversation " + m.conversation};
  }
  return add_message_to(m, *cid, deleted);
}

sql::Error Database::add_message_to(const NewMessage& m, std::int64_t cid, bool conversation_was_deleted) {
  sql::Error e;
  std::optional<std::int64_t> parent;
  if (m.parent) {
    auto q = db_->cached("SELECT mid, conversation FROM messages WHERE id = ?1", e);
    if (!q) return e;
    q->bind(1, *m.parent);
    const int rc = q->step();
    if (rc == SQLITE_DONE && conversation_was_deleted) {
      // Its parent went with the conversation: this message begins what is kept.
    } else if (rc != SQLITE_ROW || q->int64(1) != cid) {
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_->last_error();
      return {SQLITE_CONSTRAINT, "message " + m.id + ": no parent " + *m.parent + " in conversation " + m.conversation};
    } else {
      parent = q->int64(0);
    }
  }
  {
    auto q = db_->cached(
        "INSERT INTO messages (id, conversation, parent, role, content, content_type, created_ms, streaming, writer, "
        "model) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (id) DO NOTHING",
        e);
    if (!q) return e;
    q->bind(1, m.id).bind(2, cid).bind(3, parent).bind(4, role_name(m.role)).bind(5, m.content);
    q->bind(6, content_type_name(m.content_type)).bind(7, m.created_ms).bind(8, m.streaming);
    if (m.streaming) q->bind(9, options_.writer);
    if (!m.model.empty()) q->bind(10, m.model);
    if (auto err = done_or_error(*db_, q->step())) return err;
    if (db_->changes() == 0) return {};  // replayed: already there
  }
  auto q = db_->cached(
      "UPDATE conversations SET updated_ms = max(updated_ms, ?2), "
      "title = CASE WHEN title = '' THEN ?3 ELSE title END WHERE cid = ?1",
      e);
  if (!q) return e;
  q->bind(1, cid).bind(2, m.created_ms).bind(3, m.role == Role::User ? title_from(m.content) : std::string());
  return done_or_error(*db_, q->step());
}

sql::Error Database::checkpoint(const MessageId& id, std::string_view text, bool append) {
  sql::Error e;
  auto q = db_->cached(append ? "UPDATE messages SET content = content || ?2 WHERE id = ?1 AND streaming = 1"
                              : "UPDATE messages SET content = ?2 WHERE id = ?1 AND streaming = 1",
                       e);
  if (!q) return e;
  q->bind(1, id).bind(2, text);
  return done_or_error(*db_, q->step());
}

sql::Error Database::finish_answer(const MessageId& id, std::string_view text, const AnswerMeta& meta,
                                   std::uint64_t now, bool append) {
  sql::Error e;
  {
    // Appended only while it streams: replaying a finish that already happened changes nothing.
    static const std::string rest =
        "streaming = 0, writer = NULL, model = CASE WHEN ?3 IS NULL THEN model ELSE ?3 END, backend = ?4, "
        "first_token_ms = ?5, load_ms = ?6, elapsed_ms = ?7, token_count = ?8, tokens_per_s = ?9, interrupted = ?10, "
        "cancelled = ?11, finished_ms = ?12 WHERE id = ?1";
    static const std::string appending =
        "UPDATE messages SET content = CASE WHEN streaming = 1 THEN content || ?2 ELSE content END, " + rest;
    static const std::string replacing = "UPDATE messages SET content = ?2, " + rest;
    auto q = db_->cached(append ? appending.c_str() : replacing.c_str(), e);
    if (!q) return e;
    q->bind(1, id).bind(2, text);
    if (!meta.model.empty()) q->bind(3, meta.model);
    if (!meta.backend.empty()) q->bind(4, meta.backend);
    q->bind(5, meta.first_token_ms).bind(6, meta.load_ms).bind(7, meta.elapsed_ms);
    q->bind(8, static_cast<std::int64_t>(meta.token_count)).bind(9, meta.tokens_per_s);
    q->bind(10, meta.interrupted || meta.cancelled).bind(11, meta.cancelled).bind(12, now);
    if (auto err = done_or_error(*db_, q->step())) return err;
    if (db_->changes() == 0) return {SQLITE_CONSTRAINT, "finish_answer: no message " + id};
  }
  auto q = db_->cached(
      "UPDATE conversations SET updated_ms = max(updated_ms, ?2) "
      "WHERE cid = (SELECT conversation FROM messages WHERE id = ?1)",
      e);
  if (!q) return e;
  q->bind(1, id).bind(2, now);
  return done_or_error(*db_, q->step());
}

sql::Error Database::set_title(const ConversationId& id, std::string_view title) {
  sql::Error e;
  auto q = db_->cached("UPDATE conversations SET title = ?2 WHERE id = ?1", e);
  if (!q) return e;
  q->bind(1, id).bind(2, title);
  return done_or_error(*db_, q->step());
}

sql::Error Database::record_task(const TaskRecord& t) {
  sql::Error e;
  auto q = db_->cached(
      "INSERT INTO agent_tasks (id, conversation, message, agent, description, status, output, created_ms, "
      "finished_ms) VALUES (?1, (SELECT cid FROM conversations WHERE id = ?2), "
      "(SELECT mid FROM messages WHERE id = ?3), ?4, ?5, ?6, ?7, ?8, ?9) "
      "ON CONFLICT (id) DO UPDATE SET description = excluded.description, status = excluded.status, "
      "output = excluded.output, finished_ms = excluded.finished_ms",
      e);
  if (!q) return e;
  q->bind(1, t.id).bind(2, t.conversation).bind(3, t.message).bind(4, t.agent).bind(5, t.description);
  q->bind(6, t.status).bind(7, t.output).bind(8, t.created_ms).bind(9, t.finished_ms);
  return done_or_error(*db_, q->step());
}

}  // namespace yollayah::store
