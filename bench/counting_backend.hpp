// A Backend that passes everything to another and counts what its chats stream: the model tokens
// (content pieces), their bytes and the chats. The benchmarks compare these with what the
// surfaces received, so lost text shows as a bug rather than as a faster run.
#pragma once

#include "backend/backend.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace yollayah::bench {

class CountingBackend final : public backend::Backend {
 public:
  explicit CountingBackend(std::shared_ptr<backend::Backend> inner) : inner_(std::move(inner)) {}
  std::string endpoint() const override { return inner_->endpoint(); }
  boost::asio::awaitable<backend::Result<backend::ChatStats>> chat(const backend::ChatRequest& r,
                                                                   backend::ChatSink& sink) override {
    Counting counting(sink, *this);
    co_return co_await inner_->chat(r, counting);
  }
  boost::asio::awaitable<backend::Result<std::vector<backend::ModelInfo>>> list_models() override {
    return inner_->list_models();
  }
  boost::asio::awaitable<backend::Result<std::string>> version() override { return inner_->version(); }

  std::atomic<std::uint64_t> tokens{0};  // content pieces, one per model token
  std::atomic<std::uint64_t> bytes{0};
  std::atomic<std::uint64_t> chats{0};

 private:
  struct Counting final : backend::ChatSink {
    Counting(backend::ChatSink& inner, CountingBackend& owner) : inner_(inner), owner_(owner) {
      owner_.chats.fetch_add(1, std::memory_order_relaxed);
    }
    void on_content(std::string_view text) override {
      owner_.tokens.fetch_add(1, std::memory_order_relaxed);
      owner_.bytes.fetch_add(text.size(), std::memory_order_relaxed);
      inner_.on_content(text);
    }
    void on_batch_end() override { inner_.on_batch_end(); }
    void on_loading(std::string_view model) override { inner_.on_loading(model); }
    void on_switch(std::string_view text) override { inner_.on_switch(text); }
    backend::ChatSink& inner_;
    CountingBackend& owner_;
  };
  std::shared_ptr<backend::Backend> inner_;
};

}  // namespace yollayah::bench
