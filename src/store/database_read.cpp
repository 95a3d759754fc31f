// The read side of Database: lists, the branch of a conversation being shown, search, delete.
#include "store/database.hpp"
#include "store/text.hpp"

#include <algorithm>
#include <unordered_map>

namespace yollayah::store {

namespace {

// One consistent snapshot for a read made of several queries (WAL: it never waits for a writer).
class ReadTransaction {
 public:
  explicit ReadTransaction(sql::Connection& db) : db_(db) { error_ = db_.exec("BEGIN"); }
  ~ReadTransaction() {
    if (!error_) db_.exec("COMMIT");
  }
  const sql::Error& error() const { return error_; }

 private:
  sql::Connection& db_;
  sql::Error error_;
};

struct Node {
  std::int64_t mid = 0;
  std::int64_t parent = 0;  // 0: a root
};

ConversationSummary summary_from(const sql::Statement& q) {
  ConversationSummary s;
  s.id = q.text(0);
  s.title = q.text(1);
  s.created_ms = q.uint64(2);
  s.updated_ms = q.uint64(3);
  s.model = q.text(4);
  s.surface = q.text(5);
  s.message_count = q.uint64(6);
  s.first_line = first_line(q.text_view(7), 120);
  return s;
}

template <class T>
std::optional<T> optional_column(const sql::Statement& q, int column, T value) {
  if (q.is_null(column)) return std::nullopt;
  return value;
}

}  // namespace

StoreError Database::failure(const sql::Error& e, std::string_view doing) const {
  return StoreError{StoreError::Kind::Failed, "history: " + std::string(doing) + " in " + path_ + ": " + e.message};
}

Result<std::vector<ConversationSummary>> Database::summaries(const char* sql, std::int64_t limit, std::int64_t offset) {
  sql::Error e;
  auto q = db_->cached(sql, e);
  if (!q) return failure(e, "listing conversations");
  q->bind(1, limit).bind(2, offset);
  std::vector<ConversationSummary> out;
  int rc;
  while ((rc = q->step()) == SQLITE_ROW) out.push_back(summary_from(*q));
  if (rc != SQLITE_DONE) return failure(db_->last_error(), "listing conversations");
  return out;
}

Result<std::vector<ConversationSummary>> Database::list_conversations(std::size_t limit, std::size_t offset) {
  // Counts and first lines come from the index on (conversation, parent): a page of 50 costs 50
  // short index walks, not a scan.
  return summaries(
      "SELECT c.id, c.title, c.created_ms, c.updated_ms, c.model, c.surface, "
      "(SELECT count(*) FROM messages m WHERE m.conversation = c.cid), "
      "(SELECT substr(m.content, 1, 400) FROM messages m WHERE m.conversation = c.cid AND m.role = 'user' "
      "ORDER BY m.mid LIMIT 1) "
      "FROM conversations c ORDER BY c.updated_ms DESC, c.cid DESC LIMIT ?1 OFFSET ?2",
      static_cast<std::int64_t>(limit), static_cast<std::int64_t>(offset));
}

Result<std::optional<ConversationSummary>> Database::last_conversation() {
  auto list = list_conversations(1, 0);
  if (!list) return list.error();
  if (list->empty()) return std::optional<ConversationSummary>();
  return std::optional<ConversationSummary>(std::move(list->front()));
}

// The branch shown: from the root to `tip` (by default the newest message), then on from the tip
// through the newest reply at each step, so choosing an earlier answer shows what followed it.
Result<Conversation> Database::load_conversation(const ConversationId& id, const std::optional<MessageId>& tip) {
  ReadTransaction txn(*db_);
  if (txn.error()) return failure(txn.error(), "reading a conversation");
  sql::Error e;
  Conversation out;
  std::int64_t cid = 0;
  {
    auto q = db_->cached(
        "SELECT cid, id, title, created_ms, updated_ms, model, surface, system_prompt FROM conversations WHERE id = ?1",
        e);
    if (!q) return failure(e, "reading a conversation");
    q->bind(1, id);
    const int rc = q->step();
    if (rc == SQLITE_DONE) return StoreError{StoreError::Kind::NotFound, "history: no conversation " + id};
    if (rc != SQLITE_ROW) return failure(db_->last_error(), "reading a conversation");
    cid = q->int64(0);
    auto& s = out.summary;
    s.id = q->text(1);
    s.title = q->text(2);
    s.created_ms = q->uint64(3);
    s.updated_ms = q->uint64(4);
    s.model = q->text(5);
    s.surface = q->text(6);
    out.system_prompt = q->text(7);
  }

  // The shape of the tree: ids only, from the covering index (conversation, parent).
  std::vector<Node> nodes;
  std::unordered_map<std::int64_t, std::vector<std::int64_t>> children;  // parent (0: roots) → in order
  std::unordered_map<std::int64_t, std::int64_t> parent_of;
  {
    auto q = db_->cached("SELECT mid, parent FROM messages WHERE conversation = ?1 ORDER BY mid", e);
    if (!q) return failure(e, "reading a conversation");
    q->bind(1, cid);
    int rc;
    while ((rc = q->step()) == SQLITE_ROW) {
      Node n{q->int64(0), q->is_null(1) ? 0 : q->int64(1)};
      nodes.push_back(n);
      children[n.parent].push_back(n.mid);
      parent_of[n.mid] = n.parent;
    }
    if (rc != SQLITE_DONE) return failure(db_->last_error(), "reading a conversation");
  }
  out.summary.message_count = nodes.size();
  if (nodes.empty()) return out;

  std::int64_t at = nodes.back().mid;
  if (tip) {
    auto q = db_->cached("SELECT mid FROM messages WHERE id = ?1 AND conversation = ?2", e);
    if (!q) return failure(e, "reading a conversation");
    q->bind(1, *tip).bind(2, cid);
    if (q->step() != SQLITE_ROW)
      return StoreError{StoreError::Kind::NotFound, "history: no message " + *tip + " in conversation " + id};
    at = q->int64(0);
  }
  std::vector<std::int64_t> path;
  for (std::int64_t m = at; m != 0; m = parent_of[m]) path.push_back(m);
  std::reverse(path.begin(), path.end());
  for (auto it = children.find(at); it != children.end() && !it->second.empty(); it = children.find(path.back()))
    path.push_back(it->second.back());

  auto row = db_->cached(
      "SELECT id, role, content, content_type, created_ms, streaming, model, backend, first_token_ms, load_ms, "
      "elapsed_ms, token_count, tokens_per_s, interrupted, cancelled FROM messages WHERE mid = ?1",
      e);
  if (!row) return failure(e, "reading a conversation");
  auto id_of = [&](std::int64_t mid) -> std::string {
    sql::Error ignored;
    auto q = db_->cached("SELECT id FROM messages WHERE mid = ?1", ignored);
    if (!q) return {};
    q->bind(1, mid);
    return q->step() == SQLITE_ROW ? q->text(0) : std::string();
  };
  out.messages.reserve(path.size());
  for (const std::int64_t mid : path) {
    row->reset();
    row->bind(1, mid);
    if (row->step() != SQLITE_ROW) return failure(db_->last_error(), "reading a message");
    StoredMessage m;
    const auto& r = *row;
    m.id = r.text(0);
    m.role = role_from_name(r.text_view(1)).value_or(Role::System);
    m.content = r.text(2);
    m.content_type = content_type_from_name(r.text_view(3));
    m.created_ms = r.uint64(4);
    m.streaming = r.int64(5) != 0;
    m.meta.model = r.text(6);
    m.meta.backend = r.text(7);
    m.meta.first_token_ms = optional_column(r, 8, r.uint64(8));
    m.meta.load_ms = optional_column(r, 9, r.uint64(9));
    m.meta.elapsed_ms = r.uint64(10);
    m.meta.token_count = static_cast<std::uint32_t>(r.int64(11));
    m.meta.tokens_per_s = optional_column(r, 12, r.real(12));
    m.meta.interrupted = r.int64(13) != 0;
    m.meta.cancelled = r.int64(14) != 0;
    if (!out.messages.empty()) m.parent = out.messages.back().id;

    const auto& siblings = children[parent_of[mid]];
    const auto pos = static_cast<std::size_t>(std::find(siblings.begin(), siblings.end(), mid) - siblings.begin());
    m.sibling_index = static_cast<std::uint32_t>(pos + 1);
    m.sibling_count = static_cast<std::uint32_t>(siblings.size());
    if (pos > 0) m.prev_sibling = id_of(siblings[pos - 1]);
    if (pos + 1 < siblings.size()) m.next_sibling = id_of(siblings[pos + 1]);
    out.messages.push_back(std::move(m));
  }
  for (const auto& m : out.messages) {
    if (m.role == Role::User) {
      out.summary.first_line = first_line(m.content, 120);
      break;
    }
  }
  return out;
}

// Newest first: FTS5 walks its index in descending rowid order and stops at the limit, so a word
// found in a hundred thousand messages costs no more than a rare one.
Result<std::vector<SearchHit>> Database::search(std::string_view text, std::size_t limit) {
  const auto query = fts_query(text);
  if (!query) return StoreError{StoreError::Kind::Invalid, "history: nothing to search for in '" + std::string(text) + "'"};
  ReadTransaction txn(*db_);
  if (txn.error()) return failure(txn.error(), "searching");
  sql::Error e;
  auto q = db_->cached(
      "SELECT m.id, m.role, m.created_ms, c.id, c.title, snippet(messages_fts, 0, char(2), char(3), '…', 16) "
      "FROM messages_fts JOIN messages m ON m.mid = messages_fts.rowid JOIN conversations c ON c.cid = m.conversation "
      "WHERE messages_fts MATCH ?1 ORDER BY messages_fts.rowid DESC LIMIT ?2",
      e);
  if (!q) return failure(e, "searching");
  q->bind(1, *query).bind(2, static_cast<std::int64_t>(limit));
  std::vector<SearchHit> out;
  int rc;
  while ((rc = q->step()) == SQLITE_ROW) {
    SearchHit hit;
    hit.message = q->text(0);
    hit.role = role_from_name(q->text_view(1)).value_or(Role::System);
    hit.created_ms = q->uint64(2);
    hit.conversation = q->text(3);
    hit.title = q->text(4);
    split_highlights(q->text_view(5), hit);
    out.push_back(std::move(hit));
  }
  if (rc != SQLITE_DONE) return failure(db_->last_error(), "searching");
  return out;
}

Result<std::vector<ConversationId>> Database::find_conversations(std::string_view prefix, std::size_t limit) {
  std::string low;
  for (const char c : prefix) low.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  std::string high = low;
  high.push_back('\x7f');  // ids are ASCII: every id starting with `low` sorts below this
  sql::Error e;
  auto q = db_->cached("SELECT id FROM conversations WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT ?3", e);
  if (!q) return failure(e, "finding a conversation");
  q->bind(1, low).bind(2, high).bind(3, static_cast<std::int64_t>(limit));
  std::vector<ConversationId> out;
  int rc;
  while ((rc = q->step()) == SQLITE_ROW) out.push_back(q->text(0));
  if (rc != SQLITE_DONE) return failure(db_->last_error(), "finding a conversation");
  return out;
}

Result<std::vector<TaskRecord>> Database::tasks(const ConversationId& id) {
  sql::Error e;
  auto q = db_->cached(
      "SELECT t.id, c.id, m.id, t.agent, t.description, t.status, t.output, t.created_ms, t.finished_ms "
      "FROM agent_tasks t JOIN conversations c ON c.cid = t.conversation LEFT JOIN messages m ON m.mid = t.message "
      "WHERE c.id = ?1 ORDER BY t.tid",
      e);
  if (!q) return failure(e, "reading tasks");
  q->bind(1, id);
  std::vector<TaskRecord> out;
  int rc;
  while ((rc = q->step()) == SQLITE_ROW) {
    TaskRecord t;
    t.id = q->text(0);
    t.conversation = q->text(1);
    if (!q->is_null(2)) t.message = q->text(2);
    t.agent = q->text(3);
    t.description = q->text(4);
    t.status = q->text(5);
    t.output = q->text(6);
    t.created_ms = q->uint64(7);
    t.finished_ms = optional_column(*q, 8, q->uint64(8));
    out.push_back(std::move(t));
  }
  if (rc != SQLITE_DONE) return failure(db_->last_error(), "reading tasks");
  return out;
}

// Durable: a deletion that a power cut took back would bring back what the user chose to remove.
Result<bool> Database::delete_conversation(const ConversationId& id) {
  if (auto e = begin(true)) return failure(e, "deleting a conversation");
  sql::Error e;
  auto q = db_->cached("DELETE FROM conversations WHERE id = ?1", e);
  if (!q) {
    rollback();
    return failure(e, "deleting a conversation");
  }
  q->bind(1, id);
  if (q->step() != SQLITE_DONE) {
    const auto err = db_->last_error();
    rollback();
    return failure(err, "deleting a conversation");
  }
  const bool deleted = db_->changes() > 0;
  if (auto err = commit()) {
    rollback();
    return failure(err, "deleting a conversation");
  }
  return deleted;
}

}  // namespace yollayah::store
