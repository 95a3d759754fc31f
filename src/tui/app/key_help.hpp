// The TUI's own keys and commands, in one table: the help overlay (F1) lists it, and the
// controller's TUI-local commands are the ones named here. The Conductor's commands come from its
// /help answer, never from a copy kept here.
#pragma once

#include "tui/view/help_overlay.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace yollayah::tui::app {

struct HelpRow {
  std::string_view keys;  // "Ctrl+Y", "/copy code [N]"
  std::string_view what;
};

std::span<const HelpRow> tui_help_rows();

using view::HelpLine;

// The overlay's lines: the TUI's table, then the Conductor's commands parsed from `conductor_help`
// (the text of its /help note, "  /model NAME    talk to another model" lines) or, when it is not
// known yet, a pointer to /help.
std::vector<HelpLine> help_lines(std::string_view conductor_help);

// The lines whose keys or description contain every word of `query` (case-insensitive); headings
// stay when a line under them does.
std::vector<HelpLine> filter_help(const std::vector<HelpLine>& lines, std::string_view query);

}  // namespace yollayah::tui::app
