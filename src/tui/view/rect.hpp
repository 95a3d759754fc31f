// A rectangle of screen cells that a view draws into.
#pragma once

namespace yollayah::tui::view {

struct Rect {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;

  bool empty() const { return width <= 0 || height <= 0; }
  int right() const { return x + width; }    // one past the last column
  int bottom() const { return y + height; }  // one past the last row
  bool operator==(const Rect&) const = default;
};

}  // namespace yollayah::tui::view
