#include "store/history_store.hpp"

#include "core/log.hpp"
#include "core/paths.hpp"
#include "store/database.hpp"
#include "store/ids.hpp"
#include "store/markdown.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace yollayah::store {

namespace asio = boost::asio;

namespace {

std::uint64_t micros_since(std::chrono::steady_clock::time_point start) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count());
}

}  // namespace

std::string HistoryStore::default_path() { return core::data_dir() + "/history.db"; }

HistoryStore::HistoryStore(Options options)
    : options_(std::move(options)),
      writer_(writer_tag()),
      retry_delay_(options_.retry_initial),
      worker_("yollayah-store", [this] { on_alarm(); }) {
  if (options_.path.empty()) options_.path = default_path();
  worker_.post([this] { open(); });
}

HistoryStore::~HistoryStore() {
  worker_.post([this] { close(); });
  worker_.stop();
}

// ---- Callers' side: any thread, a short lock at most.

std::optional<HistoryStore::Clock::time_point> HistoryStore::queue_locked(WriteOp op) {
  const bool first = queued_.empty();
  queued_.push_back(std::move(op));
  // One alarm per batch: writes queued while it waits go with it, in one transaction.
  if (!first || lingering_) return std::nullopt;
  return Clock::now() + options_.write_delay;
}

void HistoryStore::enqueue(WriteOp op) {
  std::optional<Clock::time_point> arm;
  {
    std::lock_guard lock(mutex_);
    arm = queue_locked(std::move(op));
  }
  if (arm) worker_.arm(*arm);
}

ConversationId HistoryStore::create_conversation(NewConversation c) {
  if (c.id.empty()) c.id = new_id();
  if (c.created_ms == 0) c.created_ms = now_ms();
  ConversationId id = c.id;
  enqueue(std::move(c));
  return id;
}

MessageId HistoryStore::add_message(NewMessage m) {
  if (m.id.empty()) m.id = new_id();
  if (m.created_ms == 0) m.created_ms = now_ms();
  MessageId id = m.id;
  enqueue(std::move(m));
  return id;
}

std::optional<HistoryStore::Clock::time_point> HistoryStore::checkpoint_due_locked() {
  if (checkpoint_due_) return std::nullopt;
  checkpoint_due_ = std::max(Clock::now(), last_checkpoint_write_ + options_.checkpoint_interval);
  return checkpoint_due_;
}

void HistoryStore::checkpoint(const MessageId& id, std::string_view text) {
  std::optional<Clock::time_point> arm;
  {
    std::lock_guard lock(mutex_);
    PendingText& p = checkpoints_[id];
    p.text.assign(text);  // reuses the buffer: one allocation per write at most
    p.append = false;
    arm = checkpoint_due_locked();
  }
  if (arm) worker_.arm(*arm);
}

void HistoryStore::append_text(const MessageId& id, std::string more) {
  if (more.empty()) return;
  std::optional<Clock::time_point> arm;
  {
    std::lock_guard lock(mutex_);
    PendingText& p = checkpoints_[id];
    if (p.text.empty()) p.text = std::move(more);
    else p.text.append(more);
    arm = checkpoint_due_locked();
  }
  if (arm) worker_.arm(*arm);
}

void HistoryStore::finish_answer(const MessageId& id, std::string text, AnswerMeta meta) {
  std::optional<Clock::time_point> arm;
  {
    std::lock_guard lock(mutex_);
    checkpoints_.erase(id);
    arm = queue_locked(FinishOp{id, std::move(text), std::move(meta), now_ms(), false});
  }
  if (arm) worker_.arm(*arm);
}

void HistoryStore::finish_appended(const MessageId& id, std::string rest, AnswerMeta meta) {
  std::optional<Clock::time_point> arm;
  {
    std::lock_guard lock(mutex_);
    // The text still waiting goes first, in the same batch: moved, not joined to `rest`.
    if (const auto it = checkpoints_.find(id); it != checkpoints_.end()) {
      arm = queue_locked(CheckpointOp{id, std::move(it->second.text), it->second.append});
      checkpoints_.erase(it);
    }
    const auto finish = queue_locked(FinishOp{id, std::move(rest), std::move(meta), now_ms(), true});
    if (!arm) arm = finish;
  }
  if (arm) worker_.arm(*arm);
}

void HistoryStore::set_title(const ConversationId& id, std::string title) {
  enqueue(TitleOp{id, std::move(title)});
}

void HistoryStore::record_task(TaskRecord task) {
  if (task.created_ms == 0) task.created_ms = now_ms();
  enqueue(std::move(task));
}

