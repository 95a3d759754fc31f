#include "backend/chat_deadlines.hpp"

#include "backend/http_client.hpp"

namespace yollayah::backend {

void ChatDeadlines::loading(std::string model, std::chrono::milliseconds load) {
  loading_model_ = std::move(model);
  first_token_ = load;
}

void ChatDeadlines::first_content() {
  got_content_ = true;
  first_content_ = Clock::now();
}

std::string ChatDeadlines::timeout_text(std::chrono::milliseconds waited) const {
  if (got_content_) return "went silent for " + seconds_text(waited) + " mid-answer";
  if (!loading_model_.empty()) {
    return "gave no first token within " + seconds_text(waited) + " while loading " + loading_model_;
  }
  return "gave no first token within " + seconds_text(waited);
}

std::uint64_t ChatDeadlines::first_token_ns() const {
  if (!got_content_) return 0;
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(first_content_ - sent_).count();
  return ns > 0 ? static_cast<std::uint64_t>(ns) : 0;
}

}  // namespace yollayah::backend
