#include "conductor/input_validator.hpp"

#include "conductor/text_checks.hpp"

#include <algorithm>
#include <cstdio>

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

std::size_t InputValidator::recent_count(Clock::time_point now) const {
  return static_cast<std::size_t>(
      std::count_if(recent_.begin(), recent_.end(), [&](Clock::time_point t) { return now - t < kRateWindow; }));
}

Rejection InputValidator::check_rate(Clock::time_point now) {
  if (limits_.max_per_minute == 0) return std::nullopt;
  while (!recent_.empty() && now - recent_.front() >= kRateWindow) recent_.pop_front();
  if (recent_.size() >= limits_.max_per_minute) {
    using namespace std::chrono;
    const auto wait = std::max<long long>(1, ceil<seconds>(recent_.front() + kRateWindow - now).count());
    const auto n = limits_.max_per_minute;
    return "Slow down: " + std::to_string(n) + (n == 1 ? " message" : " messages") +
           " per minute at most. Try again in " + std::to_string(wait) + " s.";
  }
  recent_.push_back(now);
  return std::nullopt;
}

Rejection InputValidator::check_message(std::string_view content, Clock::time_point now) {
  if (auto r = validate_message(content)) return r;
  return check_rate(now);
}

Rejection InputValidator::check_command(std::string_view name, std::span<const std::string> args,
                                        Clock::time_point now) {
  if (auto r = validate_command(name, args)) return r;
  return check_rate(now);
}

}  // namespace yollayah::conductor
