#include "model_loads.hpp"

namespace yollayah::sim {

namespace {
constexpr auto kKeepAlive = std::chrono::minutes(5);  // Ollama's default keep_alive
}

ModelLoads::Clock::time_point ModelLoads::ready_at(const std::string& model, std::chrono::milliseconds duration) {
  auto now = Clock::now();
  auto [it, fresh] = models_.try_emplace(model, State{now + duration, {}});
  it->second.expires_at = std::chrono::system_clock::now() + (it->second.ready - now) + kKeepAlive;
  (void)fresh;
  return it->second.ready;
}

std::vector<ModelLoads::Loaded> ModelLoads::loaded() const {
  std::vector<Loaded> out;
  auto now = Clock::now();
  for (const auto& [name, state] : models_) {
    if (state.ready <= now) out.push_back({name, state.expires_at});
  }
  return out;
}

}  // namespace yollayah::sim
