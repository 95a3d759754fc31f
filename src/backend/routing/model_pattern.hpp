// Which models a backend serves: the glob patterns of its `models = [...]` entry ("*", "llama3*",
// "qwen?:0.5b"). `*` matches any run of characters, `?` one character; nothing else is special.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace yollayah::backend::routing {

bool glob_match(std::string_view pattern, std::string_view text);

// True when any pattern matches `model`.
bool serves_model(const std::vector<std::string>& patterns, std::string_view model);

}  // namespace yollayah::backend::routing
