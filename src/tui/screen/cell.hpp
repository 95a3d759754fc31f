// One screen cell: a grapheme cluster stored inline, its display width and its style.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace yollayah::tui::screen {

struct Color {
  enum class Kind : std::uint8_t { Default, Rgb };
  Kind kind = Kind::Default;
  std::uint8_t r = 0, g = 0, b = 0;

  static constexpr Color rgb(std::uint8_t r, std::uint8_t g, std::uint8_t b) {
    return Color{Kind::Rgb, r, g, b};
  }
  bool is_default() const { return kind == Kind::Default; }
  bool operator==(const Color&) const = default;
};

enum Attr : std::uint8_t {
  kBold = 1 << 0,
  kDim = 1 << 1,
  kItalic = 1 << 2,
  kUnderline = 1 << 3,
  kReverse = 1 << 4,
};

struct Style {
  Color fg;
  Color bg;
  std::uint8_t attrs = 0;

  Style& with(std::uint8_t a) { attrs |= a; return *this; }
  bool operator==(const Style&) const = default;
};

// A cell is either a cluster of width 1 or 2, or the continuation (width 0, no text) of the wide
// cluster to its left. Clusters longer than kCapacity bytes (long ZWJ sequences) are cut at a
// code point boundary: the terminal still gets a valid prefix and the width is kept.
//
// The bytes past the cluster are always zero, so two cells are equal exactly when their bytes
// are: the renderer compares whole rows with one memcmp.
class Cell {
 public:
  static constexpr std::size_t kCapacity = 22;

  Cell() { set(" ", 1); }

  void set(std::string_view cluster, int width) {
    std::size_t n = std::min(cluster.size(), kCapacity);
    if (n < cluster.size()) {
      while (n > 0 && (static_cast<unsigned char>(cluster[n]) & 0xC0) == 0x80) --n;
    }
    if (n < len_) std::memset(bytes_ + n, 0, len_ - n);
    std::memcpy(bytes_, cluster.data(), n);
    len_ = static_cast<std::uint8_t>(n);
    width_ = static_cast<std::uint8_t>(width);
  }
  void set_continuation() {
    std::memset(bytes_, 0, len_);
    len_ = 0;
    width_ = 0;
  }
  // Appends a zero-width mark (a combining character) to the cluster, if it fits.
  void append(std::string_view mark) {
    if (len_ + mark.size() > kCapacity) return;
    std::memcpy(bytes_ + len_, mark.data(), mark.size());
    len_ = static_cast<std::uint8_t>(len_ + mark.size());
  }

  std::string_view text() const { return {bytes_, len_}; }
  int width() const { return width_; }
  bool is_continuation() const { return width_ == 0; }

  Style style;

  bool operator==(const Cell& o) const { return std::memcmp(this, &o, sizeof(Cell)) == 0; }

 private:
  char bytes_[kCapacity] = {};
  std::uint8_t len_ = 0;
  std::uint8_t width_ = 1;
};

// Byte equality is member equality only without padding and with one representation per value.
static_assert(std::has_unique_object_representations_v<Cell>);

}  // namespace yollayah::tui::screen
