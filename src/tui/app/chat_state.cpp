#include "tui/app/chat_state.hpp"

#include <algorithm>
#include <cstdio>

namespace yollayah::tui::app {

namespace msg = protocol::msg;
using Role = view::Role;

namespace {

Role role_of(protocol::MessageRole role, const protocol::ContentType& type) {
  if (type.kind == protocol::ContentType::Kind::Error) return Role::Error;
  switch (role) {
    case protocol::MessageRole::User: return Role::User;
    case protocol::MessageRole::Assistant: return Role::Assistant;
    case protocol::MessageRole::System: return Role::System;
  }
  return Role::System;
}

bool was_cancelled(const protocol::ResponseMetadata& meta) {
  return meta.context_hint == std::optional<std::string>("cancelled");
}

}  // namespace

std::string format_branch(const protocol::BranchPosition& branch) {
  return std::to_string(branch.index) + "/" + std::to_string(branch.count);
}

// "2/3 · llama3.2 on gpu-box · 1.2 s to first token · 31.0 tok/s · 4.0 s · 2 tasks"
std::string format_metadata(const protocol::ResponseMetadata& meta) {
  std::string out = meta.branch && meta.branch->count > 1 ? format_branch(*meta.branch) : std::string();
  char buf[64];
  auto add = [&out](const std::string& part) { out += (out.empty() ? "" : " · ") + part; };
  const bool model = meta.model_id && !meta.model_id->empty();
  if (model) add(*meta.model_id);
  if (meta.backend) out += (model ? " on " : out.empty() ? "" : " · ") + *meta.backend;
  if (meta.first_token_ms) {
    std::snprintf(buf, sizeof buf, "%.1f s to first token", static_cast<double>(*meta.first_token_ms) / 1000.0);
    add(buf);
  }
  if (meta.tokens_per_second && *meta.tokens_per_second > 0) {
    std::snprintf(buf, sizeof buf, "%.1f tok/s", static_cast<double>(*meta.tokens_per_second));
    add(buf);
  }
  if (meta.elapsed_ms > 0) {
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(meta.elapsed_ms) / 1000.0);
    add(buf);
  }
  if (meta.agent_tasks_spawned > 0) {
    add(std::to_string(meta.agent_tasks_spawned) + (meta.agent_tasks_spawned == 1 ? " task" : " tasks"));
  }
  return out;
}

view::ChatEntry& ChatState::push(Role role, std::string text, std::string message_id) {
  view::ChatEntry entry;
  entry.key = next_key_++;
  entry.role = role;
  entry.text = std::move(text);
  entry.revision = ++revision_;
  entries_.push_back(std::move(entry));
  origins_.push_back(Origin{std::move(message_id)});
  trim();
  return entries_.back();
}

// Drops the oldest tenth at once, so trimming is rare and the view's cache (keyed by entry key)
// stays valid for everything kept.
void ChatState::trim() {
  if (entries_.size() <= kMaxEntries) return;
  const std::size_t drop = kMaxEntries / 10;
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(drop));
  origins_.erase(origins_.begin(), origins_.begin() + static_cast<std::ptrdiff_t>(drop));
  if (streaming_index_) {
    streaming_index_ = *streaming_index_ >= drop ? std::optional(*streaming_index_ - drop) : std::nullopt;
  }
}

view::ChatEntry* ChatState::find(const std::string& message_id) {
  if (streaming_index_ && origins_[*streaming_index_].id == message_id) return &entries_[*streaming_index_];
  for (std::size_t i = origins_.size(); i-- > 0;) {
    if (origins_[i].id == message_id) return &entries_[i];
  }
  return nullptr;
}

std::optional<std::uint64_t> ChatState::key_of(std::string_view message_id) const {
  for (std::size_t i = origins_.size(); i-- > 0;)
    if (origins_[i].id == message_id) return entries_[i].key;
  return std::nullopt;
}

