// Yollayah's own axolotl, drawn for this project: feathery gills (≋), a wide smile, little legs
// and a tail. Every row of a sprite has the same display width (tests check it).
#include "tui/view/avatar_sprites.hpp"

#include <array>

namespace yollayah::tui::view::sprites {
namespace {

using std::chrono::milliseconds;
using AvatarSize = protocol::AvatarSize;

// ---- Tiny: one line --------------------------------------------------------------------------
constexpr std::array<std::string_view, 1> kTinyRest = {"≋(EME)≋~"};
constexpr std::array<std::string_view, 1> kTinySwim = {"≋(EME)≋∽"};

// ---- Small: three rows -----------------------------------------------------------------------
constexpr std::array<std::string_view, 3> kSmallRest = {
    R"( ≋\.-----./≋    )",
    R"(≋≋=( E M E )=≋≋ )",
    R"(   (_)---(_)~~  )",
};
constexpr std::array<std::string_view, 3> kSmallSwim = {
    R"( ≋\.-----./≋    )",
    R"(≋≋=( E M E )=≋≋ )",
    R"(  _/ ----- \_~-~)",
};

// ---- Medium: five rows -----------------------------------------------------------------------
constexpr std::array<std::string_view, 5> kMediumRest = {
    R"( ≋≋\ .-------. /≋≋    )",
    R"(≋≋==(  E   E  )==≋≋   )",
    R"( ≋≋/ \   M   / \≋≋    )",
    R"(     /`-.___.-'\      )",
    R"(    (_/  : :  \_)~~~~ )",
};
constexpr std::array<std::string_view, 5> kMediumSwim = {
    R"( ≋≋\ .-------. /≋≋    )",
    R"(≋≋==(  E   E  )==≋≋   )",
    R"( ≋≋/ \   M   / \≋≋    )",
    R"(   _,/`-.___.-'\,_    )",
    R"(   '-    : :    -'~-~-)",
};

// ---- Large: nine rows ------------------------------------------------------------------------
constexpr std::array<std::string_view, 9> kLargeRest = {
    R"(    ≋≋\   .---------.   /≋≋      )",
    R"(   ≋≋≋=\ /           \ /=≋≋≋     )",
    R"(  ≋≋≋===|   E     E   |===≋≋≋    )",
    R"(   ≋≋≋=/ \    MMM    / \=≋≋≋     )",
    R"(    ≋≋/   `.       .'   \≋≋      )",
    R"(          /`-------'\            )",
    R"(      ,__/   :   :   \__,        )",
    R"(      '--\___________/--'~~~~~   )",
    R"(                        ~~~~~~   )",
};
constexpr std::array<std::string_view, 9> kLargeSwim = {
    R"(    ≋≋\   .---------.   /≋≋      )",
    R"(   ≋≋≋=\ /           \ /=≋≋≋     )",
    R"(  ≋≋≋===|   E     E   |===≋≋≋    )",
    R"(   ≋≋≋=/ \    MMM    / \=≋≋≋     )",
    R"(    ≋≋/   `.       .'   \≋≋      )",
    R"(     __   /`-------'\   __       )",
    R"(     \ `-/   :   :   \-' /       )",
    R"(      `--\___________/--'  ~-~-~ )",
    R"(                        ~-~-~-~  )",
};

constexpr Sprite kTiny{8, 1, kTinyRest, kTinySwim, 7, 0, 1};
constexpr Sprite kSmall{16, 3, kSmallRest, kSmallSwim, 13, 0, 3};
constexpr Sprite kMedium{22, 5, kMediumRest, kMediumSwim, 19, 0, 3};
constexpr Sprite kLarge{33, 9, kLargeRest, kLargeSwim, 29, 0, 3};

// ---- Animations: frame 0 is the one shown when motion is reduced -----------------------------
using P = Pose;
using F = Face;
using O = Overlay;

constexpr std::array<Frame, 4> kIdle = {{
    {P::Rest, false, F::Mood, O::None},
    {P::Rest, true, F::Mood, O::None},
    {P::Rest, false, F::Mood, O::None},
    {P::Rest, true, F::Blink, O::None},
}};
constexpr std::array<Frame, 4> kThinking = {{
    {P::Rest, false, F::Think, O::Think0},
    {P::Rest, true, F::Think, O::Think1},
    {P::Rest, false, F::Think, O::Think2},
    {P::Rest, true, F::Think, O::Think3},
}};
constexpr std::array<Frame, 2> kTalking = {{
    {P::Rest, false, F::Talk, O::None},
    {P::Rest, true, F::Mood, O::None},
}};
constexpr std::array<Frame, 3> kHappy = {{
    {P::Rest, false, F::Joy, O::Note},
    {P::Swim, true, F::Joy, O::None},
    {P::Rest, true, F::Joy, O::Sparkle},
}};
constexpr std::array<Frame, 4> kSwimming = {{
    {P::Swim, false, F::Mood, O::None},
    {P::Rest, true, F::Mood, O::None},
    {P::Swim, true, F::Mood, O::None},
    {P::Rest, false, F::Mood, O::None},
}};
constexpr std::array<Frame, 3> kWaiting = {{
    {P::Rest, false, F::Mood, O::None},
    {P::Rest, true, F::Mood, O::None},
    {P::Rest, false, F::Blink, O::None},
}};
constexpr std::array<Frame, 2> kError = {{
    {P::Rest, false, F::Error, O::Bang},
    {P::Rest, true, F::Error, O::None},
}};
constexpr std::array<Frame, 3> kWink = {{
    {P::Rest, false, F::Wink, O::Sparkle},
    {P::Rest, true, F::Wink, O::None},
    {P::Rest, false, F::Mood, O::None},
}};

constexpr std::array<AnimationDef, kAnimationCount> kAnimations = {{
    {kIdle, milliseconds(700)},
    {kThinking, milliseconds(400)},
    {kTalking, milliseconds(250)},
    {kHappy, milliseconds(450)},
    {kSwimming, milliseconds(300)},
    {kWaiting, milliseconds(900)},
    {kError, milliseconds(500)},
    {kWink, milliseconds(400)},
}};

// Indexed by Face; Mood is resolved before lookup and falls back to Neutral.
constexpr std::array<FaceGlyphs, 20> kFaces = {{
    {"o", "o", "‿", R"(\_/)"},  // Mood
    {"o", "o", "‿", R"(\_/)"},  // Neutral
    {"-", "-", "‿", R"(\_/)"},  // Blink
    {"^", "^", "▽", R"(\▽/)"},  // Joy
    {"o", "o", "o", "(o)"},     // Talk
    {"°", "°", "-", "---"},     // Think
    {"o", "-", "‿", R"(\_/)"},  // Wink
    {"x", "x", "~", "~~~"},     // Error
    {"O", "O", "o", "(O)"},     // Gasp
    {"T", "T", "⌒", "⌒⌒⌒"},     // Cry
    {"ò", "ó", "^", R"(/^\)"},  // Angry
    {"@", "@", "~", "~~~"},     // Dizzy
    {"-", "-", "_", "___"},     // Sleepy
    {"♥", "♥", "‿", R"(\_/)"},  // Love
    {"•", "•", "ω", " ω "},     // Shy
    {">", "<", "‿", R"(\▽/)"},  // Playful
    {"*", "*", "▽", R"(\▽/)"},  // Excited
    {"-", "-", "‿", "‿‿‿"},     // Calm
    {"O", "o", "o", " o "},     // Curious
    {"°", "o", "~", " ~ "},     // Confused
}};

struct OverlayGlyphs {
  std::string_view wide;    // 3 columns
  std::string_view narrow;  // 1 column
};
// Indexed by Overlay. The thought bubble fills up: "...", then a dot grows into a bubble.
constexpr std::array<OverlayGlyphs, 14> kOverlays = {{
    {"", ""},         // None
    {"...", "…"},     // Think0
    {"o..", "."},     // Think1
    {".o.", ":"},     // Think2
    {"..o", "…"},     // Think3
    {" ! ", "!"},     // Bang
    {" ♥ ", "♥"},     // Heart
    {" * ", "*"},     // Sparkle
    {" ♪ ", "♪"},     // Note
    {" zZ", "z"},     // Zzz
    {" ? ", "?"},     // Question
    {" ; ", ";"},     // Sweat
    {" # ", "#"},     // Anger
    {" ~ ", "~"},     // Blush
}};

}  // namespace

const Sprite& sprite(AvatarSize size) {
  switch (size) {
    case AvatarSize::Tiny: return kTiny;
    case AvatarSize::Small: return kSmall;
    case AvatarSize::Medium: return kMedium;
    case AvatarSize::Large: return kLarge;
  }
  return kMedium;
}

const AnimationDef& animation(Animation a) { return kAnimations[static_cast<std::size_t>(a)]; }

const FaceGlyphs& face(Face f) { return kFaces[static_cast<std::size_t>(f)]; }

std::string_view overlay_text(Overlay o, int width) {
  const OverlayGlyphs& g = kOverlays[static_cast<std::size_t>(o)];
  return width >= 3 ? g.wide : g.narrow;
}

}  // namespace yollayah::tui::view::sprites
