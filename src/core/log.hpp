// Process-wide logging through spdlog. Until init_file_logging() runs, logs go to stderr at warn
// level; a TUI process must log to a file so nothing paints over the screen.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace yollayah::core {

spdlog::logger& log();

// Switches logging to an async file logger at `path` (directories are created).
void init_file_logging(const std::string& path, spdlog::level::level_enum level);

// Keeps stderr logging but sets its level (for daemons and tools).
void set_log_level(spdlog::level::level_enum level);

// Silences logging entirely (tests, `yollayah ask`).
void disable_logging();

}  // namespace yollayah::core
