#include "tui/view/avatar.hpp"

#include "tui/screen/width.hpp"
#include "tui/view/avatar_sprites.hpp"

#include <algorithm>
#include <array>
#include <variant>

namespace yollayah::tui::view {
namespace {

namespace msg = protocol::msg;
using protocol::AvatarMood;
using protocol::AvatarReaction;
using protocol::AvatarSize;
using protocol::ConductorState;
using Clock = Avatar::Clock;

constexpr std::array<std::string_view, kAnimationCount> kAnimationNames = {
    "Idle", "Thinking", "Talking", "Happy", "Swimming", "Waiting", "Error", "Wink",
};

// Pink body, darker gills, dark-violet eyes that read on dark and light terminals.
constexpr screen::Style kBody{screen::Color::rgb(255, 150, 180), {}, 0};
constexpr screen::Style kGills{screen::Color::rgb(214, 72, 132), {}, screen::kBold};
constexpr screen::Style kEyes{screen::Color::rgb(110, 60, 160), {}, screen::kBold};
constexpr screen::Style kMouth{screen::Color::rgb(230, 60, 110), {}, 0};
constexpr screen::Style kOverlay{screen::Color::rgb(170, 200, 255), {}, 0};

struct Look {
  Animation animation = Animation::Idle;
  Face face = Face::Mood;
  Overlay overlay = Overlay::None;
};

Animation animation_for_mood(AvatarMood m) {
  switch (m) {
    case AvatarMood::Happy:
    case AvatarMood::Excited: return Animation::Happy;
    case AvatarMood::Thinking: return Animation::Thinking;
    case AvatarMood::Playful: return Animation::Swimming;
    case AvatarMood::Confused: return Animation::Waiting;
    case AvatarMood::Shy:
    case AvatarMood::Calm:
    case AvatarMood::Curious: return Animation::Idle;
  }
  return Animation::Idle;
}

Face face_for_mood(AvatarMood m) {
  switch (m) {
    case AvatarMood::Happy: return Face::Joy;
    case AvatarMood::Thinking: return Face::Think;
    case AvatarMood::Playful: return Face::Playful;
    case AvatarMood::Shy: return Face::Shy;
    case AvatarMood::Excited: return Face::Excited;
    case AvatarMood::Confused: return Face::Confused;
    case AvatarMood::Calm: return Face::Calm;
    case AvatarMood::Curious: return Face::Curious;
  }
  return Face::Neutral;
}

Look look_for(const protocol::AvatarGesture& g) {
  using K = protocol::AvatarGesture::Kind;
  switch (g.kind) {
    case K::Wave:
    case K::Nod:
    case K::Bounce: return {Animation::Happy, Face::Mood, Overlay::None};
    case K::Dance: return {Animation::Happy, Face::Mood, Overlay::Note};
    case K::Shake: return {Animation::Waiting, Face::Neutral, Overlay::None};
    case K::Peek: return {Animation::Wink, Face::Mood, Overlay::None};
    case K::Spin:
    case K::Swim: return {Animation::Swimming, Face::Mood, Overlay::None};
    case K::Wiggle: return {Animation::Swimming, Face::Playful, Overlay::None};
    case K::Stretch: return {Animation::Idle, Face::Calm, Overlay::None};
    case K::Yawn: return {Animation::Waiting, Face::Sleepy, Overlay::Zzz};
  }
  return {};
}

Look look_for(AvatarReaction r) {
  switch (r) {
    case AvatarReaction::Laugh: return {Animation::Happy, Face::Joy, Overlay::None};
    case AvatarReaction::Gasp: return {Animation::Waiting, Face::Gasp, Overlay::Bang};
    case AvatarReaction::Hmm: return {Animation::Thinking, Face::Think, Overlay::None};
    case AvatarReaction::Tada: return {Animation::Happy, Face::Excited, Overlay::Sparkle};
    case AvatarReaction::Oops: return {Animation::Error, Face::Gasp, Overlay::Sweat};
    case AvatarReaction::Love: return {Animation::Happy, Face::Love, Overlay::Heart};
    case AvatarReaction::Blush: return {Animation::Idle, Face::Shy, Overlay::Blush};
    case AvatarReaction::Wink: return {Animation::Wink, Face::Mood, Overlay::None};
    case AvatarReaction::Cry: return {Animation::Error, Face::Cry, Overlay::None};
    case AvatarReaction::Angry: return {Animation::Error, Face::Angry, Overlay::Anger};
    case AvatarReaction::Sleepy: return {Animation::Waiting, Face::Sleepy, Overlay::Zzz};
    case AvatarReaction::Dizzy: return {Animation::Swimming, Face::Dizzy, Overlay::None};
  }
  return {};
}

// A PointAt target left or right of the middle third turns the eyes that way.
int glance_dx(std::uint8_t x_percent) {
  if (x_percent < 34) return -1;
  if (x_percent > 66) return 1;
  return 0;
}

Rect intersect(Rect a, Rect b) {
  const int x = std::max(a.x, b.x);
  const int y = std::max(a.y, b.y);
  const int r = std::min(a.right(), b.right());
  const int btm = std::min(a.bottom(), b.bottom());
  return {x, y, std::max(0, r - x), std::max(0, btm - y)};
}

// The `n`th grapheme cluster of `text` (empty past the end).
std::string_view nth_cluster(std::string_view text, int n) {
  std::size_t pos = 0;
  for (int i = 0; pos < text.size(); ++i) {
    const std::size_t end = screen::next_grapheme(text, pos);
    if (i == n) return text.substr(pos, end - pos);
    pos = end;
  }
  return {};
}

// Draws one cluster at (x, y) when it lies wholly inside `clip`.
void put(screen::Buffer& buf, const Rect& clip, int x, int y, std::string_view cluster,
         const screen::Style& style) {
  if (y < clip.y || y >= clip.bottom() || x < clip.x) return;
  const int w = std::max(1, screen::cluster_width(cluster));
  if (x + w > clip.right()) return;
  buf.set(x, y, cluster, w, style);
}

struct RowScan {
  int first = -1;  // first and last non-space columns: spaces outside them are transparent
  int last = -1;
  int mouth_start = -1;
  int mouth_len = 0;
  std::uint64_t spaces = 0;  // columns < 64 that hold a space
};

RowScan scan(std::string_view row) {
  RowScan s;
  int col = 0;
  screen::for_each_grapheme(row, [&](std::string_view c, int w) {
    if (c == " ") {
      if (col < 64) s.spaces |= std::uint64_t{1} << col;
    } else {
      if (s.first < 0) s.first = col;
      s.last = col;
    }
    if (c == "M") {
      if (s.mouth_start < 0) s.mouth_start = col;
      ++s.mouth_len;
    }
    col += std::max(w, 1);
  });
  return s;
}

// Draws one sprite row with its placeholders filled in; the eyes move by `glance` columns when
// the face has room there.
void draw_row(screen::Buffer& buf, const Rect& clip, int x0, int y, std::string_view row,
              bool flutter, const sprites::FaceGlyphs& face, int glance) {
  if (y < clip.y || y >= clip.bottom()) return;
  const RowScan s = scan(row);
  std::array<int, 2> eyes{};
  int eye_count = 0;
  const std::string_view mouth = s.mouth_len == 3 ? face.mouth3 : face.mouth1;
  int col = 0;
  screen::for_each_grapheme(row, [&](std::string_view c, int w) {
    const int at = col;
    col += std::max(w, 1);
    if (at < s.first || at > s.last) return;
    if (c == "E") {
      if (eye_count < 2) eyes[static_cast<std::size_t>(eye_count++)] = at;
      put(buf, clip, x0 + at, y, " ", kBody);
    } else if (c == "M") {
      const std::string_view m = s.mouth_len == 3 ? nth_cluster(mouth, at - s.mouth_start) : mouth;
      put(buf, clip, x0 + at, y, m.empty() ? " " : m, kMouth);
    } else if (c == sprites::kGill) {
      put(buf, clip, x0 + at, y, flutter ? sprites::kGillFlutter : sprites::kGill, kGills);
    } else if (c == "=") {
      put(buf, clip, x0 + at, y, c, kGills);
    } else {
      put(buf, clip, x0 + at, y, c, kBody);
    }
  });
  for (int i = 0; i < eye_count; ++i) {
    int at = eyes[static_cast<std::size_t>(i)];
    const int to = at + glance;
    const bool other_eye = eye_count == 2 && to == eyes[static_cast<std::size_t>(1 - i)];
    if (glance != 0 && to >= 0 && to < 64 && !other_eye && ((s.spaces >> to) & 1U) != 0) at = to;
    put(buf, clip, x0 + at, y, i == 0 ? face.left_eye : face.right_eye, kEyes);
  }
}

}  // namespace

std::string_view animation_name(Animation a) {
  return kAnimationNames[static_cast<std::size_t>(a)];
}

Avatar::Avatar(Clock::time_point now)
    : base_start_(now), next_wander_(now + kWanderStep), last_now_(now) {
  last_picture_ = picture(now);
}

void Avatar::apply(const protocol::ConductorMessage& message, Clock::time_point now) {
  last_now_ = std::max(last_now_, now);
  const bool was_wandering = wander_active();
  if (const auto* m = std::get_if<msg::AvatarMood>(&message)) {
    mood_ = m->mood;
  } else if (const auto* g = std::get_if<msg::AvatarGesture>(&message)) {
    const Look l = look_for(g->gesture);
    start_temporary(l.animation, l.face, l.overlay, g->duration_ms, now);
  } else if (const auto* r = std::get_if<msg::AvatarReact>(&message)) {
    const Look l = look_for(r->reaction);
    start_temporary(l.animation, l.face, l.overlay, r->duration_ms, now);
  } else if (const auto* s = std::get_if<msg::AvatarSize>(&message)) {
    size_ = s->size;
  } else if (const auto* v = std::get_if<msg::AvatarVisibility>(&message)) {
    visible_ = v->visible;
  } else if (const auto* w = std::get_if<msg::AvatarWander>(&message)) {
    wander_ = w->enabled;
  } else if (const auto* mv = std::get_if<msg::AvatarMoveTo>(&message)) {
    position_ = mv->position;
  } else if (const auto* p = std::get_if<msg::AvatarPointAt>(&message)) {
    glance_ = Glance{glance_dx(p->x_percent), now + kGlance};
  } else if (const auto* st = std::get_if<msg::State>(&message)) {
    state_ = st->state;
  } else if (const auto* snap = std::get_if<msg::StateSnapshot>(&message)) {
    const protocol::AvatarStateSnapshot& a = snap->avatar_state;
    position_ = a.position;
    mood_ = a.mood;
    size_ = a.size;
    visible_ = a.visible;
    wander_ = a.wandering;
    state_ = snap->session_info.state;
    temp_.reset();
    if (a.current_gesture) {
      const Look l = look_for(*a.current_gesture);
      start_temporary(l.animation, l.face, l.overlay, 0, now);
    }
    if (a.current_reaction) {
      const Look l = look_for(*a.current_reaction);
      start_temporary(l.animation, l.face, l.overlay, 0, now);
    }
  } else {
    return;
  }
  set_base(now);
  if (!was_wandering && wander_active()) restart_wander(now);
  dirty_ = true;
}

void Avatar::set_motion_allowed(bool allowed) {
  if (allowed == motion_) return;
  const bool was_wandering = wander_active();
  motion_ = allowed;
  if (!was_wandering && wander_active()) restart_wander(last_now_);
  dirty_ = true;
}

std::optional<Clock::time_point> Avatar::next_change(Clock::time_point now) const {
  std::optional<Clock::time_point> best;
  const auto consider = [&](Clock::time_point t) {
    if (!best || t < *best) best = t;
  };
  if (temp_) consider(temp_->until);
  if (glance_) consider(glance_->until);
  if (motion_ && visible_) {
    const sprites::AnimationDef& def = sprites::animation(animation());
    if (def.frames.size() > 1) {
      const Clock::time_point start = animation_start();
      const auto elapsed = std::max(Clock::duration::zero(), now - start);
      const auto k = elapsed / def.frame_duration;
      consider(start + (k + 1) * def.frame_duration);
    }
  }
  if (wander_active()) consider(next_wander_);
  return best;
}

bool Avatar::advance(Clock::time_point now) {
  last_now_ = std::max(last_now_, now);
  expire(now);
  if (wander_active() && now >= next_wander_) {
    const auto steps = (now - next_wander_) / kWanderStep + 1;
    wander_phase_ += steps;
    next_wander_ += steps * kWanderStep;
  }
  const Picture p = picture(now);
  const bool changed = dirty_ || p != last_picture_;
  last_picture_ = p;
  dirty_ = false;
  return changed;
}

void Avatar::draw(screen::Buffer& buffer, Rect area, Clock::time_point now) const {
  if (!visible_) return;
  const Rect clip = intersect(area, Rect{0, 0, buffer.width(), buffer.height()});
  if (clip.empty()) return;
  const sprites::Sprite& sp = sprites::sprite(fitted_size(area));
  const sprites::AnimationDef& def = sprites::animation(animation());
  const sprites::Frame& frame = def.frames[static_cast<std::size_t>(frame_index(now))];
  const sprites::FaceGlyphs& face_glyphs = sprites::face(face(now));
  const auto rows = frame.pose == sprites::Pose::Swim ? sp.swim : sp.rest;
  const Point o = origin(area);
  for (int r = 0; r < sp.rows; ++r) {
    draw_row(buffer, clip, o.x, o.y + r, rows[static_cast<std::size_t>(r)], frame.flutter,
             face_glyphs, glance());
  }
  // The decoration: only inside its slot.
  const Rect slot =
      intersect(clip, Rect{o.x + sp.overlay_x, o.y + sp.overlay_y, sp.overlay_width, 1});
  int x = o.x + sp.overlay_x;
  screen::for_each_grapheme(sprites::overlay_text(overlay(now), sp.overlay_width),
                            [&](std::string_view c, int w) {
                              if (c != " ") put(buffer, slot, x, slot.y, c, kOverlay);
                              x += std::max(w, 1);
                            });
}

Avatar::Extent Avatar::extent(AvatarSize size) {
  const sprites::Sprite& sp = sprites::sprite(size);
  return {sp.cols, sp.rows};
}

AvatarSize Avatar::fitted_size(Rect area) const {
  for (int s = static_cast<int>(size_); s > 0; --s) {
    const Extent e = extent(static_cast<AvatarSize>(s));
    if (e.cols <= area.width && e.rows <= area.height) return static_cast<AvatarSize>(s);
  }
  return AvatarSize::Tiny;
}

Avatar::Point Avatar::origin(Rect area) const {
  const Extent e = extent(fitted_size(area));
  const int free_w = std::max(0, area.width - e.cols);
  const int free_h = std::max(0, area.height - e.rows);
  int x = free_w;
  int y = free_h;
  using K = protocol::AvatarPosition::Kind;
  switch (position_.kind) {
    case K::TopLeft: x = 0; y = 0; break;
    case K::TopRight: y = 0; break;
    case K::BottomLeft: x = 0; break;
    case K::BottomRight:
    case K::Follow: break;  // the surface has no pointer to follow: stay in the corner
    case K::Center: x = free_w / 2; y = free_h / 2; break;
    case K::Percent:
      x = free_w * std::min<int>(position_.x, 100) / 100;
      y = free_h * std::min<int>(position_.y, 100) / 100;
      break;
  }
  if (wander_ && motion_ && free_w > 0) {
    // Back and forth across the free columns, starting from the anchor.
    const std::int64_t period = 2 * static_cast<std::int64_t>(free_w);
    const std::int64_t t = (x + wander_phase_) % period;
    x = static_cast<int>(t <= free_w ? t : period - t);
  }
  return {area.x + x, area.y + y};
}

Animation Avatar::animation() const { return temp_ ? temp_->animation : base_; }

int Avatar::frame_index(Clock::time_point now) const {
  if (!motion_) return 0;
  const sprites::AnimationDef& def = sprites::animation(animation());
  const auto n = static_cast<std::int64_t>(def.frames.size());
  if (n <= 1) return 0;
  const auto elapsed = std::max(Clock::duration::zero(), now - animation_start());
  return static_cast<int>((elapsed / def.frame_duration) % n);
}

Face Avatar::face(Clock::time_point now) const {
  const sprites::AnimationDef& def = sprites::animation(animation());
  const Face f = def.frames[static_cast<std::size_t>(frame_index(now))].face;
  if (temp_ && temp_->face != Face::Mood && f != Face::Blink) return temp_->face;
  if (f == Face::Mood) return mood_ ? face_for_mood(*mood_) : Face::Neutral;
  return f;
}

Overlay Avatar::overlay(Clock::time_point now) const {
  if (temp_ && temp_->overlay != Overlay::None) return temp_->overlay;
  const sprites::AnimationDef& def = sprites::animation(animation());
  return def.frames[static_cast<std::size_t>(frame_index(now))].overlay;
}

void Avatar::set_base(Clock::time_point now) {
  const Animation a = base_for_state();
  if (a == base_) return;
  base_ = a;
  base_start_ = now;
}

Animation Avatar::base_for_state() const {
  switch (state_) {
    case ConductorState::Thinking: return Animation::Thinking;
    case ConductorState::Responding: return Animation::Talking;
    case ConductorState::Error: return Animation::Error;
    case ConductorState::Listening: return Animation::Waiting;
    case ConductorState::Initializing:
    case ConductorState::Ready:
    case ConductorState::ShuttingDown: break;
  }
  return mood_ ? animation_for_mood(*mood_) : Animation::Idle;
}

void Avatar::start_temporary(Animation a, Face f, Overlay o, std::uint32_t duration_ms,
                             Clock::time_point now) {
  const auto duration =
      duration_ms == 0 ? kDefaultTemporary : std::chrono::milliseconds(duration_ms);
  temp_ = Temporary{a, f, o, now, now + duration};
}

void Avatar::restart_wander(Clock::time_point now) { next_wander_ = now + kWanderStep; }

Clock::time_point Avatar::animation_start() const { return temp_ ? temp_->start : base_start_; }

Avatar::Picture Avatar::picture(Clock::time_point now) const {
  return {animation(), frame_index(now), face(now), overlay(now), wander_phase_, glance()};
}

void Avatar::expire(Clock::time_point now) {
  if (temp_ && now >= temp_->until) {
    temp_.reset();
    dirty_ = true;
  }
  if (glance_ && now >= glance_->until) {
    glance_.reset();
    dirty_ = true;
  }
}

}  // namespace yollayah::tui::view