StoreStats HistoryStore::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

// ---- Awaited calls: each a job on the store's thread, answered on the caller's executor.

template <class T>
Result<T> HistoryStore::unavailable() const {
  return StoreError{StoreError::Kind::Unavailable,
                    "history: " + options_.path + " is unavailable: " + report_.error};
}

asio::awaitable<OpenReport> HistoryStore::opened() {
  auto job = [this] { return report_; };
  co_return co_await worker_.call<OpenReport>(std::move(job));
}

asio::awaitable<Result<void>> HistoryStore::flush() {
  auto job = [this]() -> Result<void> {
    write(take_queued(true));
    if (degraded_) {
      return StoreError{StoreError::Kind::Unavailable, "history: " + std::to_string(backlog_.size()) +
                                                           " writes are kept in memory: " + degraded_reason_};
    }
    return {};
  };
  co_return co_await worker_.call<Result<void>>(std::move(job));
}

asio::awaitable<Result<std::vector<ConversationSummary>>> HistoryStore::list_conversations(std::size_t limit,
                                                                                           std::size_t offset) {
  using R = Result<std::vector<ConversationSummary>>;
  auto job = [this, limit, offset]() -> R {
    catch_up();
    if (!db_) return unavailable<std::vector<ConversationSummary>>();
    return db_->list_conversations(limit, offset);
  };
  co_return co_await worker_.call<R>(std::move(job));
}

asio::awaitable<Result<std::optional<ConversationSummary>>> HistoryStore::last_conversation() {
  using R = Result<std::optional<ConversationSummary>>;
  auto job = [this]() -> R {
    catch_up();
    if (!db_) return unavailable<std::optional<ConversationSummary>>();
    return db_->last_conversation();
  };
  co_return co_await worker_.call<R>(std::move(job));
}

asio::awaitable<Result<Conversation>> HistoryStore::load_conversation(ConversationId id,
                                                                      std::optional<MessageId> tip) {
  using R = Result<Conversation>;
  auto job = [this, id = std::move(id), tip = std::move(tip)]() -> R {
    catch_up();
    if (!db_) return unavailable<Conversation>();
    return db_->load_conversation(id, tip);
  };
  co_return co_await worker_.call<R>(std::move(job));
}

asio::awaitable<Result<std::vector<SearchHit>>> HistoryStore::search(std::string text, std::size_t limit) {
  using R = Result<std::vector<SearchHit>>;
  auto job = [this, text = std::move(text), limit]() -> R {
    catch_up();
    if (!db_) return unavailable<std::vector<SearchHit>>();
    return db_->search(text, limit);
  };
  co_return co_await worker_.call<R>(std::move(job));
}

asio::awaitable<Result<std::string>> HistoryStore::export_markdown(ConversationId id, std::optional<MessageId> tip) {
  using R = Result<std::string>;
  auto job = [this, id = std::move(id), tip = std::move(tip)]() -> R {
    catch_up();
    if (!db_) return unavailable<std::string>();
    auto conversation = db_->load_conversation(id, tip);
    if (!conversation) return conversation.error();
    return to_markdown(*conversation);
  };
  co_return co_await worker_.call<R>(std::move(job));
}

namespace {

// On the store's thread: the one place that writes an export.
Result<HistoryStore::Exported> write_file(const std::string& path, const std::string& text) {
  std::error_code ec;
  const auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  std::error_code exists_ec;
  const bool replaced = std::filesystem::is_regular_file(path, exists_ec);
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  file.close();
  if (!file) {
    const std::string why = ec ? ec.message() : std::string(std::strerror(errno));
    return StoreError{StoreError::Kind::Failed, "cannot write " + path + ": " + why};
  }
  return HistoryStore::Exported{text.size(), replaced};
}

}  // namespace

asio::awaitable<Result<HistoryStore::Exported>> HistoryStore::export_to_file(ConversationId id, std::string path,
                                                                            std::optional<MessageId> tip) {
  using R = Result<Exported>;
  auto job = [this, id = std::move(id), path = std::move(path), tip = std::move(tip)]() -> R {
    catch_up();
    if (!db_) return unavailable<Exported>();
    auto conversation = db_->load_conversation(id, tip);
    if (!conversation) return conversation.error();
    return write_file(path, to_markdown(*conversation));
  };
  co_return co_await worker_.call<R>(std::move(job));
}

