#include "core/log.hpp"

#include <spdlog/async.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <filesystem>

namespace yollayah::core {
namespace {

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
  spdlog::init_thread_pool(8192, 1);
  auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path);
  auto l = std::make_shared<spdlog::async_logger>("yollayah", sink, spdlog::thread_pool(),
                                                  spdlog::async_overflow_policy::overrun_oldest);
  l->set_level(level);
  l->flush_on(spdlog::level::warn);
  current() = l;
}

void set_log_level(spdlog::level::level_enum level) { current()->set_level(level); }

void disable_logging() {
  current() = std::make_shared<spdlog::logger>("yollayah", std::make_shared<spdlog::sinks::null_sink_mt>());
}

}  // namespace yollayah::core
