// Start-up file-system work for the conductor's Unix socket: a private directory, recovery of a
// stale socket, a bind with no window open to others, and the peer-credential check. The set-up
// calls block on the file system: run them before the event loop (or off it).
#pragma once

#include <boost/asio/local/stream_protocol.hpp>

#include <sys/types.h>

#include <optional>
#include <string>

namespace yollayah::transport {

struct SetupError {
  std::string message;  // names the path and what to do about it
};

// Creates the socket's directory (and missing parents) with mode 0700. An existing directory must
// be a directory, owned by us or root, and not writable by others unless sticky (like /tmp).
std::optional<SetupError> prepare_socket_dir(const std::string& socket_path);

// Nothing there: fine. A socket nobody listens on (connect gives ECONNREFUSED): removed. A live
// socket, or something that is not a socket: an error.
std::optional<SetupError> clear_stale_socket(const std::string& socket_path);

// Opens, binds and listens on `socket_path` with umask 0177 around bind, so the socket is 0600
// from the moment it exists. Expects clear_stale_socket() first.
std::optional<SetupError> bind_private(boost::asio::local::stream_protocol::acceptor& acceptor,
                                       const std::string& socket_path, int backlog = 128);

// The UID of the process at the other end of a connected Unix socket (SO_PEERCRED), or nullopt
// when the kernel will not say: callers fail closed. One non-blocking syscall.
std::optional<uid_t> peer_uid(int fd);

// Removes the file if it is (still) a socket. Returns whether something was removed.
bool remove_socket_file(const std::string& socket_path);

}  // namespace yollayah::transport
