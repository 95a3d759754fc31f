// The lifecycle of a session's turns, one call per event, for whatever records them (the SQLite
// store). Every call runs on the session strand, in order, and must not block: a recorder queues
// the work for its own thread. The default does nothing.
#pragma once

#include "conductor/history.hpp"
#include "conductor/task_book.hpp"
#include "conductor/turn.hpp"
#include "protocol/types.hpp"

#include <string_view>

namespace yollayah::conductor {

class TurnJournal {
 public:
  virtual ~TurnJournal() = default;

  // A user message was accepted and stored; `answer_id` is the turn that will answer it.
  virtual void user_message(const HistoryMessage& /*message*/, const protocol::MessageId& /*answer_id*/) {}
  // A turn began streaming (main turns: its history entry exists now).
  virtual void answer_started(const Turn& /*turn*/) {}
  // Clean text of `turn` went out to the surfaces: a point where the answer so far can be saved.
  virtual void answer_text(const Turn& /*turn*/, std::string_view /*appended*/) {}
  // A main-conversation turn ended (`stored` is its history entry, absent if pruned).
  virtual void answer_finished(const Turn& /*turn*/, const HistoryMessage* /*stored*/,
                               const protocol::ResponseMetadata& /*metadata*/, bool /*failed*/) {}
  // An agent's task was created (its turn may wait in the queue) and when it ended, with its output.
  virtual void task_started(const Task& /*task*/, const Turn& /*turn*/) {}
  virtual void task_finished(const Task& /*task*/, const Turn& /*turn*/, std::string_view /*output*/) {}
};

}  // namespace yollayah::conductor
