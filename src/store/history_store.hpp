// The conversation history on disk (issue 11): SQLite on a thread of its own behind the small async
// interface the Conductor owns. Writes are queued at the call, in call order, and never waited for;
// reads are co_awaited and their replies come back on the caller's executor. Nothing here blocks an
// event loop: every SQLite call runs on the store's thread (tools/check-async, rule `sqlite`).
#pragma once

#include "core/duration_histogram.hpp"
#include "store/records.hpp"
#include "store/worker.hpp"
#include "store/write_ops.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace yollayah::store {

class Database;

class HistoryStore {
 public:
  struct Options {
    std::string path;  // empty: default_path()
    // A streaming answer's text reaches the disk at most this often (kill -9 loses at most this much).
    std::chrono::milliseconds checkpoint_interval{1000};
    // Writes queued within this long of the first one go in one transaction (0: each batch at
    // once). Many short answers in a row then cost one commit and one wake-up of the store's thread
    // per interval instead of two or three per answer; a user message still reaches the disk
    // this soon after it was accepted.
    std::chrono::milliseconds write_delay{10};
    // While writes fail, they are retried after this delay, doubling up to retry_max.
    std::chrono::milliseconds retry_initial{1000};
    std::chrono::milliseconds retry_max{30000};
    std::chrono::milliseconds busy_timeout{5000};  // waiting for another process's write
    std::uint32_t page_limit = 0;  // PRAGMA max_page_count (0: none): how tests make the disk "full"
    // Where on_event runs (the Conductor's loop). Without one, events are only logged.
    boost::asio::any_io_executor events;
    std::function<void(const StoreEvent&)> on_event;
  };

  static std::string default_path();  // $XDG_DATA_HOME/ai-way/history.db

  // Starts the store's thread; opening the file is its first job (see opened()).
  explicit HistoryStore(Options options);
  // Writes what is queued (one more try if writes were failing), marks this store's answers still
  // streaming as interrupted, closes the file and joins the thread: it waits for the disk, so
  // destroy the store at shutdown, once the loop has stopped, and before the io_context of any
  // coroutine that awaits it (replies are posted there).
  ~HistoryStore();
  HistoryStore(const HistoryStore&) = delete;
  HistoryStore& operator=(const HistoryStore&) = delete;

  // How opening went: a file moved aside, a schema upgrade, answers recovered from a crash, or why
  // the history is unavailable (then writes are kept in memory and opening is retried).
  boost::asio::awaitable<OpenReport> opened();

  // ---- Writes. Any thread; queued at once, so they reach SQLite in the order of the calls, and
  // never waited for. A failure to write (full disk, read-only directory) is one Degraded event:
  // the writes stay in memory, are retried, and a Recovered event follows when they are saved.

  // Returns the conversation's id (c.id, or a new one).
  ConversationId create_conversation(NewConversation c);
  // A user message when it is accepted; an answer when it starts (m.streaming = true, usually empty
  // content). Returns the message's id (m.id, or a new one). A parent that already has replies
  // starts a branch beside them.
  MessageId add_message(NewMessage m);
  // The text so far of an answer that is streaming. Coalesced: the latest text of each answer is
  // written at most once per checkpoint_interval, never per token; a call costs a short lock and a
  // copy of `text`.
  void checkpoint(const MessageId& id, std::string_view text);
  // The text of a streaming answer that came since it was last given one (by this or checkpoint()):
  // only that is handed over (moved, no copy when nothing of the answer is waiting) and only that
  // is written, after what the row holds, at most once per checkpoint_interval.
  void append_text(const MessageId& id, std::string more);
  // The answer's final text and how it went. Replaces any checkpoint not yet written.
  void finish_answer(const MessageId& id, std::string text, AnswerMeta meta);
  // The same when the answer's text was given with append_text(): its final text is all it was
  // given plus `rest`.
  void finish_appended(const MessageId& id, std::string rest, AnswerMeta meta);
  void set_title(const ConversationId& id, std::string title);
  // Inserts a task, or updates its status, output and finish time.
  void record_task(TaskRecord task);

  // Resolves when everything queued before it (pending checkpoints included) has been written, or
  // with the reason it is being kept in memory instead.
  boost::asio::awaitable<Result<void>> flush();

  // ---- Reads, and delete. They see every write queued before them.

