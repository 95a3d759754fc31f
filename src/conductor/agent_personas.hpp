// The built-in specialists: Yollayah's family, each with a name and a persona (its system prompt).
#pragma once

#include "conductor/agents.hpp"

#include <vector>

namespace yollayah::conductor {

std::vector<AgentInfo> builtin_agents();

}  // namespace yollayah::conductor
