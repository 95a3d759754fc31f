// [gateway] record: API conversations kept in the history beside the terminal's. A request that
// resends a recent conversation with something new extends it; any other begins one. Only queues
// work for the store's thread, never waits for it, and does nothing per token.
#pragma once

#include "backend/backend.hpp"
#include "gateway/answer.hpp"
#include "gateway/exchange.hpp"
#include "store/history_store.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace yollayah::gateway {

class Recording;

class Recorder {
 public:
  struct Options {
    // A long answer's text goes to the store this often while it streams (the store's own
    // checkpoint interval: it would not write more often anyway).
    std::chrono::milliseconds checkpoint_every{1000};
    // Conversations a new request may continue: the most recently recorded exchanges, in memory
    // (after a restart, a client's next request begins a new conversation).
    std::size_t recent = 64;
  };

  // `store` must outlive the recorder and every recording it began.
  explicit Recorder(store::HistoryStore& store) : Recorder(store, Options{}) {}
  Recorder(store::HistoryStore& store, Options options);

  // Begins recording one request: `surface` says where it came from ("api:ollama", "api:openai");
  // `strand` is the connection's (the checkpoint timer runs there). Nothing is written until the
  // answer has text (a request refused before its first word leaves nothing behind).
  std::shared_ptr<Recording> begin(std::string surface, const backend::ChatRequest& request,
                                   boost::asio::any_io_executor strand);

  store::HistoryStore& store() { return store_; }

 private:
  friend class Recording;

  // A recorded exchange a later request may continue: the conversation's messages up to `tip` (the
  // answer), as keys of role and text.
  struct Thread {
    store::ConversationId conversation;
    store::MessageId tip;
    std::vector<std::uint64_t> keys;
  };
  // The recent thread with the most messages that are all the first ones of `keys`, leaving at
  // least one new message.
  std::optional<Thread> continued(const std::vector<std::uint64_t>& keys) const;
  void remember(Thread thread);

  store::HistoryStore& store_;
  Options options_;
  mutable std::mutex mutex_;  // connections run on strands of their own; held for a scan, never for I/O
  std::deque<Thread> recent_;  // newest first
};

// One request's exchange as the store will hold it. The relay (AnswerTap) tells it when the answer
// starts and how it ended.
class Recording final : public AnswerTap, public std::enable_shared_from_this<Recording> {
 public:
  Recording(Recorder& recorder, std::string surface, const backend::ChatRequest& request,
            boost::asio::any_io_executor strand);

  void answer_started(const std::string& text_so_far) override;
  void answer_ended(std::string text, const backend::Result<backend::ChatStats>& result, bool client_gone) override;

 private:
  friend class Recorder;

  // A conversation deleted since it was recorded (`yollayah history delete`, /delete) cannot be
  // continued: asked of the store at the start, answered long before anything is written.
  static boost::asio::awaitable<void> confirm_continued(std::weak_ptr<Recording> weak, store::HistoryStore& store,
                                                        store::ConversationId id);
  void write_start();  // the conversation (or the new messages of a continued one) and the answer's row
  void arm_checkpoint();
  void on_checkpoint();

  Recorder& recorder_;
  std::string surface_;
  std::string model_;
  std::vector<backend::ChatMessage> messages_;  // those not stored yet
  std::vector<backend::ChatMessage> all_;       // every message, while a continued conversation is unconfirmed
  std::vector<std::uint64_t> keys_;             // of all the request's messages
  std::optional<Recorder::Thread> continues_;
  std::uint64_t created_ms_;
  std::chrono::steady_clock::time_point started_;
  std::optional<store::ConversationId> conversation_;
  store::MessageId answer_;  // empty until written
  const std::string* live_ = nullptr;  // the relay's text while the answer runs
  std::size_t checkpointed_ = 0;       // how much of it the store was given while it ran
  boost::asio::steady_timer timer_;
};

// The exchange's recording when the gateway records (`recorder` set), else null: the relay's tap.
inline std::shared_ptr<Recording> begin_recording(Recorder* recorder, std::string surface,
                                                  const backend::ChatRequest& request, Exchange& ex) {
  return recorder ? recorder->begin(std::move(surface), request, ex.stream().get_executor()) : nullptr;
}

}  // namespace yollayah::gateway
