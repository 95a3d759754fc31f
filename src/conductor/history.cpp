#include "conductor/history.hpp"

#include <algorithm>

namespace yollayah::conductor {

HistoryMessage& History::append(HistoryMessage message) {
  bytes_ += message.content.size();
  ++total_added_;
  messages_.push_back(std::move(message));
  prune();
  return messages_.back();
}

HistoryMessage* History::find(const protocol::MessageId& id) {
  // Recent messages are the ones looked up: search from the back.
  for (auto it = messages_.rbegin(); it != messages_.rend(); ++it)
    if (it->id == id) return &*it;
  return nullptr;
}

void History::clear() {
  // Keep a streaming answer: its turn is still writing into it.
  std::deque<HistoryMessage> kept;
  for (auto& m : messages_)
    if (m.streaming) kept.push_back(std::move(m));
  messages_ = std::move(kept);
  bytes_ = 0;
  for (auto& m : messages_) bytes_ += m.content.size();
}

void History::prune() {
  auto over = [&] { return messages_.size() > limits_.max_messages || bytes_ > limits_.max_bytes; };
  auto it = messages_.begin();
  while (over() && it != messages_.end()) {
    if (it->streaming) {
      ++it;
      continue;
    }
    bytes_ -= it->content.size();
    it = messages_.erase(it);
  }
}

void History::append_text(HistoryMessage& message, std::string_view text) {
  message.content.append(text);
  bytes_ += text.size();
}

std::vector<backend::ChatMessage> History::context(const std::string& system_prompt, std::size_t max_messages) const {
  std::vector<backend::ChatMessage> out;
  std::vector<const HistoryMessage*> picked;
  for (auto it = messages_.rbegin(); it != messages_.rend() && picked.size() < max_messages; ++it) {
    if (it->role == protocol::MessageRole::System || it->content.empty() || it->streaming) continue;
    picked.push_back(&*it);
  }
  out.reserve(picked.size() + 1);
  if (!system_prompt.empty()) out.push_back({backend::ChatMessage::Role::System, system_prompt});
  for (auto it = picked.rbegin(); it != picked.rend(); ++it) {
    auto role = (*it)->role == protocol::MessageRole::User ? backend::ChatMessage::Role::User
                                                           : backend::ChatMessage::Role::Assistant;
    out.push_back({role, (*it)->content});
  }
  return out;
}

std::vector<protocol::SnapshotMessage> History::snapshot(std::size_t last_n) const {
  std::vector<protocol::SnapshotMessage> out;
  std::size_t start = messages_.size() > last_n ? messages_.size() - last_n : 0;
  out.reserve(messages_.size() - start);
  for (std::size_t i = start; i < messages_.size(); ++i) {
    const auto& m = messages_[i];
    auto& s = out.emplace_back(protocol::SnapshotMessage{m.id, m.role, m.content, m.content_type, m.timestamp_ms});
    if (m.branch) s.branch = *m.branch;
    if (m.metadata) s.metadata = *m.metadata;
  }
  return out;
}

}  // namespace yollayah::conductor