asio::awaitable<Result<bool>> HistoryStore::delete_conversation(ConversationId id) {
  using R = Result<bool>;
  auto job = [this, id = std::move(id)]() -> R {
    catch_up();
    if (!db_) return unavailable<bool>();
    // Writes still waiting for this conversation would fail after it is gone: drop them.
    std::erase_if(backlog_, [&id](const WriteOp& op) {
      if (const auto* c = std::get_if<NewConversation>(&op)) return c->id == id;
      if (const auto* m = std::get_if<NewMessage>(&op)) return m->conversation == id;
      return false;
    });
    return db_->delete_conversation(id);
  };
  co_return co_await worker_.call<R>(std::move(job));
}

asio::awaitable<Result<std::vector<ConversationId>>> HistoryStore::find_conversations(std::string prefix,
                                                                                      std::size_t limit) {
  using R = Result<std::vector<ConversationId>>;
  auto job = [this, prefix = std::move(prefix), limit]() -> R {
    catch_up();
    if (!db_) return unavailable<std::vector<ConversationId>>();
    return db_->find_conversations(prefix, limit);
  };
  co_return co_await worker_.call<R>(std::move(job));
}

asio::awaitable<Result<std::vector<TaskRecord>>> HistoryStore::tasks(ConversationId id) {
  using R = Result<std::vector<TaskRecord>>;
  auto job = [this, id = std::move(id)]() -> R {
    catch_up();
    if (!db_) return unavailable<std::vector<TaskRecord>>();
    return db_->tasks(id);
  };
  co_return co_await worker_.call<R>(std::move(job));
}

asio::awaitable<void> HistoryStore::set_page_limit(std::uint32_t pages) {
  auto job = [this, pages] {
    catch_up();
    options_.page_limit = pages;
    if (db_) db_->set_page_limit(pages);
    return true;
  };
  co_await worker_.call<bool>(std::move(job));
}

// ---- The store's thread.

// Also the retry when no usable database is open: a Degraded event only the first time.
void HistoryStore::open() {
  Database::Options o{options_.path, options_.busy_timeout, options_.page_limit, writer_};
  OpenReport report;
  db_ = Database::open(o, report);
  for (const auto& event : report.events) {
    if (event.kind != StoreEvent::Kind::Degraded) {
      emit(event);
      continue;
    }
    degraded_reason_ = report.error.empty() ? "the file is read-only" : report.error;
    if (!degraded_) {
      degraded_ = true;
      health_ = Health::Degraded;
      emit(event);
    }
  }
  if (report.interrupted_recovered > 0)
    core::log().info("history: {} answer(s) cut short by a crash are marked interrupted", report.interrupted_recovered);
  report_ = std::move(report);
  if (!db_ || db_->read_only()) schedule_retry();
}

std::vector<WriteOp> HistoryStore::take_queued(bool with_checkpoints) {
  std::lock_guard lock(mutex_);
  std::vector<WriteOp> ops = std::move(queued_);
  queued_.clear();
  if (with_checkpoints) {
    for (auto& [id, p] : checkpoints_) ops.push_back(CheckpointOp{id, std::move(p.text), p.append});
    checkpoints_.clear();
    checkpoint_due_.reset();
    last_checkpoint_write_ = Clock::now();
  }
  return ops;
}

// Reads and the like see every write queued before them, though its write_delay has not passed.
void HistoryStore::catch_up() { write(take_queued(false)); }

void HistoryStore::on_alarm() {
  const auto now = Clock::now();
  bool checkpoints_due = false;
  bool queued = false;
  {
    std::lock_guard lock(mutex_);
    checkpoints_due = checkpoint_due_ && *checkpoint_due_ <= now;
    // Writes came since the last alarm: more may follow, so look again after write_delay, and
    // callers need not wake the thread meanwhile. An alarm that finds nothing lets it sleep.
    queued = lingering_ = !queued_.empty();
  }
  // What is queued goes at every alarm (write_delay after the first of it at the latest), and
  // before the checkpoints: a checkpoint needs its answer's row.
  if (queued || checkpoints_due) write(take_queued(checkpoints_due));
  if (retry_due_ && *retry_due_ <= now) retry();

  std::optional<Clock::time_point> next = retry_due_;
  if (queued) next = std::min(next.value_or(Clock::time_point::max()), Clock::now() + options_.write_delay);
  {
    std::lock_guard lock(mutex_);
    if (checkpoint_due_ && (!next || *checkpoint_due_ < *next)) next = checkpoint_due_;
  }
  if (next) worker_.arm(*next);
}

