// The writes the store queues, as values: so they can wait in order, in memory, while the disk is
// full or read-only, and be replayed once it works again.
#pragma once

#include "store/database.hpp"
#include "store/records.hpp"

#include <string>
#include <variant>
#include <vector>

namespace yollayah::store {

struct CheckpointOp {
  MessageId id;
  std::string text;
};

struct FinishOp {
  MessageId id;
  std::string text;
  AnswerMeta meta;
  std::uint64_t finished_ms = 0;  // when finish_answer was called, not when it reached the disk
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

// Appends `op` to writes waiting in memory, dropping what it makes useless: an earlier checkpoint of
// the same answer (the newer text contains it), or every checkpoint of an answer that finished.
void add_to_backlog(std::vector<WriteOp>& backlog, WriteOp op);

}  // namespace yollayah::store
