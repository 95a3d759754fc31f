// Which models are "in memory" (what /api/ps lists) and when a loading one is ready: the first
// chat for a model starts its cold load (--load-ms); requests during the load wait for the same end.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace yollayah::sim {

class ModelLoads {
 public:
  using Clock = std::chrono::steady_clock;

  // When `model` (normalised) can answer: at once when loaded, else when its load ends. Starts
  // a load of `duration` for a model not seen before; every use keeps it loaded 5 more minutes.
  Clock::time_point ready_at(const std::string& model, std::chrono::milliseconds duration);

  struct Loaded {
    std::string name;
    std::chrono::system_clock::time_point expires_at;
  };
  // Models whose load has finished, by name.
  std::vector<Loaded> loaded() const;

  void unload_all() { models_.clear(); }

 private:
  struct State {
    Clock::time_point ready;
    std::chrono::system_clock::time_point expires_at;
  };
  std::map<std::string, State> models_;
};

}  // namespace yollayah::sim
