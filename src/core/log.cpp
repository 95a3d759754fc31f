#include "core/log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

namespace yollayah::core {
namespace {

// Writes log lines to a file from its own thread, so a loop that logs never waits for the disk.
// Unlike spdlog's async logger (whose worker wakes every 10 s), the writer sleeps until there is
// a line to write: an idle process makes no wake-ups. At most kMaxQueued lines wait; past that
// the oldest are dropped and the count is written in their place.
class BackgroundFileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  static constexpr std::size_t kMaxQueued = 8192;

  explicit BackgroundFileSink(const std::string& path) : file_(std::fopen(path.c_str(), "a")) {
    if (file_) writer_ = std::thread([this] { write_loop(); });
  }
  ~BackgroundFileSink() override {
    {
      std::lock_guard lock(queue_mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    if (writer_.joinable()) writer_.join();
    if (file_) std::fclose(file_);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (!file_) return;
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    {
      std::lock_guard lock(queue_mutex_);
      if (queue_.size() >= kMaxQueued) {
        queue_.pop_front();
        ++dropped_;
      }
      queue_.emplace_back(formatted.data(), formatted.size());
    }
    wake_.notify_one();
  }
  void flush_() override {
    {
      std::lock_guard lock(queue_mutex_);
      flush_requested_ = true;
    }
    wake_.notify_one();
  }

 private:
  void write_loop() {
    std::deque<std::string> batch;
    for (;;) {
      bool flush = false;
      std::size_t dropped = 0;
      bool stop = false;
      {
        std::unique_lock lock(queue_mutex_);
        wake_.wait(lock, [this] { return stopping_ || flush_requested_ || !queue_.empty(); });
        batch.swap(queue_);
        flush = std::exchange(flush_requested_, false);
        dropped = std::exchange(dropped_, 0);
        stop = stopping_;
      }
      if (dropped > 0) std::fprintf(file_, "[log] %zu lines dropped: the writer fell behind\n", dropped);
      for (const auto& line : batch) std::fwrite(line.data(), 1, line.size(), file_);
      batch.clear();
      if (flush || stop) std::fflush(file_);
      if (stop) return;
    }
  }

  std::FILE* file_;
  std::thread writer_;
  std::mutex queue_mutex_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;
  std::size_t dropped_ = 0;
  bool flush_requested_ = false;
  bool stopping_ = false;
};

std::shared_ptr<spdlog::logger>& current() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = std::make_shared<spdlog::logger>("yollayah", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_level(spdlog::level::warn);
    return l;
  }();
  return logger;
}

}  // namespace

spdlog::logger& log() { return *current(); }

void init_file_logging(const std::string& path, spdlog::level::level_enum level) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  auto l = std::make_shared<spdlog::logger>("yollayah", std::make_shared<BackgroundFileSink>(path));
  l->set_level(level);
  l->flush_on(spdlog::level::warn);
  current() = l;
}

void set_log_level(spdlog::level::level_enum level) { current()->set_level(level); }

void disable_logging() {
  current() = std::make_shared<spdlog::logger>("yollayah", std::make_shared<spdlog::sinks::null_sink_mt>());
}

}  // namespace yollayah::core
