#include "gateway/recorder.hpp"

#include "store/ids.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <algorithm>
#include <functional>

namespace yollayah::gateway {
namespace {

using backend::ChatMessage;

store::Role role_of(ChatMessage::Role role) {
  switch (role) {
    case ChatMessage::Role::System: return store::Role::System;
    case ChatMessage::Role::User: return store::Role::User;
    case ChatMessage::Role::Assistant: return store::Role::Assistant;
  }
  return store::Role::User;
}

// A message as a later request would resend it: its role and its text, exactly.
std::uint64_t key_of(ChatMessage::Role role, std::string_view text) {
  const std::uint64_t h = std::hash<std::string_view>{}(text);
  return h ^ ((static_cast<std::uint64_t>(role) + 1) * 0x9E3779B97F4A7C15ULL);
}

// The two bytes search marks its matches with cannot be in stored text (the Conductor refuses
// control characters in what the terminal sends); a client's text may hold them.
constexpr std::string_view kMarks = "\x02\x03";

std::string stored_text(std::string text) {
  for (std::size_t at = 0; (at = text.find_first_of(kMarks, at)) != std::string::npos;) {
    text.replace(at, 1, "\xEF\xBF\xBD");  // U+FFFD
    at += 3;
  }
  return text;
}

store::AnswerMeta answer_meta(const std::string& asked, const backend::Result<backend::ChatStats>& result,
                              std::chrono::steady_clock::duration elapsed, bool interrupted) {
  store::AnswerMeta m;
  m.model = asked;
  m.elapsed_ms = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count());
  m.interrupted = interrupted;
  if (!result) return m;
  const auto& s = *result;
  if (!s.model.empty()) m.model = s.model;
  m.backend = s.backend;
  if (s.first_token_ns > 0) m.first_token_ms = s.first_token_ns / 1'000'000;
  if (s.load_duration_ns > 0) m.load_ms = s.load_duration_ns / 1'000'000;
  m.token_count = s.eval_count;
  if (s.eval_count > 0 && s.eval_duration_ns > 0)
    m.tokens_per_s = static_cast<double>(s.eval_count) * 1e9 / static_cast<double>(s.eval_duration_ns);
  return m;
}

}  // namespace

Recorder::Recorder(store::HistoryStore& store, Options options) : store_(store), options_(options) {}

std::shared_ptr<Recording> Recorder::begin(std::string surface, const backend::ChatRequest& request,
                                           boost::asio::any_io_executor strand) {
  auto recording = std::make_shared<Recording>(*this, std::move(surface), request, strand);
  if (recording->continues_)
    boost::asio::co_spawn(strand, Recording::confirm_continued(recording, store_, recording->continues_->conversation),
                          boost::asio::detached);
  return recording;
}

std::optional<Recorder::Thread> Recorder::continued(const std::vector<std::uint64_t>& keys) const {
  std::lock_guard lock(mutex_);
  const Thread* best = nullptr;
  for (const auto& t : recent_) {
    if (t.keys.size() >= keys.size() || (best && t.keys.size() <= best->keys.size())) continue;
    if (std::equal(t.keys.begin(), t.keys.end(), keys.begin())) best = &t;
  }
  if (!best) return std::nullopt;
  return *best;
}

void Recorder::remember(Thread thread) {
  std::lock_guard lock(mutex_);
  recent_.push_front(std::move(thread));
  if (recent_.size() > options_.recent) recent_.pop_back();
}

Recording::Recording(Recorder& recorder, std::string surface, const backend::ChatRequest& request,
                     boost::asio::any_io_executor strand)
    : recorder_(recorder),
      surface_(std::move(surface)),
      model_(request.model),
      created_ms_(store::now_ms()),
      started_(std::chrono::steady_clock::now()),
      timer_(std::move(strand)) {
  keys_.reserve(request.messages.size() + 1);
  for (const auto& m : request.messages) keys_.push_back(key_of(m.role, m.content));
  continues_ = recorder_.continued(keys_);
  const std::size_t known = continues_ ? continues_->keys.size() : 0;
  messages_.assign(request.messages.begin() + static_cast<std::ptrdiff_t>(known), request.messages.end());
  if (continues_) all_ = request.messages;
}

boost::asio::awaitable<void> Recording::confirm_continued(std::weak_ptr<Recording> weak, store::HistoryStore& store,
                                                          store::ConversationId id) {
  auto found = co_await store.find_conversations(id, 1);
  auto self = weak.lock();
  if (!self || !self->answer_.empty()) co_return;  // ended, or written already: too late to matter
  if (found && found->empty()) {
    // Gone: this exchange begins a new conversation with everything it sent.
    self->continues_.reset();
    self->messages_ = std::move(self->all_);
  }
  self->all_.clear();
}

void Recording::write_start() {
  auto& store = recorder_.store_;
  std::optional<store::MessageId> parent;
  if (continues_) {
    conversation_ = continues_->conversation;
    parent = continues_->tip;
  } else {
    // The title is the first user message's, as the store makes it.
    store::NewConversation c;
    c.model = model_;
    c.surface = surface_;
    c.created_ms = created_ms_;
    conversation_ = store.create_conversation(std::move(c));
  }
  for (auto& m : messages_) {
    store::NewMessage n;
    n.conversation = *conversation_;
    n.parent = parent;
    n.role = role_of(m.role);
    n.content = stored_text(std::move(m.content));
    n.created_ms = created_ms_;
    parent = store.add_message(std::move(n));
  }
  messages_.clear();
  store::NewMessage a;
  a.conversation = *conversation_;
  a.parent = parent;
  a.role = store::Role::Assistant;
  a.streaming = true;
  a.model = model_;
  a.created_ms = created_ms_;
  answer_ = store.add_message(std::move(a));
}

void Recording::answer_started(const std::string& text_so_far) {
  live_ = &text_so_far;
  arm_checkpoint();
}

// A long answer reaches the disk while it streams, as the terminal's do: one look at its size per
// interval, on the connection's strand, nothing per token.
void Recording::arm_checkpoint() {
  timer_.expires_after(recorder_.options_.checkpoint_every);
  timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->on_checkpoint();
  });
}

void Recording::on_checkpoint() {
  if (!live_) return;
  if (live_->size() != checkpointed_) {
    if (answer_.empty()) write_start();
    // Only what came since the last look is handed over (the end gives the whole text anyway).
    recorder_.store_.append_text(answer_, stored_text(live_->substr(checkpointed_)));
    checkpointed_ = live_->size();
  }
  arm_checkpoint();
}

void Recording::answer_ended(std::string text, const backend::Result<backend::ChatStats>& result, bool client_gone) {
  live_ = nullptr;
  timer_.cancel();
  const bool interrupted = client_gone || !result;
  // Refused or failed before its first word (an unknown model, no backend): the client was told
  // so, and the history keeps nothing.
  if (answer_.empty() && text.empty() && interrupted) return;
  if (answer_.empty()) write_start();
  keys_.push_back(key_of(ChatMessage::Role::Assistant, text));
  recorder_.store_.finish_answer(answer_, stored_text(std::move(text)),
                                 answer_meta(model_, result, std::chrono::steady_clock::now() - started_, interrupted));
  recorder_.remember({*conversation_, answer_, std::move(keys_)});
}

}  // namespace yollayah::gateway
