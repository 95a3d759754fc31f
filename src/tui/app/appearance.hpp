// Light or dark: what the terminal's background colour (its OSC 11 answer) or YOLLAYAH_THEME says,
// and the Markdown colours that go with each palette.
#pragma once

#include "tui/term/input_decoder.hpp"
#include "tui/view/markdown.hpp"
#include "tui/view/theme.hpp"

#include <optional>
#include <string_view>

namespace yollayah::tui::app {

enum class Background : std::uint8_t { Dark, Light };

// The question: ESC ] 11 ; ? BEL (terminals answer ESC ] 11 ; rgb:RRRR/GGGG/BBBB), then ESC [ c,
// which every terminal answers: its answer arriving first means no colour is coming.
inline constexpr std::string_view kBackgroundQuery = "\x1b]11;?\a\x1b[c";

// YOLLAYAH_THEME=light|dark (any case); nullopt for unset or anything else (then ask the terminal).
std::optional<Background> background_from_setting(const char* value);

// Light when the colour's luminance is above the middle.
Background background_of(const term::ColorReport& report);

const view::theme::Palette& palette_for(Background background);
view::MarkdownTheme markdown_theme_for(Background background);

}  // namespace yollayah::tui::app
