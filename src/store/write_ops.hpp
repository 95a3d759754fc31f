// The writes the store queues, as values: so they can wait in order, in memory, while the disk is
// full or read-only, and be replayed once it works again.
#pragma once

#include "store/database.hpp"
#include "store/records.hpp"

#include <string>
#include <variant>
#include <vector>

namespace yollayah::store {

// The text of a streaming answer: all of it (`append` false: HistoryStore::checkpoint), or only what
// came since the last one (`append`: HistoryStore::append_text), added to what the row holds.
struct CheckpointOp {
  MessageId id;
  std::string text;
  bool append = false;
};

struct FinishOp {
  MessageId id;
  std::string text;
  AnswerMeta meta;
  std::uint64_t finished_ms = 0;  // when finish_answer was called, not when it reached the disk
  bool append = false;            // `text` is the rest of the answer, after what the row holds
};

struct TitleOp {
  ConversationId id;
  std::string title;
};

using WriteOp = std::variant<NewConversation, NewMessage, CheckpointOp, FinishOp, TitleOp, TaskRecord>;

// Whether the write must survive a power cut (synchronous=FULL): everything but a checkpoint, which
// the next checkpoint or the finished answer replaces within a second.
bool durable(const WriteOp& op);

sql::Error apply_write(Database& db, const WriteOp& op);

// Appends `op` to writes waiting in memory, with the earlier checkpoint of the same answer folded
// into it: replaced by a newer whole text or a finished one, put in front of text that only
// appends (so an answer's text waits as one write, however long the disk stays full).
void add_to_backlog(std::vector<WriteOp>& backlog, WriteOp op);

}  // namespace yollayah::store
