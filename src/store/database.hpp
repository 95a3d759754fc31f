// One connection to the history database, used only on the store's thread (HistoryStore): opening
// it safely (move aside what is not a usable history, migrate, recover answers a crash cut short),
// the write operations, and the reads. Every call here may block on the disk.
#pragma once

#include "store/records.hpp"
#include "store/sqlite.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace yollayah::store {

class Database {
 public:
  struct Options {
    std::string path;
    std::chrono::milliseconds busy_timeout{5000};  // another process holding the write lock
    std::uint32_t page_limit = 0;                  // PRAGMA max_page_count; 0: none
    std::string writer;                            // this store: writer_tag()
  };

  // Opens the file, creating it and its directory. A file that is not a usable history (not SQLite,
  // damaged, another program's database, a newer schema) is moved aside, never deleted, and a new
  // one started; `report` says what happened, in words for the user. Null when no database can be
  // used at all (a read-only directory, a full disk): report.error says why.
  static std::unique_ptr<Database> open(const Options& options, OpenReport& report);

  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::string& path() const { return path_; }
  bool read_only() const;

  // The store groups the writes queued together in one transaction. `durable` commits with
  // synchronous=FULL (a power cut cannot take it back); otherwise NORMAL (a crash of the process
  // cannot, a power cut may take back the last commits; never corrupts).
  sql::Error begin(bool durable);
  sql::Error commit();
  void rollback();

  // Write operations, inside begin()/commit(). Replaying one that already happened changes nothing.
  sql::Error create_conversation(const NewConversation& c);
  sql::Error add_message(const NewMessage& m);
  // `append`: `text` goes after what the row holds (the text that came since the last checkpoint);
  // otherwise it replaces it.
  sql::Error checkpoint(const MessageId& id, std::string_view text, bool append = false);
  sql::Error finish_answer(const MessageId& id, std::string_view text, const AnswerMeta& meta,
                           std::uint64_t finished_ms, bool append = false);
  sql::Error set_title(const ConversationId& id, std::string_view title);
  sql::Error record_task(const TaskRecord& task);

  // Its own transaction: this store's answers still streaming become interrupted (at close).
  sql::Error interrupt_own_answers();
  sql::Error set_page_limit(std::uint32_t pages);

  // Reads, each one consistent snapshot; delete, its own durable transaction.
  Result<std::vector<ConversationSummary>> list_conversations(std::size_t limit, std::size_t offset);
  Result<std::optional<ConversationSummary>> last_conversation();
  Result<Conversation> load_conversation(const ConversationId& id, const std::optional<MessageId>& tip);
  Result<std::vector<SearchHit>> search(std::string_view text, std::size_t limit);
  Result<std::vector<ConversationId>> find_conversations(std::string_view id_prefix, std::size_t limit);
  Result<std::vector<TaskRecord>> tasks(const ConversationId& id);
  Result<bool> delete_conversation(const ConversationId& id);

 private:
  // The conversation's key in the file; nothing when there is no such conversation.
  sql::Error conversation_key(const ConversationId& id, std::optional<std::int64_t>& cid);
  // `m` into the conversation `cid`; a parent deleted with its conversation makes `m` a root.
  sql::Error add_message_to(const NewMessage& m, std::int64_t cid, bool conversation_was_deleted);
  Database(std::unique_ptr<sql::Connection> db, Options options);
  sql::Error configure();
  sql::Error set_up(OpenReport& report);  // configure() then the migrations, again while another connection holds the lock
  std::uint32_t recover_interrupted();
  Result<std::vector<ConversationSummary>> summaries(const char* sql, std::int64_t limit, std::int64_t offset);
  StoreError failure(const sql::Error& e, std::string_view doing) const;

  std::unique_ptr<sql::Connection> db_;
  Options options_;
  std::string path_;
  int synchronous_ = -1;  // the PRAGMA synchronous level set last (1 NORMAL, 2 FULL)
};

// "pid:start-time:nonce": names the store that writes a streaming answer, so the next start can
// tell an answer a dead process left behind from one a live process (conductord beside a TUI) is
// still writing.
std::string writer_tag();
bool writer_alive(std::string_view tag);

// Renames `path` and its -wal/-shm/-journal files to `path.broken-YYYYmmdd-HHMMSS[-N]`; returns the
// new name of `path`, or nothing with `error` set.
std::optional<std::string> move_aside(const std::string& path, std::string& error);

}  // namespace yollayah::store
