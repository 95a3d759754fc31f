// The clock of one streamed chat answer: which deadline the next read gets (the first token's,
// generous while a model loads, then the idle gap between pieces), what a timeout message says,
// and the time to the first token. Shared by the Ollama and OpenAI-compatible streams.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace yollayah::backend {

class ChatDeadlines {
 public:
  using Clock = std::chrono::steady_clock;

  ChatDeadlines(std::chrono::milliseconds first_token, std::chrono::milliseconds idle)
      : first_token_(first_token), idle_(idle) {}

  // The server is loading `model` first: the wait for the first token gets `load` instead.
  void loading(std::string model, std::chrono::milliseconds load);

  void on_sent() { sent_ = Clock::now(); }
  // Called for each piece of content; only the first one reads the clock.
  void on_content() {
    if (!got_content_) first_content();
  }

  bool got_content() const { return got_content_; }
  bool is_loading() const { return !loading_model_.empty(); }
  std::chrono::milliseconds read_timeout() const { return got_content_ ? idle_ : first_token_; }
  // "gave no first token within 60 s", "went silent for 30 s mid-answer".
  std::string timeout_text(std::chrono::milliseconds waited) const;

  // Request written → first content, in ns (0 before any content).
  std::uint64_t first_token_ns() const;
  Clock::time_point sent_at() const { return sent_; }
  Clock::time_point first_content_at() const { return first_content_; }

 private:
  void first_content();

  std::chrono::milliseconds first_token_;
  std::chrono::milliseconds idle_;
  std::string loading_model_;  // non-empty while the wait is for a model load
  bool got_content_ = false;
  Clock::time_point sent_ = Clock::now();
  Clock::time_point first_content_{};
};

}  // namespace yollayah::backend
