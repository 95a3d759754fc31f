#include "conductor/input_validator.hpp"

#include "conductor/text_checks.hpp"

#include <algorithm>
#include <cstdio>
#include <iterator>

namespace yollayah::conductor {
namespace {

std::string kib(std::size_t bytes) { return std::to_string((bytes + 1023) / 1024) + " KiB"; }

std::string code_point(char32_t c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
  return buf;
}

}  // namespace

InputValidator::InputValidator(Limits limits) : limits_(limits) {}

Rejection InputValidator::validate_message(std::string_view content) const {
  if (content.size() > limits_.max_message_bytes) {
    return "Message is " + kib(content.size()) + "; the limit is " + kib(limits_.max_message_bytes) +
           ". Shorten it or split it into parts.";
  }
  if (const auto at = find_control_char(content, "\n\t\r"); at != std::string_view::npos) {
    return "Message contains an invisible control character (" + code_point(control_char_at(content, at)) +
           "). Remove it and send again.";
  }
  return std::nullopt;
}

Rejection InputValidator::validate_command(std::string_view name, std::span<const std::string> args) const {
  const bool name_ok =
      !name.empty() && name.size() <= limits_.max_command_name &&
      std::all_of(name.begin(), name.end(), [](char c) { return is_ascii_alnum(c) || c == '-' || c == '_'; });
  if (!name_ok) {
    std::string why = "'/";
    why.append(name.substr(0, 60));
    if (name.size() > 60) why.append("...");
    why.append("' is not a command: names are 1-");
    why.append(std::to_string(limits_.max_command_name));
    why.append(" letters, digits, '-' or '_'. Type /help for the list.");
    return why;
  }
  const auto command = "/" + std::string(name);
  if (args.size() > limits_.max_args) {
    return command + " got " + std::to_string(args.size()) + " arguments; the limit is " +
           std::to_string(limits_.max_args) + ". Drop some and try again.";
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& arg = args[i];
    const auto which = "Argument " + std::to_string(i + 1) + " of " + command;
    if (arg.size() > limits_.max_arg_bytes) {
      return which + " is " + std::to_string(arg.size()) + " bytes; the limit is " +
             std::to_string(limits_.max_arg_bytes) + ". Shorten it.";
    }
    if (const auto at = find_control_char(arg); at != std::string_view::npos) {
      return which + " contains an invisible control character (" + code_point(control_char_at(arg, at)) +
             "). Remove it and try again.";
    }
  }
  return std::nullopt;
}

namespace {

std::size_t count_within(const std::deque<std::chrono::steady_clock::time_point>& window,
                         std::chrono::steady_clock::time_point now) {
  return static_cast<std::size_t>(std::count_if(
      window.begin(), window.end(), [&](auto t) { return now - t < InputValidator::kRateWindow; }));
}

void expire(std::deque<std::chrono::steady_clock::time_point>& window, std::chrono::steady_clock::time_point now) {
  while (!window.empty() && now - window.front() >= InputValidator::kRateWindow) window.pop_front();
}

long long wait_seconds(std::chrono::steady_clock::time_point oldest, std::chrono::steady_clock::time_point now) {
  using namespace std::chrono;
  return std::max<long long>(1, ceil<seconds>(oldest + InputValidator::kRateWindow - now).count());
}

std::string messages(std::size_t n) { return std::to_string(n) + (n == 1 ? " message" : " messages"); }

}  // namespace

std::size_t InputValidator::recent_count(SurfaceKey surface, Clock::time_point now) const {
  auto it = per_surface_.find(surface);
  return it == per_surface_.end() ? 0 : count_within(it->second, now);
}

std::size_t InputValidator::session_count(Clock::time_point now) const { return count_within(session_, now); }

std::size_t InputValidator::session_ceiling() const {
  return static_cast<std::size_t>(limits_.max_per_minute) * limits_.session_factor;
}

void InputValidator::forget_idle_surfaces(Clock::time_point now) {
  for (auto it = per_surface_.begin(); it != per_surface_.end();) {
    expire(it->second, now);
    it = it->second.empty() ? per_surface_.erase(it) : std::next(it);
  }
}

Rejection InputValidator::check_rate(SurfaceKey surface, Clock::time_point now) {
  if (limits_.max_per_minute == 0) return std::nullopt;
  forget_idle_surfaces(now);
  expire(session_, now);
  Window& mine = per_surface_[surface];
  if (mine.size() >= limits_.max_per_minute) {
    return "Slow down: " + messages(limits_.max_per_minute) + " per minute at most. Try again in " +
           std::to_string(wait_seconds(mine.front(), now)) + " s.";
  }
  if (const auto ceiling = session_ceiling(); ceiling > 0 && session_.size() >= ceiling) {
    if (mine.empty()) per_surface_.erase(surface);
    return "Slow down: " + messages(ceiling) +
           " per minute at most from all the windows of this conversation together (" +
           std::to_string(limits_.max_per_minute) + " from each). Try again in " +
           std::to_string(wait_seconds(session_.front(), now)) + " s.";
  }
  mine.push_back(now);
  session_.push_back(now);
  return std::nullopt;
}

Rejection InputValidator::check_message(SurfaceKey surface, std::string_view content, Clock::time_point now) {
  if (auto r = validate_message(content)) return r;
  return check_rate(surface, now);
}

Rejection InputValidator::check_command(SurfaceKey surface, std::string_view name, std::span<const std::string> args,
                                        Clock::time_point now) {
  if (auto r = validate_command(name, args)) return r;
  return check_rate(surface, now);
}

}  // namespace yollayah::conductor
