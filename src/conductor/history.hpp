// One session's conversation: the messages, their pruning, and what goes to the model as context.
#pragma once

#include "backend/backend.hpp"
#include "protocol/types.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace yollayah::conductor {

struct HistoryMessage {
  protocol::MessageId id;
  protocol::MessageRole role = protocol::MessageRole::User;
  std::string content;
  protocol::ContentType content_type;
  std::uint64_t timestamp_ms = 0;
  bool streaming = false;    // the answer is still arriving
  bool interrupted = false;  // the answer stopped early (error or cancel); the partial text is kept
  // One of several versions of this message in the store ("2/3"): an answer after /retry, an edited
  // question. Absent: the only one, or history is off.
  std::optional<protocol::BranchPosition> branch;
  std::optional<protocol::ResponseMetadata> metadata;  // an answer's, once it ended (its meta line)
};

class History {
 public:
  struct Limits {
    std::size_t max_messages = 1000;
    std::size_t max_bytes = 10 * 1024 * 1024;
  };

  explicit History(Limits limits) : limits_(limits) {}
  void set_limits(Limits limits) { limits_ = limits; }

  HistoryMessage& append(HistoryMessage message);
  HistoryMessage* find(const protocol::MessageId& id);
  void clear();

  // Drops the oldest messages until within limits; never the one still streaming.
  void prune();

  // Appends streamed text to a message (the streaming answer).
  void append_text(HistoryMessage& message, std::string_view text);

  // The last `max_messages` user and assistant messages with content, oldest first, after the
  // system prompt. System notes (help text, errors) are not sent to the model.
  std::vector<backend::ChatMessage> context(const std::string& system_prompt, std::size_t max_messages) const;

  std::vector<protocol::SnapshotMessage> snapshot(std::size_t last_n) const;

  std::size_t size() const { return messages_.size(); }
  std::size_t bytes() const { return bytes_; }
  std::uint32_t total_added() const { return total_added_; }
  const std::deque<HistoryMessage>& messages() const { return messages_; }

 private:
  Limits limits_;
  std::deque<HistoryMessage> messages_;
  std::size_t bytes_ = 0;
  std::uint32_t total_added_ = 0;  // like the original, not reset by /clear
};

}  // namespace yollayah::conductor
