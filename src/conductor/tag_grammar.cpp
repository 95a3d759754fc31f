#include "conductor/tag_grammar.hpp"

#include "conductor/text_checks.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

namespace yollayah::conductor {
namespace {

using protocol::AvatarGesture;
using protocol::AvatarMood;
using protocol::AvatarPosition;
using protocol::AvatarReaction;
using protocol::AvatarSize;
using protocol::PeekDirection;

template <class T>
struct Alias {
  std::string_view word;
  T value;
};

// clang-format off
constexpr auto kPositions = std::to_array<Alias<AvatarPosition::Kind>>({
    {"tl", AvatarPosition::Kind::TopLeft},
    {"topleft", AvatarPosition::Kind::TopLeft},
    {"top-left", AvatarPosition::Kind::TopLeft},
    {"tr", AvatarPosition::Kind::TopRight},
    {"topright", AvatarPosition::Kind::TopRight},
    {"top-right", AvatarPosition::Kind::TopRight},
    {"bl", AvatarPosition::Kind::BottomLeft},
    {"bottomleft", AvatarPosition::Kind::BottomLeft},
    {"bottom-left", AvatarPosition::Kind::BottomLeft},
    {"br", AvatarPosition::Kind::BottomRight},
    {"bottomright", AvatarPosition::Kind::BottomRight},
    {"bottom-right", AvatarPosition::Kind::BottomRight},
    {"center", AvatarPosition::Kind::Center},
    {"middle", AvatarPosition::Kind::Center},
});

constexpr auto kMoods = std::to_array<Alias<AvatarMood>>({
    {"happy", AvatarMood::Happy},       {"joy", AvatarMood::Happy},
    {"thinking", AvatarMood::Thinking}, {"think", AvatarMood::Thinking},
    {"ponder", AvatarMood::Thinking},   {"playful", AvatarMood::Playful},
    {"silly", AvatarMood::Playful},     {"shy", AvatarMood::Shy},
    {"bashful", AvatarMood::Shy},       {"excited", AvatarMood::Excited},
    {"eager", AvatarMood::Excited},     {"confused", AvatarMood::Confused},
    {"puzzled", AvatarMood::Confused},  {"calm", AvatarMood::Calm},
    {"peaceful", AvatarMood::Calm},     {"curious", AvatarMood::Curious},
    {"interested", AvatarMood::Curious},
});

constexpr auto kSizes = std::to_array<Alias<AvatarSize>>({
    {"tiny", AvatarSize::Tiny},     {"xs", AvatarSize::Tiny},     {"small", AvatarSize::Small},
    {"sm", AvatarSize::Small},      {"medium", AvatarSize::Medium}, {"md", AvatarSize::Medium},
    {"normal", AvatarSize::Medium}, {"large", AvatarSize::Large}, {"lg", AvatarSize::Large},
    {"big", AvatarSize::Large},
});

struct GestureSpec {
  std::string_view word;
  AvatarGesture::Kind kind;
  std::uint32_t ms;
};
constexpr std::uint32_t kPeekMs = 1000;
constexpr auto kGestures = std::to_array<GestureSpec>({
    {"wave", AvatarGesture::Kind::Wave, 1500},
    {"nod", AvatarGesture::Kind::Nod, 800},
    {"shake", AvatarGesture::Kind::Shake, 800},
    {"bounce", AvatarGesture::Kind::Bounce, 1000},
    {"spin", AvatarGesture::Kind::Spin, 1200},
    {"dance", AvatarGesture::Kind::Dance, 2000},
    {"swim", AvatarGesture::Kind::Swim, 2000},
    {"stretch", AvatarGesture::Kind::Stretch, 1500},
    {"yawn", AvatarGesture::Kind::Yawn, 2000},
    {"wiggle", AvatarGesture::Kind::Wiggle, 1000},
});

constexpr auto kPeekDirections = std::to_array<Alias<PeekDirection>>({
    {"left", PeekDirection::Left},     {"l", PeekDirection::Left},    {"right", PeekDirection::Right},
    {"r", PeekDirection::Right},       {"top", PeekDirection::Top},   {"up", PeekDirection::Top},
    {"t", PeekDirection::Top},         {"bottom", PeekDirection::Bottom},
    {"down", PeekDirection::Bottom},   {"b", PeekDirection::Bottom},
});

struct ReactionSpec {
  std::string_view word;
  AvatarReaction reaction;
  std::uint32_t ms;
};
constexpr auto kReactions = std::to_array<ReactionSpec>({
    {"laugh", AvatarReaction::Laugh, 2000},     {"lol", AvatarReaction::Laugh, 2000},
    {"haha", AvatarReaction::Laugh, 2000},      {"gasp", AvatarReaction::Gasp, 1000},
    {"surprise", AvatarReaction::Gasp, 1000},   {"wow", AvatarReaction::Gasp, 1000},
    {"hmm", AvatarReaction::Hmm, 2000},         {"think", AvatarReaction::Hmm, 2000},
    {"ponder", AvatarReaction::Hmm, 2000},      {"tada", AvatarReaction::Tada, 2500},
    {"celebrate", AvatarReaction::Tada, 2500},  {"yay", AvatarReaction::Tada, 2500},
    {"oops", AvatarReaction::Oops, 1500},       {"error", AvatarReaction::Oops, 1500},
    {"mistake", AvatarReaction::Oops, 1500},    {"love", AvatarReaction::Love, 2000},
    {"heart", AvatarReaction::Love, 2000},      {"adore", AvatarReaction::Love, 2000},
    {"blush", AvatarReaction::Blush, 1500},     {"shy", AvatarReaction::Blush, 1500},
    {"embarrassed", AvatarReaction::Blush, 1500}, {"wink", AvatarReaction::Wink, 1000},
    {"flirt", AvatarReaction::Wink, 1000},      {"cry", AvatarReaction::Cry, 2000},
    {"sad", AvatarReaction::Cry, 2000},         {"tears", AvatarReaction::Cry, 2000},
    {"angry", AvatarReaction::Angry, 1500},     {"mad", AvatarReaction::Angry, 1500},
    {"frustrated", AvatarReaction::Angry, 1500}, {"sleepy", AvatarReaction::Sleepy, 2500},
    {"tired", AvatarReaction::Sleepy, 2500},    {"zzz", AvatarReaction::Sleepy, 2500},
    {"dizzy", AvatarReaction::Dizzy, 2000},     {"confused", AvatarReaction::Dizzy, 2000},
    {"spinning", AvatarReaction::Dizzy, 2000},
});

// clang-format on

// Reactions that work without `react`.
constexpr std::array<std::string_view, 6> kReactionShortcuts{"laugh", "gasp", "tada", "oops", "love", "wink"};

template <class Table>
auto lookup(const Table& table, std::string_view word) -> const typename Table::value_type* {
  const auto it = std::find_if(table.begin(), table.end(), [&](const auto& e) { return e.word == word; });
  return it == table.end() ? nullptr : &*it;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

// The words of a tag body. Tags are rare next to tokens, so a vector per tag is fine.
class Words {
 public:
  explicit Words(std::string_view body) {
    std::size_t i = 0;
    while (i < body.size()) {
      while (i < body.size() && is_ascii_space(body[i])) ++i;
      const auto start = i;
      while (i < body.size() && !is_ascii_space(body[i])) ++i;
      if (i > start) words_.push_back(body.substr(start, i - start));
    }
  }
  std::size_t size() const { return words_.size(); }
  std::string_view operator[](std::size_t i) const { return i < words_.size() ? words_[i] : std::string_view{}; }
  std::string keyword(std::size_t i) const { return lower((*this)[i]); }

  // Words from `first` on, joined by single spaces.
  std::string rest(std::size_t first) const {
    std::string out;
    for (auto i = first; i < words_.size(); ++i) {
      if (!out.empty()) out.push_back(' ');
      out.append(words_[i]);
    }
    return out;
  }

 private:
  std::vector<std::string_view> words_;
};

// A decimal integer with an optional trailing '%'. Saturates instead of overflowing.
std::optional<unsigned> parse_number(std::string_view s) {
  if (!s.empty() && s.back() == '%') s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  unsigned value = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    value = std::min(value * 10 + static_cast<unsigned>(c - '0'), 1'000'000u);
  }
  return value;
}

// Strips ASCII and typographic quotes (" ' “ ” ‘ ’) and whitespace from both ends.
std::string_view trim_quotes(std::string_view s) {
  static constexpr std::array<std::string_view, 6> kQuotes{"\"", "'", "\u201c", "\u201d", "\u2018", "\u2019"};
  for (bool changed = true; changed;) {
    changed = false;
    while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
    for (const auto q : kQuotes) {
      if (s.starts_with(q)) {
        s.remove_prefix(q.size());
        changed = true;
      }
      if (s.ends_with(q)) {
        s.remove_suffix(q.size());
        changed = true;
      }
    }
  }
  return s;
}

TagParse ok(TagCommand command) { return {TagParse::Status::Command, std::move(command), {}}; }
TagParse rejected(std::string reason) { return {TagParse::Status::Rejected, {}, std::move(reason)}; }
TagParse unknown() { return {}; }

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

bool valid_ref(std::string_view ref) {
  return !ref.empty() && ref.size() <= kMaxTaskRefLength &&
         std::all_of(ref.begin(), ref.end(), [](char c) { return is_ascii_alnum(c) || c == '_' || c == '-'; });
}

TagParse parse_move(const Words& w) {
  if (w.size() < 2) return rejected("move: needs a position (tl, tr, bl, br, center, follow) or X Y");
  const auto where = w.keyword(1);
  if (where == "follow") return ok(tag::MoveTo{{AvatarPosition::Kind::Follow, 0, 0}});
  if (const auto* p = lookup(kPositions, where)) return ok(tag::MoveTo{{p->value, 0, 0}});
  const auto x = parse_number(w[1]);
  const auto y = parse_number(w[2]);
  if (!x || !y) return rejected("move: unknown position " + quoted(w.rest(1)));
  // Percentages above 100 are clamped, as in the original.
  return ok(tag::MoveTo{{AvatarPosition::Kind::Percent, static_cast<std::uint8_t>(std::min(*x, 100u)),
                         static_cast<std::uint8_t>(std::min(*y, 100u))}});
}

TagParse parse_point(const Words& w) {
  const auto x = parse_number(w[1]);
  const auto y = parse_number(w[2]);
  if (!x || !y) return rejected("point: needs two percentages X Y, got " + quoted(w.rest(1)));
  if (*x > 100 || *y > 100) return rejected("point: X and Y must be 0-100, got " + quoted(w.rest(1)));
  return ok(tag::PointAt{static_cast<std::uint8_t>(*x), static_cast<std::uint8_t>(*y)});
}

TagParse parse_mood(const Words& w) {
  if (const auto* m = lookup(kMoods, w.keyword(1))) return ok(tag::Mood{m->value});
  return rejected("mood: unknown mood " + quoted(w[1]));
}

TagParse parse_size(const Words& w) {
  if (const auto* s = lookup(kSizes, w.keyword(1))) return ok(tag::Size{s->value});
  return rejected("size: unknown size " + quoted(w[1]));
}

TagParse parse_peek(const Words& w) {
  auto direction = PeekDirection::Right;
  if (w.size() > 1) {
    const auto* d = lookup(kPeekDirections, w.keyword(1));
    if (d == nullptr) return rejected("peek: unknown direction " + quoted(w[1]));
    direction = d->value;
  }
  return ok(tag::Gesture{{AvatarGesture::Kind::Peek, direction}, kPeekMs});
}

TagParse parse_react(const Words& w) {
  if (const auto* r = lookup(kReactions, w.keyword(1))) return ok(tag::React{r->reaction, r->ms});
  return rejected("react: unknown reaction " + quoted(w[1]));
}

TagParse parse_sprite(const Words& w) {
  auto data = w.rest(1);
  if (data.empty()) return rejected("sprite: needs data");
  if (data.size() > kMaxSpriteLength) return rejected("sprite: data is longer than 100 characters");
  const bool clean = std::all_of(data.begin(), data.end(), [](char c) {
    return is_ascii_alnum(c) || c == ' ' || c == '-' || c == '_' || c == '.';
  });
  if (!clean) return rejected("sprite: data may hold only letters, digits, space, '-', '_' and '.'");
  return ok(tag::Sprite{std::move(data)});
}

// Checks free text from the model: a description or a failure reason.
std::optional<std::string> check_text(std::string_view what, std::string_view text, std::size_t max_bytes) {
  if (text.size() > max_bytes)
    return std::string(what) + " is " + std::to_string(text.size()) + " bytes; the limit is " +
           std::to_string(max_bytes);
  if (find_control_char(text) != std::string_view::npos) return std::string(what) + " has a control character";
  return std::nullopt;
}

TagParse parse_task_start(const Words& w, const Agents& agents) {
  if (w.size() < 3) return rejected("task start: needs an agent and a description");
  auto agent = lower(trim_quotes(w[2]));
  if (!agents.contains(agent)) return rejected("task start: agent " + quoted(agent) + " is not on the allowlist");
  const auto joined = w.rest(3);
  const auto description = trim_quotes(joined);
  if (description.empty()) return rejected("task start: the description is blank");
  if (auto problem = check_text("task start: the description", description, kMaxTaskDescriptionBytes))
    return rejected(std::move(*problem));
  return ok(tag::TaskStart{std::move(agent), std::string(description)});
}

TagParse parse_task(const Words& w, const Agents& agents) {
  const auto sub = w.keyword(1);
  if (sub == "start") return parse_task_start(w, agents);
  const auto ref = w[2];
  const bool known = sub == "progress" || sub == "done" || sub == "fail" || sub == "focus" || sub == "point" ||
                     sub == "hover" || sub == "celebrate";
  if (!known) return rejected("task: unknown subcommand " + quoted(w[1]));
  if (!valid_ref(ref))
    return rejected("task " + sub + ": the task must be 1-100 characters of [A-Za-z0-9_-], got " + quoted(ref));
  std::string r(ref);
  if (sub == "progress") {
    const auto pct = parse_number(w[3]);
    if (!pct) return rejected("task progress: needs a percentage, got " + quoted(w[3]));
    if (*pct > 100) return rejected("task progress: " + std::to_string(*pct) + " is above 100");
    return ok(tag::TaskProgress{std::move(r), static_cast<std::uint8_t>(*pct)});
  }
  if (sub == "done") return ok(tag::TaskDone{std::move(r)});
  if (sub == "fail") {
    const auto joined = w.rest(3);
    auto reason = std::string(trim_quotes(joined));
    if (reason.empty()) reason = kDefaultFailReason;
    if (auto problem = check_text("task fail: the reason", reason, kMaxTaskFailReasonBytes))
      return rejected(std::move(*problem));
    return ok(tag::TaskFail{std::move(r), std::move(reason)});
  }
  if (sub == "focus") return ok(tag::TaskFocus{std::move(r)});
  if (sub == "point") return ok(tag::TaskPoint{std::move(r)});
  if (sub == "hover") return ok(tag::TaskHover{std::move(r)});
  return ok(tag::TaskCelebrate{std::move(r)});
}

}  // namespace

TagParse parse_tag_body(std::string_view body, const Agents& agents) {
  const Words w(body);
  const auto command = w.keyword(0);
  if (command.empty()) return unknown();

  if (command == "move") return parse_move(w);
  if (command == "follow") return ok(tag::MoveTo{{AvatarPosition::Kind::Follow, 0, 0}});
  if (command == "point") return parse_point(w);
  if (command == "wander") return ok(tag::Wander{true});
  if (command == "stop") return ok(tag::Wander{false});
  if (command == "mood") return parse_mood(w);
  if (command == "size") return parse_size(w);
  if (command == "hide") return ok(tag::Visibility{false});
  if (command == "show") return ok(tag::Visibility{true});
  if (command == "peek") return parse_peek(w);
  if (const auto* g = lookup(kGestures, command)) return ok(tag::Gesture{{g->kind, PeekDirection::Right}, g->ms});
  if (command == "react") return parse_react(w);
  if (std::find(kReactionShortcuts.begin(), kReactionShortcuts.end(), command) != kReactionShortcuts.end()) {
    const auto* r = lookup(kReactions, command);
    return ok(tag::React{r->reaction, r->ms});
  }
  if (command == "sprite") return parse_sprite(w);
  if (command == "task") return parse_task(w, agents);
  return unknown();
}

}  // namespace yollayah::conductor
