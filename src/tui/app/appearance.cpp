#include "tui/app/appearance.hpp"

#include <cctype>
#include <string>

namespace yollayah::tui::app {

using screen::Color;
using screen::Style;

std::optional<Background> background_from_setting(const char* value) {
  if (value == nullptr) return std::nullopt;
  std::string v(value);
  for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (v == "light") return Background::Light;
  if (v == "dark") return Background::Dark;
  return std::nullopt;
}

Background background_of(const term::ColorReport& report) {
  // Rec. 709 weights on the channels as sent: enough to tell white-ish from black-ish.
  const double luminance = (0.2126 * report.r + 0.7152 * report.g + 0.0722 * report.b) / 65535.0;
  return luminance > 0.5 ? Background::Light : Background::Dark;
}

const view::theme::Palette& palette_for(Background background) {
  return background == Background::Light ? view::theme::kLightPalette : view::theme::kDarkPalette;
}

view::MarkdownTheme markdown_theme_for(Background background) {
  view::MarkdownTheme t;  // the dark defaults, and any style added later keeps its default
  if (background == Background::Dark) return t;
  const Color code_bg = Color::rgb(0xF0, 0xF1, 0xF5);
  t.inline_code = Style{Color::rgb(0x9A, 0x4A, 0x00), Color::rgb(0xF3, 0xEE, 0xE6), 0};
  t.code_block = Style{Color::rgb(0x1E, 0x20, 0x28), code_bg, 0};
  t.code_label = Style{Color::rgb(0x5F, 0x64, 0x70), code_bg, screen::kItalic};
  t.link = Style{Color::rgb(0x00, 0x5C, 0xB8), {}, screen::kUnderline};
  t.heading1 = Style{Color::rgb(0xB0, 0x1E, 0x62), {}, screen::kBold | screen::kUnderline};
  t.heading2 = Style{Color::rgb(0xB0, 0x1E, 0x62), {}, screen::kBold};
  t.heading3 = Style{Color::rgb(0x6A, 0x3A, 0xA8), {}, screen::kBold};
  t.list_marker = Style{Color::rgb(0x7A, 0x2E, 0x9E), {}, 0};
  t.quote_bar = Style{Color::rgb(0x8A, 0x90, 0x9C), {}, 0};
  t.rule = Style{Color::rgb(0x9A, 0x9F, 0xAA), {}, 0};
  t.table_border = Style{Color::rgb(0x9A, 0x9F, 0xAA), {}, 0};
  return t;
}

}  // namespace yollayah::tui::app
