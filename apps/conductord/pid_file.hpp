// conductord's PID file: refuse to start beside a live daemon, clean up after a dead one.
// Blocking file I/O: start-up and exit only, never on the event loop.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace yollayah::conductord {

// The PID recorded in `path`, when the file exists and holds one.
std::optional<pid_t> read_pid_file(const std::string& path);

// nullopt when no live conductord owns `path` (a stale file is removed); otherwise the owner's
// PID. kill(pid, 0) tells whether the process exists (success or EPERM), and /proc whether it is
// a conductord: after a crash the PID may belong to anything.
std::optional<pid_t> live_pid_owner(const std::string& path);

// The executable's file name of process `pid` (/proc/PID/exe, else /proc/PID/comm); nullopt when
// /proc cannot tell.
std::optional<std::string> process_name(pid_t pid);

// "conductord", or this program's own name (a renamed or installed copy of it).
bool is_conductord_name(std::string_view name);

// Writes our PID (mode 0644, via a temporary file and rename). Returns an error message on failure.
std::optional<std::string> write_pid_file(const std::string& path);

// Removes `path` if it still holds our PID.
void remove_pid_file(const std::string& path);

}  // namespace yollayah::conductord
