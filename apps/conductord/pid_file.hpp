// conductord's PID file: refuse to start beside a live daemon, clean up after a dead one.
// Blocking file I/O: start-up and exit only, never on the event loop.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace yollayah::conductord {

// The PID recorded in `path`, when the file exists and holds one.
std::optional<pid_t> read_pid_file(const std::string& path);

// nullopt when no live process owns `path` (a stale file is removed); otherwise the owner's PID.
// kill(pid, 0) tells: success or EPERM means the process exists.
std::optional<pid_t> live_pid_owner(const std::string& path);

// Writes our PID (mode 0644, via a temporary file and rename). Returns an error message on failure.
std::optional<std::string> write_pid_file(const std::string& path);

// Removes `path` if it still holds our PID.
void remove_pid_file(const std::string& path);

}  // namespace yollayah::conductord
