#include "tui/screen/renderer.hpp"

#include <array>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace yollayah::tui::screen {
namespace {

// A small fixed buffer for building one escape sequence without touching the heap.
class Seq {
 public:
  void add(std::string_view s) {
    for (char c : s) buf_[n_++] = c;
  }
  void num(int v) {
    auto r = std::to_chars(buf_.data() + n_, buf_.data() + buf_.size(), v);
    n_ = static_cast<std::size_t>(r.ptr - buf_.data());
  }
  // Adds one SGR parameter, with ';' between parameters.
  void param(std::string_view p) {
    if (n_ > 0) add(";");
    add(p);
  }
  void color(bool fg, const Color& c, ColorMode mode) {
    if (n_ > 0) add(";");
    if (c.is_default()) {
      add(fg ? "39" : "49");
    } else if (mode == ColorMode::Palette256) {
      add(fg ? "38;5;" : "48;5;");
      num(c.r);  // effective() stored the palette index in r
    } else {
      add(fg ? "38;2;" : "48;2;");
      num(c.r), add(";"), num(c.g), add(";"), num(c.b);
    }
  }
  std::size_t size() const { return n_; }
  std::string_view view() const { return {buf_.data(), n_}; }

 private:
  std::array<char, 96> buf_{};
  std::size_t n_ = 0;
};

void add_attrs(Seq& seq, std::uint8_t attrs) {
  if (attrs & kBold) seq.param("1");
  if (attrs & kDim) seq.param("2");
  if (attrs & kItalic) seq.param("3");
  if (attrs & kUnderline) seq.param("4");
  if (attrs & kReverse) seq.param("7");
}

bool multi_code_point(std::string_view cluster) {
  if (cluster.empty()) return false;
  const auto lead = static_cast<unsigned char>(cluster[0]);
  const std::size_t first = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  return cluster.size() > first;
}

int cube_level(int v) { return v < 48 ? 0 : v < 115 ? 1 : (v - 35) / 40; }
constexpr std::array<int, 6> kCube{0, 95, 135, 175, 215, 255};

// Cells compared at once inside a changed row.
constexpr int kBlock = 16;

int dist2(int r1, int g1, int b1, int r2, int g2, int b2) {
  return (r1 - r2) * (r1 - r2) + (g1 - g2) * (g1 - g2) + (b1 - b2) * (b1 - b2);
}

}  // namespace

ColorMode color_mode_from_env(const char* colorterm, const char* no_color) {
  if (no_color != nullptr && *no_color != '\0') return ColorMode::None;
  if (colorterm != nullptr) {
    const std::string_view ct(colorterm);
    if (ct == "truecolor" || ct == "24bit") return ColorMode::TrueColor;
  }
  return ColorMode::Palette256;
}

ColorMode detect_color_mode() {
  return color_mode_from_env(std::getenv("COLORTERM"), std::getenv("NO_COLOR"));
}

std::uint8_t rgb_to_256(std::uint8_t r, std::uint8_t g, std::uint8_t b) {
  const int ri = cube_level(r), gi = cube_level(g), bi = cube_level(b);
  const int cube_d = dist2(r, g, b, kCube[static_cast<std::size_t>(ri)],
                           kCube[static_cast<std::size_t>(gi)], kCube[static_cast<std::size_t>(bi)]);
  const int avg = (r + g + b) / 3;
  const int gi_idx = avg > 238 ? 23 : avg < 8 ? 0 : (avg - 8) / 10;
  const int grey = 8 + 10 * gi_idx;
  const int grey_d = dist2(r, g, b, grey, grey, grey);
  if (grey_d < cube_d) return static_cast<std::uint8_t>(232 + gi_idx);
  return static_cast<std::uint8_t>(16 + 36 * ri + 6 * gi + bi);
}

Style Renderer::effective(const Style& s) const {
  Style e = s;
  if (mode_ == ColorMode::None) {
    e.fg = Color{};
    e.bg = Color{};
  } else if (mode_ == ColorMode::Palette256) {
    for (Color* c : {&e.fg, &e.bg}) {
      if (!c->is_default()) *c = Color{Color::Kind::Rgb, rgb_to_256(c->r, c->g, c->b), 0, 0};
    }
  }
  return e;
}

void Renderer::set_style(const Style& target, std::string& out) {
  if (target == style_) return;
  // Incremental: turn off what goes away, turn on what comes, change the colours that differ.
  Seq inc;
  const std::uint8_t removed = style_.attrs & ~target.attrs;
  std::uint8_t added = target.attrs & ~style_.attrs;
  if (removed & (kBold | kDim)) {
    inc.param("22");  // clears both bold and dim
    added |= target.attrs & (kBold | kDim);
  }
  if (removed & kItalic) inc.param("23");
  if (removed & kUnderline) inc.param("24");
  if (removed & kReverse) inc.param("27");
  add_attrs(inc, added);
  if (target.fg != style_.fg) inc.color(true, target.fg, mode_);
  if (target.bg != style_.bg) inc.color(false, target.bg, mode_);
  // From scratch: reset, then set everything that is not the default.
  Seq reset;
  reset.param("0");
  add_attrs(reset, target.attrs);
  if (!target.fg.is_default()) reset.color(true, target.fg, mode_);
  if (!target.bg.is_default()) reset.color(false, target.bg, mode_);

  const Seq& best = reset.size() < inc.size() ? reset : inc;
  out += "\x1b[";
  out += best.view() == "0" ? std::string_view{} : best.view();
  out += 'm';
  style_ = target;
}