void HistoryStore::write(std::vector<WriteOp> ops) {
  if (ops.empty()) return;
  if (degraded_) {
    for (auto& op : ops) add_to_backlog(backlog_, std::move(op));
    std::lock_guard lock(mutex_);
    stats_.backlog = backlog_.size();
    return;
  }
  std::string failure;
  if (try_write(ops, failure)) return;
  for (auto& op : ops) add_to_backlog(backlog_, std::move(op));
  degrade(failure);
}

// One transaction for the batch. A failure the disk or another process causes rolls it all back and
// returns false (the caller keeps the writes); a write that can never succeed (its conversation was
// deleted) is logged and skipped, and the rest goes on.
bool HistoryStore::try_write(std::vector<WriteOp>& ops, std::string& failure) {
  if (!db_) {
    failure = report_.error;
    return false;
  }
  const auto start = Clock::now();
  const bool durable_batch = std::any_of(ops.begin(), ops.end(), [](const WriteOp& op) { return durable(op); });
  std::uint64_t checkpoints = 0;
  sql::Error error = db_->begin(durable_batch);
  for (std::size_t i = 0; !error && i < ops.size(); ++i) {
    if (std::holds_alternative<CheckpointOp>(ops[i])) ++checkpoints;
    sql::Error e = apply_write(*db_, ops[i]);
    if (!e) continue;
    if (e.transient()) error = e;
    else core::log().warn("history: a write was skipped: {}", e.message);
  }
  if (!error) error = db_->commit();
  if (error) db_->rollback();
  const std::uint64_t us = micros_since(start);
  if (!error) write_latency_.observe(Clock::now() - start);
  std::lock_guard lock(mutex_);  // never held across SQLite: callers take it on the event loop
  if (error) {
    ++stats_.failed_transactions;
    failure = error.message;
    return false;
  }
  ++stats_.transactions;
  stats_.operations += ops.size();
  stats_.checkpoint_writes += checkpoints;
  stats_.write_us += us;
  stats_.max_write_us = std::max(stats_.max_write_us, us);
  return true;
}

void HistoryStore::degrade(const std::string& why) {
  {
    std::lock_guard lock(mutex_);
    stats_.backlog = backlog_.size();
  }
  degraded_reason_ = why;
  if (!degraded_) {
    degraded_ = true;
    health_ = Health::Degraded;
    StoreEvent e;
    e.kind = StoreEvent::Kind::Degraded;
    e.path = options_.path;
    e.message = "history: cannot write to " + options_.path + " (" + why +
                "). Conversations are kept in memory and saved as soon as writing works again.";
    emit(e);
  }
  schedule_retry();
}

void HistoryStore::schedule_retry() {
  retry_due_ = Clock::now() + retry_delay_;
  retry_delay_ = std::min(retry_delay_ * 2, options_.retry_max);
  worker_.arm(*retry_due_);
}

void HistoryStore::retry() {
  retry_due_.reset();
  // A connection opened read-only stays so; one that never opened must try again.
  if (db_ && db_->read_only()) db_.reset();
  if (!db_) {
    open();
    if (!db_ || db_->read_only()) return;  // open() scheduled the next try
  }
  std::string failure;
  if (!backlog_.empty() && !try_write(backlog_, failure)) {
    degraded_reason_ = failure;
    schedule_retry();
    return;
  }
  const std::size_t saved = backlog_.size();
  backlog_.clear();
  degraded_ = false;
  health_ = Health::Ok;
  retry_delay_ = options_.retry_initial;
  {
    std::lock_guard lock(mutex_);
    stats_.backlog = 0;
  }
  StoreEvent e;
  e.kind = StoreEvent::Kind::Recovered;
  e.path = options_.path;
  e.message = "history: writing to " + options_.path + " again; " + std::to_string(saved) +
              " write(s) kept in memory are saved.";
  emit(e);
}

void HistoryStore::close() {
  write(take_queued(true));
  if (degraded_) retry();  // one last try
  if (!backlog_.empty()) {
    core::log().error("history: {} write(s) could not be saved to {}: {}", backlog_.size(), options_.path,
                      degraded_reason_);
  }
  if (db_) db_->interrupt_own_answers();
  db_.reset();
}

void HistoryStore::emit(const StoreEvent& event) {
  if (event.kind == StoreEvent::Kind::Recovered) core::log().info("{}", event.message);
  else core::log().warn("{}", event.message);
  if (options_.on_event && options_.events) {
    asio::post(options_.events, [on_event = options_.on_event, event] { on_event(event); });
  }
}

}  // namespace yollayah::store