// Keys grow with the entries, so the walk back stops below the oldest key asked about.
std::optional<std::string> ChatState::newest_with_versions(std::span<const std::uint64_t> keys) const {
  if (keys.empty()) return std::nullopt;
  const auto [low, high] = std::minmax_element(keys.begin(), keys.end());
  for (std::size_t i = entries_.size(); i-- > 0 && entries_[i].key >= *low;) {
    const bool asked = entries_[i].key <= *high && std::find(keys.begin(), keys.end(), entries_[i].key) != keys.end();
    if (asked && origins_[i].versions > 1 && !origins_[i].id.empty()) return origins_[i].id;
  }
  return std::nullopt;
}

std::optional<ChatState::Sent> ChatState::last_user_message() const {
  for (std::size_t i = entries_.size(); i-- > 0;)
    if (entries_[i].role == Role::User && !origins_[i].id.empty()) return Sent{origins_[i].id, entries_[i].text};
  return std::nullopt;
}

void ChatState::on_token(const msg::Token& token, Clock::time_point now) {
  ++tokens_received_;
  view::ChatEntry* entry = find(token.message_id);
  if (!entry) {
    entry = &push(Role::Assistant, {}, token.message_id);
    stream_started_ = now;
    stream_chunks_ = 0;
  }
  if (!entry->streaming) {
    entry->streaming = true;
    streaming_index_ = static_cast<std::size_t>(entry - entries_.data());
  }
  entry->text += token.text;
  ++stream_chunks_;
  last_token_at_ = now;
  touch(*entry);
}

void ChatState::on_stream_end(const msg::StreamEnd& end) {
  view::ChatEntry* entry = find(end.message_id);
  if (!entry) entry = &push(Role::Assistant, {}, end.message_id);
  entry->text = end.final_content;
  entry->streaming = false;
  entry->interrupted = was_cancelled(end.metadata);
  entry->meta = format_metadata(end.metadata);
  if (end.metadata.branch)
    origins_[static_cast<std::size_t>(entry - entries_.data())].versions = end.metadata.branch->count;
  touch(*entry);
  streaming_index_.reset();
}

void ChatState::on_stream_error(const msg::StreamError& error) {
  streaming_index_.reset();
  view::ChatEntry* entry = find(error.message_id);
  if (entry && entry->text.empty()) {
    // Nothing arrived: the answer becomes the error, as the Conductor stores it.
    entry->role = Role::Error;
    entry->streaming = false;
    entry->text = "Error: " + error.error;
    touch(*entry);
    return;
  }
  if (entry) {
    entry->streaming = false;
    entry->interrupted = true;
    touch(*entry);
  }
  push(Role::Error, "Error: " + error.error, {});
}

void ChatState::on_snapshot(const msg::StateSnapshot& snapshot) {
  entries_.clear();
  origins_.clear();
  streaming_index_.reset();
  for (const auto& m : snapshot.conversation_history) {
    auto& entry = push(role_of(m.role, m.content_type), m.content, m.id);
    if (m.branch) origins_.back().versions = m.branch->count;
    // Version 2: an answer's meta line as the store kept it, and the versions of a message ("2/3").
    if (m.metadata) {
      protocol::ResponseMetadata meta = *m.metadata;
      if (m.branch) meta.branch = *m.branch;
      entry.meta = format_metadata(meta);
      entry.interrupted = was_cancelled(meta);
    } else if (m.branch && m.branch->count > 1) {
      entry.meta = format_branch(*m.branch);
    }
  }
  const auto& session = snapshot.session_info;
  if (!session.model.empty()) model_ = session.model;
  state_ = session.state;
  ready_ = ready_ || session.ready || state_ == protocol::ConductorState::Ready;
  // A snapshot taken mid-stream: the last answer is still growing and its tokens follow.
  if (!entries_.empty() && entries_.back().role == Role::Assistant &&
      (state_ == protocol::ConductorState::Responding || state_ == protocol::ConductorState::Thinking)) {
    entries_.back().streaming = true;
    streaming_index_ = entries_.size() - 1;
  }
}

