// The built-in texts the Conductor sends to the model: Yollayah's personality (the default system
// prompt, also used by yollayah.sh for `/api/create`) and the time-of-day greeting request.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

namespace yollayah::conductor {

std::string_view default_system_prompt();

// "Say a quick, cute one-liner greeting… It's Saturday evening…" for the given local time.
std::string greeting_prompt(const std::tm& local_time);

// Shown when the greeting could not be streamed; its tags are parsed like model output.
inline constexpr std::string_view kFallbackGreeting = "[yolla:wave][yolla:mood happy]¡Hola! Ready to chat!";

}  // namespace yollayah::conductor
