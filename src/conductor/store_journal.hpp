// A session's turns written to the history store (issue 11): the user's message when it is
// accepted, each answer as a streaming row checkpointed while it grows and finished with its
// timing, and the agents' tasks. Only queues work for the store's thread: it never blocks the strand.
#pragma once

#include "conductor/turn_journal.hpp"
#include "store/history_store.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace yollayah::conductor {

class StoreJournal final : public TurnJournal, public std::enable_shared_from_this<StoreJournal> {
 public:
  struct Options {
    std::string surface;  // what began the conversation: "tui", "headless", "daemon"
    std::string model;
    std::string system_prompt;
    // An earlier conversation this session continues: new messages go on after `tip` (its last
    // message). Absent: a conversation is created at the first user message.
    std::optional<store::ConversationId> conversation;
    std::optional<store::MessageId> tip;
    // A streaming answer's text goes to the store at most this often (the store's own checkpoint
    // interval: it would not write more often anyway), and text that came since goes within it.
    std::chrono::milliseconds checkpoint_every{1000};
  };

  // `store` must outlive the session that calls this journal; `strand` is the session's (the
  // timer that hands over text the last call kept back runs there). Create with make_shared.
  StoreJournal(store::HistoryStore& store, boost::asio::any_io_executor strand, Options options);

  void user_message(const HistoryMessage& message, const protocol::MessageId& answer_id) override;
  void answer_started(const Turn& turn) override;
  void answer_text(const Turn& turn, std::string_view appended) override;
  void answer_finished(const Turn& turn, const HistoryMessage* stored, const protocol::ResponseMetadata& metadata,
                       bool failed) override;
  void task_started(const Task& task, const Turn& turn) override;
  void task_finished(const Task& task, const Turn& turn, std::string_view output) override;

  const std::optional<store::ConversationId>& conversation() const { return conversation_; }
  store::HistoryStore& store() { return store_; }
  const std::optional<store::MessageId>& tip() const { return tip_; }  // the newest message written

  // The session's chat commands (/new, /open, /title, /retry). Only between answers: the session
  // refuses them while one streams.
  // What comes next starts a new conversation (created lazily, at its first user message).
  void start_new();
  // What comes next continues `conversation` after its last message (the branch it was read as).
  void switch_to(const store::Conversation& conversation);
  // Now, or at the conversation's creation when nothing was said yet.
  void set_title(std::string title);
  // The next answer is a new branch beside the last one: it answers the same user message.
  // false when the last message is not an answer to a user message.
  bool retry_last_answer();

 private:
  using Clock = std::chrono::steady_clock;

  // An answer while it streams. The journal keeps only the text that came since it last handed
  // some to the store, and hands it over by moving it (HistoryStore::append_text), once per
  // checkpoint_every: the store appends it to the row (content || ?), so neither thread copies the
  // answer so far (a whole-text checkpoint would be quadratic in its length; SQLite itself still
  // rewrites the grown row's pages at each checkpoint). The
  // session's history holds the text too, but only the strand may read it, and an entry there can
  // move (History::prune erases in the middle): the bytes are copied once, per flush, for the
  // store's thread.
  struct Streaming {
    store::MessageId id;
    std::string unsaved;
  };

  Streaming* streaming(const Turn& turn);
  void hand_over();
  void hand_over_later();

  // The session's message ids (msg_<n>, per process) map to the store's (UUIDv7): answers while
  // they stream, tasks until they end.
  store::HistoryStore& store_;
  Options options_;
  std::optional<store::ConversationId> conversation_;
  std::optional<store::MessageId> tip_;  // the newest message: the next one's parent
  // The user message the newest answer replies to, while that answer is the tip (for /retry).
  std::optional<store::MessageId> answered_;
  std::string pending_title_;  // set by /title before the conversation exists
  std::unordered_map<protocol::MessageId, Streaming> answers_;
  // The turn of the last answer_text() and its answer (null: not one the journal keeps): a flush
  // costs a pointer comparison, not a hash lookup. Reset when an answer starts or ends.
  const Turn* last_turn_ = nullptr;
  Streaming* last_answer_ = nullptr;
  Clock::time_point last_hand_over_{};
  boost::asio::steady_timer timer_;
  bool timer_armed_ = false;
  std::unordered_map<protocol::TaskId, store::MessageId> tasks_;  // task → the answer that started it
};

}  // namespace yollayah::conductor
