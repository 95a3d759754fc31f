// Text from a model (or a file) made safe to print on a terminal: its control characters shown as
// symbols instead of run, so an answer cannot move the cursor, retitle the window, write the
// clipboard (OSC 52) or ring the bell. Pipes and files get the bytes unchanged; only a terminal
// needs this.
#pragma once

#include <string>
#include <string_view>

namespace yollayah::core {

// Tab and newline stay (and "\r\n" becomes "\n"); every other C0 control becomes its Unicode
// control picture (ESC → "␛", BEL → "␇", a lone CR → "␍"), DEL "␡", and a C1 control (U+0080 to
// U+009F, which some terminals obey like ESC [) "�". Everything else is copied as it is.
std::string terminal_safe(std::string_view text);

// The same test, per byte: true when `text` needs no change (the usual case, and a fast one).
bool terminal_safe_already(std::string_view text);

// The bytes of the control character (Unicode Cc) at `text[at]`: 1 for C0 (tab and newline
// included) and DEL, 2 for C1 in UTF-8, 0 for anything else.
std::size_t control_length(std::string_view text, std::size_t at);

}  // namespace yollayah::core