void Renderer::move_to(int x, int y, std::string& out) {
  if (x == cx_ && y == cy_) return;
  Seq best;
  best.add("\x1b[");
  if (y > 0 || x > 0) best.num(y + 1);
  if (x > 0) best.add(";"), best.num(x + 1);
  best.add("H");
  if (cx_ >= 0 && cy_ >= 0) {
    Seq rel;
    if (y == cy_) {
      if (x == 0) {
        rel.add("\r");
      } else {
        const int dx = x - cx_;
        rel.add("\x1b[");
        if (std::abs(dx) != 1) rel.num(std::abs(dx));
        rel.add(dx > 0 ? "C" : "D");
      }
    } else if (x == 0 && y == cy_ + 1) {
      rel.add("\r\n");
    } else if (x == cx_) {
      const int dy = y - cy_;
      rel.add("\x1b[");
      if (std::abs(dy) != 1) rel.num(std::abs(dy));
      rel.add(dy > 0 ? "B" : "A");
    }
    if (rel.size() > 0 && rel.size() < best.size()) best = rel;
  }
  out += best.view();
  cx_ = x;
  cy_ = y;
}

void Renderer::render(const Buffer& next, std::string& out, std::optional<CursorPos> cursor) {
  out.clear();
  constexpr std::string_view kSyncBegin = "\x1b[?2026h";
  constexpr std::string_view kSyncEnd = "\x1b[?2026l";
  if (synchronized_) out += kSyncBegin;
  const std::size_t start = out.size();
  const bool full = full_ || next.width() != prev_.width() || next.height() != prev_.height();
  if (full) {
    out += "\x1b[0m\x1b[H\x1b[2J";
    style_ = Style{};
    cx_ = cy_ = 0;
    prev_.resize(next.width(), next.height());
    prev_.clear();  // the screen is now blank: diff against blank cells
    full_ = false;
    cursor_at_.reset();
  }
  const std::size_t header = out.size();  // after the clear, if any
  const std::size_t row_bytes = sizeof(Cell) * static_cast<std::size_t>(next.width());
  for (int y = 0; y < next.height(); ++y) {
    // Most rows of most frames did not change: one compare of the whole row, and no copy.
    const auto row = next.row(y);
    if (std::memcmp(row.data(), prev_.row(y).data(), row_bytes) == 0) continue;
    const Cell* before = prev_.row(y).data();
    for (int x = 0; x < next.width(); ++x) {
      // A changed row usually changed in a few cells (the streaming line's end, a spinner): skip
      // equal blocks with one compare each rather than one per cell.
      if (x % kBlock == 0 && x + kBlock <= next.width() &&
          std::memcmp(&row[static_cast<std::size_t>(x)], before + x, sizeof(Cell) * kBlock) == 0) {
        x += kBlock - 1;
        continue;
      }
      const Cell& c = row[static_cast<std::size_t>(x)];
      if (c.is_continuation() || c == before[x]) continue;
      if (cursor_visible_) {
        out += "\x1b[?25l";  // no cursor flicker across the drawing
        cursor_visible_ = false;
        cursor_at_.reset();
      }
      move_to(x, y, out);
      set_style(effective(c.style), out);
      out += c.text();
      cx_ += c.width();
      // At the last column the terminal may be in its pending-wrap state; and terminals disagree
      // on the width of multi-code-point clusters (VS16, skin tones, flags, ZWJ), so after one
      // the next cell is placed absolutely rather than trusting the terminal's advance.
      if (cx_ >= next.width() || multi_code_point(c.text())) cx_ = cy_ = -1;
    }
    std::memcpy(prev_.row(y).data(), row.data(), row_bytes);  // prev_ follows, row by row
  }
  const bool drew = out.size() > header || full;
  if (cursor) {
    if (!cursor_visible_ || cursor_at_ != cursor || drew) {
      move_to(cursor->x, cursor->y, out);
      if (!cursor_visible_) out += "\x1b[?25h";
      cursor_visible_ = true;
      cursor_at_ = cursor;
    }
  } else if (cursor_visible_) {
    out += "\x1b[?25l";
    cursor_visible_ = false;
    cursor_at_.reset();
  }
  if (synchronized_) {
    if (out.size() == start) {
      out.clear();  // nothing changed: no bytes at all
    } else {
      out += kSyncEnd;
    }
  }
}

}  // namespace yollayah::tui::screen
