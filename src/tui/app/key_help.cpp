#include "tui/app/key_help.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace yollayah::tui::app {

namespace {

constexpr std::array kRows{
    HelpRow{"Enter", "send the message"},
    HelpRow{"Alt+Enter, Ctrl+J", "new line in the message"},
    HelpRow{"Esc", "stop the answer; quit when nothing runs"},
    HelpRow{"Ctrl+C", "stop or clear; twice to quit"},
    HelpRow{"Ctrl+D", "quit (on an empty box)"},
    HelpRow{"↑ ↓", "move in the message, recall/edit sent ones, scroll"},
    HelpRow{"PgUp PgDn, wheel", "scroll the conversation"},
    HelpRow{"Ctrl+Home, Ctrl+End", "oldest / newest message"},
    HelpRow{"Ctrl+A, Ctrl+E", "start / end of the line"},
    HelpRow{"Ctrl+U, Ctrl+K", "delete to the start / end of the line"},
    HelpRow{"Ctrl+W, Alt+Backspace", "delete the word before the cursor"},
    HelpRow{"Alt+B, Alt+F, Ctrl+← →", "move by word"},
    HelpRow{"Alt+← → (empty box)", "other versions of the answer or question on screen"},
    HelpRow{"Ctrl+G, Ctrl+X Ctrl+E", "edit the message in $VISUAL / $EDITOR"},
    HelpRow{"Ctrl+Y", "copy the last answer to the clipboard (OSC 52)"},
    HelpRow{"F2", "mouse capture off / on (off: the terminal selects text)"},
    HelpRow{"Tab", "the task panel, while agents work"},
    HelpRow{"Ctrl+L", "redraw the screen"},
    HelpRow{"F1, ? (empty box)", "this help; type to filter, Esc closes"},
    HelpRow{"F12", "developer view (loop lag, frame times)"},
    HelpRow{"click the avatar", "say hello to Yollayah"},
    HelpRow{"/copy", "copy the last answer (Markdown) to the clipboard"},
    HelpRow{"/copy code [N]", "copy code block N of the last answer (default: the last)"},
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "  /model NAME    talk to another model": the command part ends at a run of two spaces.
void add_conductor_lines(std::vector<HelpLine>& out, std::string_view help) {
  std::size_t pos = 0;
  while (pos < help.size()) {
    std::size_t end = help.find('\n', pos);
    if (end == std::string_view::npos) end = help.size();
    std::string_view line = help.substr(pos, end - pos);
    pos = end + 1;
    const auto start = line.find_first_not_of(' ');
    if (start == std::string_view::npos || line[start] != '/') continue;
    line.remove_prefix(start);
    const auto gap = line.find("  ");
    HelpLine row;
    row.keys = std::string(line.substr(0, gap));
    if (gap != std::string_view::npos) {
      const auto what = line.find_first_not_of(' ', gap);
      if (what != std::string_view::npos) row.what = std::string(line.substr(what));
    }
    out.push_back(std::move(row));
  }
}

}  // namespace

std::span<const HelpRow> tui_help_rows() { return kRows; }

std::vector<HelpLine> help_lines(std::string_view conductor_help) {
  std::vector<HelpLine> out;
  out.push_back({"Keys and TUI commands", "", true});
  for (const auto& row : kRows) out.push_back({std::string(row.keys), std::string(row.what), false});
  out.push_back({"Conductor commands", "", true});
  const std::size_t before = out.size();
  add_conductor_lines(out, conductor_help);
  if (out.size() == before) out.push_back({"/help", "the Conductor's commands (/model, /clear, …), listed here once asked", false});
  return out;
}

std::vector<HelpLine> filter_help(const std::vector<HelpLine>& lines, std::string_view query) {
  std::vector<std::string> words;
  const std::string q = lower(query);
  for (std::size_t pos = 0; pos < q.size();) {
    const auto start = q.find_first_not_of(' ', pos);
    if (start == std::string::npos) break;
    const auto end = std::min(q.find(' ', start), q.size());
    words.push_back(q.substr(start, end - start));
    pos = end;
  }
  if (words.empty()) return lines;
  std::vector<HelpLine> out;
  const HelpLine* heading = nullptr;
  for (const auto& line : lines) {
    if (line.heading) {
      heading = &line;
      continue;
    }
    const std::string hay = lower(line.keys) + " " + lower(line.what);
    const bool match = std::all_of(words.begin(), words.end(), [&](const std::string& w) { return hay.find(w) != std::string::npos; });
    if (!match) continue;
    if (heading) out.push_back(*std::exchange(heading, nullptr));
    out.push_back(line);
  }
  return out;
}

}  // namespace yollayah::tui::app
