// What the history store takes and gives back: plain values, no SQLite. The Conductor builds them
// from its session and protocol types (from_metadata / to_metadata bridge the answer's timing).
#pragma once

#include "protocol/types.hpp"

#include <boost/system/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace yollayah::store {

using ConversationId = std::string;  // a UUIDv7 in text form (ids.hpp)
using MessageId = std::string;       // a UUIDv7 in text form: unique across processes and restarts
using Role = protocol::MessageRole;
using ContentType = protocol::ContentType;

struct NewConversation {
  ConversationId id{};  // empty: the store makes one (new_id())
  std::string title{};  // empty: the first user message, shortened, becomes the title
  std::string model{};
  std::string system_prompt{};
  std::string surface{};  // what began it: "tui", "headless", "daemon", …
  std::uint64_t created_ms = 0;  // 0: now
};

struct NewMessage {
  MessageId id{};  // empty: the store makes one
  ConversationId conversation{};
  // The message this one follows. Absent: the first message of the conversation. A parent that
  // already has a child starts a new branch beside it (a retry, or an edited question).
  std::optional<MessageId> parent{};
  Role role = Role::User;
  std::string content{};  // an answer that has just started is empty: checkpoints fill it
  ContentType content_type{};
  std::uint64_t created_ms = 0;  // 0: now
  bool streaming = false;        // an answer still being written: checkpoint() and finish_answer() follow
  std::string model{};  // the model asked, for an answer (finish_answer may correct it)
};

// How an answer went: what the meta line under it shows.
struct AnswerMeta {
  std::string model;
  std::string backend;  // which model server answered (the router's name); empty: unknown
  std::optional<std::uint64_t> first_token_ms;
  std::optional<std::uint64_t> load_ms;
  std::uint64_t elapsed_ms = 0;
  std::uint32_t token_count = 0;
  std::optional<double> tokens_per_s;
  bool interrupted = false;  // stopped early: an error, a crash (found at the next start), or a cancel
  bool cancelled = false;    // the user stopped it
  friend bool operator==(const AnswerMeta&, const AnswerMeta&) = default;
};

AnswerMeta from_metadata(const protocol::ResponseMetadata& meta, bool interrupted);
protocol::ResponseMetadata to_metadata(const AnswerMeta& meta);

struct StoredMessage {
  MessageId id;
  std::optional<MessageId> parent;
  Role role = Role::User;
  std::string content;  // for an answer still streaming (or cut by a crash): up to its last checkpoint
  ContentType content_type;
  std::uint64_t created_ms = 0;
  bool streaming = false;  // a live process is still writing it
  AnswerMeta meta;         // answers only
  // Branches: this message is sibling_index of sibling_count replies to its parent ("2/3").
  std::uint32_t sibling_index = 1;
  std::uint32_t sibling_count = 1;
  MessageId prev_sibling;  // empty at the first
  MessageId next_sibling;  // empty at the last
};

struct ConversationSummary {
  ConversationId id;
  std::string title;
  std::uint64_t created_ms = 0;
  std::uint64_t updated_ms = 0;
  std::string model;
  std::string surface;
  std::uint64_t message_count = 0;  // every branch included
  std::string first_line;           // of the first user message
};

struct Conversation {
  ConversationSummary summary;
  std::string system_prompt;
  std::vector<StoredMessage> messages;  // the branch shown, oldest first
};

struct SearchHit {
  ConversationId conversation;
  std::string title;
  MessageId message;
  Role role = Role::User;
  std::uint64_t created_ms = 0;
  std::string snippet;  // the matching text with some context, "…" where it was cut
  std::vector<std::pair<std::uint32_t, std::uint32_t>> highlights;  // [begin, end) byte ranges in snippet
};

struct TaskRecord {
  std::string id{};
  ConversationId conversation{};
  std::optional<MessageId> message{};  // the answer that spawned it
  std::string agent{};
  std::string description{};
  std::string status{};  // "pending", "running", "done", "failed", …
  std::string output{};
  std::uint64_t created_ms = 0;  // 0: now
  std::optional<std::uint64_t> finished_ms{};
};

struct StoreError {
  enum class Kind : std::uint8_t {
    Unavailable,  // no database could be opened (read-only directory, …); see the store's events
    NotFound,     // no such conversation or message
    Invalid,      // a request that cannot be answered (an empty search, an ambiguous id prefix)
    Failed,       // SQLite reported an error; message says which
  };
  Kind kind = Kind::Failed;
  std::string message;
};

template <class T>
using Result = boost::system::result<T, StoreError>;

// Lets result<T, StoreError>::value() throw (found by ADL); only at program edges and in tests.
[[noreturn]] void throw_exception_from_error(const StoreError& e, const boost::source_location& loc);

// Something the user should hear about once (the Conductor turns each into one Notify).
struct StoreEvent {
  enum class Kind : std::uint8_t {
    MovedAside,  // the file was not a usable history; it was renamed and a new one started
    Degraded,    // writes fail (full disk, read-only, damaged): kept in memory and retried
    Recovered,   // writes reach the disk again, the ones kept in memory included
  };
  Kind kind = Kind::Degraded;
  std::string message;   // one or two sentences naming the file and what to do
  std::string path;      // the database file
  std::string moved_to;  // MovedAside: where the old file went
};

// How opening went: what the first job on the store's thread found.
struct OpenReport {
  std::string path;
  bool available = false;   // false: the store keeps writes in memory until it can open the file
  bool created = false;     // a new database was started
  int schema_before = 0;    // user_version found (0: new); migrated up to schema_after
  int schema_after = 0;
  std::uint32_t interrupted_recovered = 0;  // answers left streaming by a process that died
  std::vector<StoreEvent> events;           // MovedAside and/or Degraded, also sent to on_event
  std::string error;                        // why it is not available
};

enum class Health : std::uint8_t { Ok, Degraded };

// Cost of the writes so far, measured on the store's thread (benchmarks, the developer panel).
struct StoreStats {
  std::uint64_t transactions = 0;
  std::uint64_t operations = 0;
  std::uint64_t checkpoint_writes = 0;  // checkpoint operations that reached SQLite
  std::uint64_t write_us = 0;           // time spent in write transactions
  std::uint64_t max_write_us = 0;
  std::uint64_t failed_transactions = 0;
  std::uint64_t backlog = 0;  // writes held in memory now
};

std::string_view role_name(Role role);  // "user", "assistant", "system"
std::optional<Role> role_from_name(std::string_view name);
std::string content_type_name(const ContentType& type);  // "plain", "markdown", "code:rust", …
ContentType content_type_from_name(std::string_view name);

}  // namespace yollayah::store
