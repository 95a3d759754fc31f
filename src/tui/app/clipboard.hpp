// Copying to the system clipboard through the terminal (OSC 52), and picking what to copy from an
// answer's Markdown: the whole text, or one fenced code block without its fences.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace yollayah::tui::app {

// Standard base64 (RFC 4648, with padding).
std::string base64_encode(std::string_view bytes);

// ESC ] 52 ; c ; BASE64 BEL: the terminal (or tmux with set-clipboard on) puts `text` on the
// clipboard; it works over SSH because the bytes travel with the output.
std::string osc52_sequence(std::string_view text);

// The contents of each fenced code block (``` or ~~~, CommonMark's fence rules for length and
// indentation) in `markdown`, in order, without the fence lines. An unclosed fence runs to the end.
std::vector<std::string> code_blocks(std::string_view markdown);

// "1,234": byte counts in toasts.
std::string group_thousands(std::size_t n);

}  // namespace yollayah::tui::app