TaskRow* ChatState::task_row(std::string_view id) {
  auto it = std::find_if(tasks_.begin(), tasks_.end(), [&](const TaskRow& t) { return t.id == id; });
  return it == tasks_.end() ? nullptr : &*it;
}

const TaskRow* ChatState::task(std::string_view id) const {
  auto it = std::find_if(tasks_.begin(), tasks_.end(), [&](const TaskRow& t) { return t.id == id; });
  return it == tasks_.end() ? nullptr : &*it;
}

TaskRow* ChatState::conversation_row(std::string_view conversation_id) {
  if (conversation_id.empty()) return nullptr;
  auto it = std::find_if(tasks_.begin(), tasks_.end(), [&](const TaskRow& t) { return t.conversation_id == conversation_id; });
  return it == tasks_.end() ? nullptr : &*it;
}

bool ChatState::agents_running() const {
  return std::any_of(tasks_.begin(), tasks_.end(), [](const TaskRow& t) { return t.status == TaskRow::Status::Running; });
}

void ChatState::on_task(const protocol::ConductorMessage& message, Clock::time_point now) {
  if (auto* created = std::get_if<msg::TaskCreated>(&message)) {
    TaskRow t;
    t.id = created->task_id;
    t.agent = created->agent;
    t.description = created->description;
    t.started_at = now;
    tasks_.push_back(std::move(t));
  } else if (auto* updated = std::get_if<msg::TaskUpdated>(&message)) {
    if (TaskRow* t = task_row(updated->task_id)) {
      t->progress = std::min<std::uint8_t>(updated->progress, 100);
      if (updated->status_message) t->detail = *updated->status_message;
    }
  } else if (auto* completed = std::get_if<msg::TaskCompleted>(&message)) {
    if (TaskRow* t = task_row(completed->task_id)) {
      t->status = TaskRow::Status::Done;
      t->progress = 100;
      if (completed->summary) t->detail = *completed->summary;
      t->finished_at = now;
    }
  } else if (auto* failed = std::get_if<msg::TaskFailed>(&message)) {
    if (TaskRow* t = task_row(failed->task_id)) {
      t->status = failed->error == "Cancelled" ? TaskRow::Status::Cancelled : TaskRow::Status::Failed;
      t->detail = failed->error;
      t->finished_at = now;
    }
  }
}

// An agent's live text (version 2): the row learns its family name, its last line and its answer.
bool ChatState::on_agent_conversation(const protocol::ConductorMessage& message) {
  if (auto* created = std::get_if<msg::ConversationCreated>(&message)) {
    if (!created->task_id) return false;
    TaskRow* t = task_row(*created->task_id);
    if (!t) return false;
    t->conversation_id = created->conversation_id;
    if (created->agent_name) t->agent = *created->agent_name;
    return true;
  }
  if (auto* token = std::get_if<msg::ConversationStreamToken>(&message)) {
    TaskRow* t = conversation_row(token->conversation_id);
    if (!t) return false;
    t->answer += token->token;
    ++t->revision;
    std::string_view text = t->answer;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    const auto nl = text.rfind('\n');
    if (!text.empty()) t->detail.assign(nl == std::string_view::npos ? text : text.substr(nl + 1));
    return true;
  }
  if (auto* end = std::get_if<msg::ConversationStreamEnd>(&message)) {
    TaskRow* t = conversation_row(end->conversation_id);
    if (!t) return false;
    t->answer = end->final_content;
    ++t->revision;
    return true;
  }
  return false;
}

void ChatState::add_toast(protocol::NotifyLevel level, std::string title, std::string message, Clock::time_point now) {
  const bool serious = level == protocol::NotifyLevel::Error || level == protocol::NotifyLevel::Warning;
  toasts_.push_back(Toast{level, std::move(title), std::move(message), now + (serious ? kErrorToastTime : kToastTime)});
  if (toasts_.size() > kMaxToasts) toasts_.erase(toasts_.begin());
}

