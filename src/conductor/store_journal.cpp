#include "conductor/store_journal.hpp"

#include "store/text.hpp"

#include <algorithm>
#include <cctype>

namespace yollayah::conductor {

StoreJournal::StoreJournal(store::HistoryStore& store, boost::asio::any_io_executor strand, Options options)
    : store_(store),
      options_(std::move(options)),
      conversation_(options_.conversation),
      tip_(options_.tip),
      timer_(std::move(strand)) {}

void StoreJournal::user_message(const HistoryMessage& message, const protocol::MessageId& /*answer_id*/) {
  if (!conversation_) {
    // Lazily: a session nobody writes to leaves no empty conversation behind.
    store::NewConversation c;
    c.title = pending_title_.empty() ? store::title_from(message.content) : std::move(pending_title_);
    pending_title_.clear();
    c.model = options_.model;
    c.system_prompt = options_.system_prompt;
    c.surface = options_.surface;
    c.created_ms = message.timestamp_ms;
    conversation_ = store_.create_conversation(std::move(c));
  }
  store::NewMessage m;
  m.conversation = *conversation_;
  m.parent = tip_;
  m.role = protocol::MessageRole::User;
  m.content = message.content;
  m.content_type = message.content_type;
  m.created_ms = message.timestamp_ms;
  tip_ = store_.add_message(std::move(m));
  answered_.reset();
}

// The answers the conversation holds: a chat turn's and a follow-up's. The greeting comes before
// anything was asked, and an agent's answer is its task's output.
void StoreJournal::answer_started(const Turn& turn) {
  if (!conversation_ || !(turn.kind() == TurnKind::Chat || turn.kind() == TurnKind::FollowUp)) return;
  store::NewMessage m;
  m.conversation = *conversation_;
  m.parent = tip_;
  m.role = protocol::MessageRole::Assistant;
  m.streaming = true;
  m.model = turn.request.model;
  // A chat answer replies to the user's message; a follow-up to the answer before it.
  const auto parent = tip_;
  tip_ = store_.add_message(std::move(m));
  if (turn.kind() == TurnKind::Chat) answered_ = parent;
  else answered_.reset();
  answers_.emplace(turn.id(), Streaming{*tip_, {}});
  last_turn_ = nullptr;
}

StoreJournal::Streaming* StoreJournal::streaming(const Turn& turn) {
  if (&turn != last_turn_) {
    last_turn_ = &turn;
    const auto it = answers_.find(turn.id());
    last_answer_ = it == answers_.end() ? nullptr : &it->second;
  }
  return last_answer_;
}

// Per flush: a pointer comparison and an append. No clock is read: the timer hands the text over.
void StoreJournal::answer_text(const Turn& turn, std::string_view appended) {
  if (answers_.empty()) return;
  Streaming* a = streaming(turn);
  if (!a) return;
  a->unsaved.append(appended);
  if (!timer_armed_) hand_over_later();
}

void StoreJournal::hand_over() {
  for (auto& [_, a] : answers_) {
    if (a.unsaved.empty()) continue;
    store_.append_text(a.id, std::move(a.unsaved));
    a.unsaved = std::string();
    last_hand_over_ = Clock::now();
  }
}

// The first text after a pause goes at once; then at most once per checkpoint_every. A stream that
// pauses right after a kept-back flush still reaches the disk within the interval.
void StoreJournal::hand_over_later() {
  timer_armed_ = true;
  timer_.expires_at(std::max(Clock::now(), last_hand_over_ + options_.checkpoint_every));
  timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) {
      self->timer_armed_ = false;
      self->hand_over();
    }
  });
}

void StoreJournal::answer_finished(const Turn& turn, const HistoryMessage* stored,
                                   const protocol::ResponseMetadata& metadata, bool failed) {
  const auto it = answers_.find(turn.id());
  if (it == answers_.end()) return;
  last_turn_ = nullptr;
  const bool interrupted = failed || (stored && stored->interrupted);
  // What was handed over, and the rest: the text that went out (the history's too). An answer that
  // failed before its first word became an error note in the session: the store keeps the empty
  // answer, marked interrupted, so the conversation's shape stays.
  store_.finish_appended(it->second.id, std::move(it->second.unsaved), store::from_metadata(metadata, interrupted));
  answers_.erase(it);
}

void StoreJournal::start_new() {
  conversation_.reset();
  tip_.reset();
  answered_.reset();
  pending_title_.clear();
}

void StoreJournal::switch_to(const store::Conversation& conversation) {
  conversation_ = conversation.summary.id;
  tip_.reset();
  answered_.reset();
  pending_title_.clear();
  const auto& m = conversation.messages;
  if (m.empty()) return;
  tip_ = m.back().id;
  const bool answer_to_user = m.size() >= 2 && m.back().role == protocol::MessageRole::Assistant &&
                              m[m.size() - 2].role == protocol::MessageRole::User && m.back().parent == m[m.size() - 2].id;
  if (answer_to_user) answered_ = m[m.size() - 2].id;
}

void StoreJournal::set_title(std::string title) {
  if (conversation_) store_.set_title(*conversation_, std::move(title));
  else pending_title_ = std::move(title);
}

bool StoreJournal::retry_last_answer() {
  if (!answered_ || !answers_.empty()) return false;
  tip_ = answered_;
  return true;
}

namespace {

store::TaskRecord task_record(const Task& task, const store::ConversationId& conversation,
                              const std::optional<store::MessageId>& message) {
  store::TaskRecord r;
  r.id = task.id;
  r.conversation = conversation;
  r.message = message;
  r.agent = task.agent;
  r.description = task.description;
  r.status = std::string(to_string(task.status));  // "Done" → "done", as the store spells them
  for (auto& ch : r.status) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  r.created_ms = task.created_ms;
  return r;
}

}  // namespace

void StoreJournal::task_started(const Task& task, const Turn& turn) {
  if (!conversation_ || !turn.agent) return;
  std::optional<store::MessageId> answer;
  if (const auto it = answers_.find(turn.agent->group); it != answers_.end()) answer = it->second.id;
  store_.record_task(task_record(task, *conversation_, answer));
  tasks_.emplace(task.id, answer.value_or(store::MessageId{}));
}

void StoreJournal::task_finished(const Task& task, const Turn& /*turn*/, std::string_view output) {
  const auto it = tasks_.find(task.id);
  if (it == tasks_.end() || !conversation_) return;
  std::optional<store::MessageId> answer;
  if (!it->second.empty()) answer = it->second;
  auto r = task_record(task, *conversation_, answer);
  r.output = std::string(output);
  r.finished_ms = task.updated_ms;
  store_.record_task(std::move(r));
  tasks_.erase(it);
}

}  // namespace yollayah::conductor
