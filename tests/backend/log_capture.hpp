// Captures everything the process logs, at every level, while it lives (then logging is off again).
#pragma once

#include "core/log.hpp"

#include <spdlog/sinks/ostream_sink.h>

#include <memory>
#include <sstream>
#include <string>

namespace yollayah::backend::testing {

struct LogCapture {
  LogCapture() {
    core::log().sinks().push_back(sink);
    core::log().set_level(spdlog::level::trace);
  }
  ~LogCapture() {
    core::log().sinks().pop_back();
    core::disable_logging();
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  std::string text() const { return out.str(); }
  std::ostringstream out;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
};

}  // namespace yollayah::backend::testing