  // Most recently updated first.
  boost::asio::awaitable<Result<std::vector<ConversationSummary>>> list_conversations(std::size_t limit,
                                                                                      std::size_t offset = 0);
  boost::asio::awaitable<Result<std::optional<ConversationSummary>>> last_conversation();
  // The branch through `tip` (default: the newest message), root first, each message with its
  // sibling index and count ("2/3") and its neighbouring siblings' ids.
  boost::asio::awaitable<Result<Conversation>> load_conversation(ConversationId id,
                                                                 std::optional<MessageId> tip = std::nullopt);
  // Messages whose text has every word typed ("salt*": words starting with salt), newest first, with
  // context.
  boost::asio::awaitable<Result<std::vector<SearchHit>>> search(std::string text, std::size_t limit);
  // The branch through `tip` as Markdown, with each answer's meta line.
  boost::asio::awaitable<Result<std::string>> export_markdown(ConversationId id,
                                                              std::optional<MessageId> tip = std::nullopt);
  // The same Markdown written to the file `path` (its directory is created when missing), on the
  // store's thread: never on the caller's loop. Says how many bytes, and whether a file was there.
  struct Exported {
    std::size_t bytes = 0;
    bool replaced = false;  // an earlier file at `path` was overwritten: the caller says so
  };
  boost::asio::awaitable<Result<Exported>> export_to_file(ConversationId id, std::string path,
                                                          std::optional<MessageId> tip = std::nullopt);
  // Durable. false: there was no such conversation.
  boost::asio::awaitable<Result<bool>> delete_conversation(ConversationId id);
  // Conversations whose id starts with `prefix` (at most `limit`), for ids typed by hand.
  boost::asio::awaitable<Result<std::vector<ConversationId>>> find_conversations(std::string prefix,
                                                                                 std::size_t limit = 10);
  boost::asio::awaitable<Result<std::vector<TaskRecord>>> tasks(ConversationId id);

  // Changes PRAGMA max_page_count on the store's connection (0: no limit): tests fill the "disk"
  // with it and give the space back.
  boost::asio::awaitable<void> set_page_limit(std::uint32_t pages);

  Health health() const { return health_.load(); }  // any thread: for the status bar
  StoreStats stats() const;                          // any thread
  // How long each committed write transaction took (for /metrics); any thread, no lock.
  const core::DurationHistogram& write_latency() const { return write_latency_; }
  const std::string& path() const { return options_.path; }

 private:
  using Clock = Worker::Clock;

  // The text of a streaming answer not written yet: all of it (checkpoint) or what came since.
  struct PendingText {
    std::string text;
    bool append = true;
  };

  void enqueue(WriteOp op);
  // With mutex_ held; each returns when the store's thread must look next (arm the worker then,
  // after the lock), or nothing when it will look soon enough anyway.
  std::optional<Clock::time_point> queue_locked(WriteOp op);
  std::optional<Clock::time_point> checkpoint_due_locked();
  // On the store's thread:
  void open();
  void on_alarm();
  void catch_up();
  void write(std::vector<WriteOp> ops);
  bool try_write(std::vector<WriteOp>& ops, std::string& failure);
  void degrade(const std::string& why);
  void retry();
  void schedule_retry();
  void close();
  void emit(const StoreEvent& event);
  std::vector<WriteOp> take_queued(bool with_checkpoints);
  template <class T>
  Result<T> unavailable() const;

  Options options_;
  std::string writer_;
  std::atomic<Health> health_{Health::Ok};

  // Only on the store's thread.
  std::unique_ptr<Database> db_;
  OpenReport report_;
  std::vector<WriteOp> backlog_;  // writes that failed, in order, waiting for the disk
  bool degraded_ = false;
  std::string degraded_reason_;
  std::chrono::milliseconds retry_delay_;
  std::optional<Clock::time_point> retry_due_;

  // Shared between callers and the store's thread.
  mutable std::mutex mutex_;
  std::vector<WriteOp> queued_;  // written at the next alarm, write_delay after the first
  // The last alarm wrote queued writes, so the store's thread looks again within write_delay:
  // while writes keep coming, callers queue them without waking it.
  bool lingering_ = false;
  std::unordered_map<MessageId, PendingText> checkpoints_;   // per streaming answer
  std::optional<Clock::time_point> checkpoint_due_;
  Clock::time_point last_checkpoint_write_{};
  StoreStats stats_;
  core::DurationHistogram write_latency_{core::ms_bounds({0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500})};

  Worker worker_;  // last: its thread stops before the members above go
};

}  // namespace yollayah::store
