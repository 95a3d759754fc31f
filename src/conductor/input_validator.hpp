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

namespace yollayah::conductor {

struct InputLimits {
  std::size_t max_message_bytes = 102'400;  // 100 KiB
  std::size_t max_command_name = 50;
  std::size_t max_args = 10;
  std::size_t max_arg_bytes = 1000;
  std::uint32_t max_per_minute = 30;  // messages and commands together; 0 turns the limit off
};

// Why an input was rejected, as a sentence that says what to do; empty when it was accepted.
using Rejection = std::optional<std::string>;

class InputValidator {
 public:
  using Clock = std::chrono::steady_clock;
  using Limits = InputLimits;
  static constexpr Clock::duration kRateWindow = std::chrono::seconds(60);

  explicit InputValidator(Limits limits = {});

  // The content rules, then the rate limit. Only accepted input counts towards the rate, so a
  // message rejected for its size does not use up the user's quota.
  Rejection check_message(std::string_view content, Clock::time_point now);
  Rejection check_command(std::string_view name, std::span<const std::string> args, Clock::time_point now);

  // The content rules alone; nothing is recorded.
  // Message: at most max_message_bytes, no control characters except \n, \t and \r.
  Rejection validate_message(std::string_view content) const;
  // Command name: 1–max_command_name characters of [A-Za-z0-9_-]. Args: at most max_args, each at
  // most max_arg_bytes, with no control characters.
  Rejection validate_command(std::string_view name, std::span<const std::string> args) const;

  // The rate limit alone: at most max_per_minute accepted inputs in any 60 s. The window slides,
  // unlike the original's fixed one, so there is no burst of twice the limit across a window edge.
  // On success the input is recorded.
  Rejection check_rate(Clock::time_point now);

  // How many inputs count against the limit at `now`.
  std::size_t recent_count(Clock::time_point now) const;

  const Limits& limits() const { return limits_; }

 private:
  Limits limits_;
  std::deque<Clock::time_point> recent_;  // accepted inputs, oldest first; at most max_per_minute
};

}  // namespace yollayah::conductor
