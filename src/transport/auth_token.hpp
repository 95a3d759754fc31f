// The session token of conductord (issue 4, "Security"): 32 random bytes, base64, in a 0600 file
// beside the socket. A surface proves it may use the daemon by sending it in Handshake.auth_token.
// The file functions block on the file system: start-up only.
#pragma once

#include "transport/socket_file.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace yollayah::transport {

// 32 bytes from the kernel CSPRNG, standard padded base64 (44 characters).
std::string generate_token();

// Where the token lives for a given socket: `session.token` in the socket's directory.
std::string token_path_for(const std::string& socket_path);

// Writes `token` and a newline to `path`, mode 0600 from creation, synced to disk.
std::optional<SetupError> write_token_file(const std::string& path, const std::string& token);

// The token in `path` (trailing whitespace removed), or nullopt when it cannot be read.
std::optional<std::string> read_token_file(const std::string& path);

// Compares in time independent of where the first difference is.
bool tokens_equal(std::string_view expected, std::string_view given);

}  // namespace yollayah::transport