bool ChatState::apply(const protocol::ConductorMessage& message, Clock::time_point now) {
  return std::visit(
      [&](const auto& m) -> bool {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, msg::Token>) {
          on_token(m, now);
        } else if constexpr (std::is_same_v<T, msg::StreamEnd>) {
          on_stream_end(m);
        } else if constexpr (std::is_same_v<T, msg::StreamError>) {
          on_stream_error(m);
        } else if constexpr (std::is_same_v<T, msg::Message>) {
          if (view::ChatEntry* existing = find(m.id)) {
            existing->text = m.content;
            existing->role = role_of(m.role, m.content_type);
            existing->streaming = false;
            touch(*existing);
          } else {
            push(role_of(m.role, m.content_type), m.content, m.id);
          }
        } else if constexpr (std::is_same_v<T, msg::State>) {
          if (state_ == m.state) return false;
          state_ = m.state;
          if (state_ == protocol::ConductorState::Ready) ready_ = true;
        } else if constexpr (std::is_same_v<T, msg::SessionInfo>) {
          model_ = m.model;
          ready_ = ready_ || m.ready;
          history_off_ = m.history == protocol::Extension<bool>(false);
        } else if constexpr (std::is_same_v<T, msg::StateSnapshot>) {
          on_snapshot(m);
        } else if constexpr (std::is_same_v<T, msg::Notify>) {
          add_toast(m.level, m.title.value_or(""), m.message, now);
        } else if constexpr (std::is_same_v<T, msg::TaskCreated> || std::is_same_v<T, msg::TaskUpdated> ||
                             std::is_same_v<T, msg::TaskCompleted> || std::is_same_v<T, msg::TaskFailed>) {
          on_task(message, now);
        } else if constexpr (std::is_same_v<T, msg::ConversationCreated> || std::is_same_v<T, msg::ConversationStreamToken> ||
                             std::is_same_v<T, msg::ConversationStreamEnd>) {
          return on_agent_conversation(message);
        } else if constexpr (std::is_same_v<T, msg::Quit>) {
          quit_ = true;
          quit_message_ = m.message;
        } else if constexpr (std::is_same_v<T, msg::HandshakeAck>) {
          if (m.accepted) return false;
          quit_ = true;
          refused_ = true;
          quit_message_ = "the Conductor refused this surface: " + m.rejection_reason.value_or("no reason given");
        } else {
          return false;  // acks, pings, avatar messages (the avatar view takes those) …
        }
        return true;
      },
      message);
}

bool ChatState::expire(Clock::time_point now) {
  const auto toasts_before = toasts_.size();
  std::erase_if(toasts_, [&](const Toast& t) { return t.expires_at <= now; });
  const auto tasks_before = tasks_.size();
  if (!hold_tasks_) {
    std::erase_if(tasks_, [&](const TaskRow& t) {
      const auto keep = t.conversation_id.empty() ? kFinishedTaskTime : kFinishedAgentTime;
      return t.status != TaskRow::Status::Running && t.finished_at + keep <= now;
    });
  }
  return toasts_.size() != toasts_before || tasks_.size() != tasks_before;
}

std::optional<Clock::time_point> ChatState::next_expiry() const {
  std::optional<Clock::time_point> next;
  auto consider = [&](Clock::time_point t) {
    if (!next || t < *next) next = t;
  };
  for (const auto& t : toasts_) consider(t.expires_at);
  for (const auto& t : tasks_) {
    if (hold_tasks_ || t.status == TaskRow::Status::Running) continue;
    consider(t.finished_at + (t.conversation_id.empty() ? kFinishedTaskTime : kFinishedAgentTime));
  }
  return next;
}

double ChatState::token_messages_per_second() const {
  const auto span = std::chrono::duration<double>(last_token_at_ - stream_started_).count();
  if (stream_chunks_ < 2 || span <= 0) return 0;
  return static_cast<double>(stream_chunks_ - 1) / span;
}

}  // namespace yollayah::tui::app
