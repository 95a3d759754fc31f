// A Backend that passes everything to another and counts what its chats stream: the model tokens
// (content pieces), their bytes and the chats. The benchmarks compare these with what the
// surfaces received, so lost text shows as a bug rather than as a faster run.
#pragma once

#include "backend/backend.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace yollayah::bench {

// When each piece reached the Conductor: its end offset in the answer's bytes and the time. Written
// by the backend's thread, read by another: the slots are reserved up front and published by count.
class PieceStamps {
 public:
  explicit PieceStamps(std::size_t capacity) : slots_(capacity) {}
  void add(std::uint64_t end_offset) {
    const auto n = count_.load(std::memory_order_relaxed);
    if (n == slots_.size()) return;
    slots_[n] = {end_offset, std::chrono::steady_clock::now()};
    count_.store(n + 1, std::memory_order_release);
  }
  std::size_t count() const { return count_.load(std::memory_order_acquire); }
  const std::pair<std::uint64_t, std::chrono::steady_clock::time_point>& operator[](std::size_t i) const {
    return slots_[i];
  }

 private:
  std::vector<std::pair<std::uint64_t, std::chrono::steady_clock::time_point>> slots_;
  std::atomic<std::size_t> count_{0};
};

class CountingBackend final : public backend::Backend {
 public:
  explicit CountingBackend(std::shared_ptr<backend::Backend> inner) : inner_(std::move(inner)) {}
  std::string endpoint() const override { return inner_->endpoint(); }
  boost::asio::awaitable<backend::Result<backend::ChatStats>> chat(const backend::ChatRequest& r,
                                                                   backend::ChatSink& sink) override {
    Counting counting(sink, *this, stamps_for(r));
    co_return co_await inner_->chat(r, counting);
  }
  boost::asio::awaitable<backend::Result<std::vector<backend::ModelInfo>>> list_models() override {
    return inner_->list_models();
  }
  boost::asio::awaitable<backend::Result<std::string>> version() override { return inner_->version(); }

  std::atomic<std::uint64_t> tokens{0};  // content pieces, one per model token
  std::atomic<std::uint64_t> bytes{0};
  std::atomic<std::uint64_t> chats{0};
  // Stamps the pieces of the chats that start while it is set and whose last message is
  // `stamp_prompt` (any chat when empty), at their offsets in that chat's text.
  std::atomic<PieceStamps*> stamps{nullptr};
  std::string stamp_prompt;  // set before any chat

 private:
  PieceStamps* stamps_for(const backend::ChatRequest& r) const {
    if (!stamp_prompt.empty() && (r.messages.empty() || r.messages.back().content != stamp_prompt)) return nullptr;
    return stamps.load();
  }
  struct Counting final : backend::ChatSink {
    Counting(backend::ChatSink& inner, CountingBackend& owner, PieceStamps* stamps)
        : inner_(inner), owner_(owner), stamps_(stamps) {
      owner_.chats.fetch_add(1, std::memory_order_relaxed);
    }
    void on_content(std::string_view text) override {
      owner_.tokens.fetch_add(1, std::memory_order_relaxed);
      owner_.bytes.fetch_add(text.size(), std::memory_order_relaxed);
      chat_bytes_ += text.size();
      if (stamps_) stamps_->add(chat_bytes_);
      inner_.on_content(text);
    }
    void on_batch_end() override { inner_.on_batch_end(); }
    void on_loading(std::string_view model) override { inner_.on_loading(model); }
    void on_switch(std::string_view text) override { inner_.on_switch(text); }
    backend::ChatSink& inner_;
    CountingBackend& owner_;
    PieceStamps* stamps_;
    std::uint64_t chat_bytes_ = 0;
  };
  std::shared_ptr<backend::Backend> inner_;
};

}  // namespace yollayah::bench
