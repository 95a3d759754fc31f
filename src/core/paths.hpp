// Where Yollayah keeps its files (DESIGN.md, "Paths, config and environment").
#pragma once

#include <string>

namespace yollayah::core {

std::string runtime_dir();    // $XDG_RUNTIME_DIR/ai-way, else /tmp/ai-way-$UID (socket, PID, token)
std::string config_file();    // $XDG_CONFIG_HOME/ai-way/conductor.toml (~/.config fallback)
std::string data_dir();       // $XDG_DATA_HOME/ai-way (~/.local/share fallback)
std::string log_dir();        // $XDG_STATE_HOME/ai-way/logs (~/.local/state fallback)
std::string default_socket_path();  // runtime_dir()/conductor.sock, or $CONDUCTOR_SOCKET

}  // namespace yollayah::core
