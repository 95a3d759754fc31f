// Checks on what the user sends (UserMessage, UserCommand) before the Conductor acts on it:
// sizes, control characters and a rate limit (anchor-core "security.rs", §6). A rejection is a
// reason the user can act on; the Conductor shows it as Notify{Warning}.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

namespace yollayah::conductor {

struct InputLimits {
  std::size_t max_message_bytes = 102'400;  // 100 KiB
  std::size_t max_command_name = 50;
  std::size_t max_args = 10;
  std::size_t max_arg_bytes = 1000;
  // Messages and commands together, per surface (connection), so one busy window does not make
  // another wait; 0 turns the limits off.
  std::uint32_t max_per_minute = 30;
  // The session as a whole takes this many times max_per_minute (reconnecting does not reset it);
  // 0: no session-wide ceiling.
  std::uint32_t session_factor = 4;
};

// Why an input was rejected, as a sentence that says what to do; empty when it was accepted.
using Rejection = std::optional<std::string>;

class InputValidator {
 public:
  using Clock = std::chrono::steady_clock;
  using Limits = InputLimits;
  using SurfaceKey = std::uint64_t;  // the session's SurfaceId
  static constexpr Clock::duration kRateWindow = std::chrono::seconds(60);

  explicit InputValidator(Limits limits = {});

  // The content rules, then the rate limits: `surface`'s own, then the session's ceiling. Only
  // accepted input counts towards them, so a message rejected for its size does not use up the
  // user's quota.
  Rejection check_message(SurfaceKey surface, std::string_view content, Clock::time_point now);
  Rejection check_command(SurfaceKey surface, std::string_view name, std::span<const std::string> args,
                          Clock::time_point now);
  // The same for a caller with a single surface.
  Rejection check_message(std::string_view content, Clock::time_point now) { return check_message(0, content, now); }
  Rejection check_command(std::string_view name, std::span<const std::string> args, Clock::time_point now) {
    return check_command(0, name, args, now);
  }

  // The content rules alone; nothing is recorded.
  // Message: at most max_message_bytes, no control characters except \n, \t and \r.
  Rejection validate_message(std::string_view content) const;
  // Command name: 1–max_command_name characters of [A-Za-z0-9_-]. Args: at most max_args, each at
  // most max_arg_bytes, with no control characters.
  Rejection validate_command(std::string_view name, std::span<const std::string> args) const;

  // The rate limits alone: at most max_per_minute accepted inputs from `surface` in any 60 s, and
  // session_factor times that from all surfaces together. The windows slide, unlike the original's
  // fixed one, so there is no burst of twice the limit across a window edge. On success the input
  // is recorded.
  Rejection check_rate(SurfaceKey surface, Clock::time_point now);
  Rejection check_rate(Clock::time_point now) { return check_rate(0, now); }

  // How many inputs count against `surface`'s limit at `now`; against the session's ceiling.
  std::size_t recent_count(SurfaceKey surface, Clock::time_point now) const;
  std::size_t recent_count(Clock::time_point now) const { return recent_count(0, now); }
  std::size_t session_count(Clock::time_point now) const;
  // The session-wide ceiling per minute (0: none).
  std::size_t session_ceiling() const;
  // Surfaces with a window kept (those that sent input in the last minute, as of the last check).
  std::size_t tracked_surfaces() const { return per_surface_.size(); }

  const Limits& limits() const { return limits_; }

 private:
  using Window = std::deque<Clock::time_point>;  // accepted inputs, oldest first
  void forget_idle_surfaces(Clock::time_point now);

  Limits limits_;
  // One window per surface that sent something in the last minute (idle ones are dropped, so
  // surfaces that came and went leave nothing behind), and one for the whole session.
  std::unordered_map<SurfaceKey, Window> per_surface_;
  Window session_;
};

}  // namespace yollayah::conductor
