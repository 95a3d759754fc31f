// Which turns run when: main-conversation turns (chat, greeting, follow-up) one at a time, in
// order; agent turns in parallel up to max_agents, the rest waiting in order. Pure bookkeeping, no
// I/O: the Session asks what may start and tells when a turn ended. Strand-confined.
#pragma once

#include "conductor/turn.hpp"

#include <deque>
#include <functional>
#include <memory>
#include <vector>

namespace yollayah::conductor {

class TurnScheduler {
 public:
  using TurnPtr = std::shared_ptr<Turn>;

  explicit TurnScheduler(std::size_t max_agents = 4) : max_agents_(max_agents == 0 ? 1 : max_agents) {}
  void set_max_agents(std::size_t n) { max_agents_ = n == 0 ? 1 : n; }
  std::size_t max_agents() const { return max_agents_; }

  void enqueue(TurnPtr turn);

  // Moves the turns that may start now to running and appends them to `out`: the next main turn
  // when none runs and `main_allowed`, and queued agent turns while fewer than max_agents run.
  void take_startable(bool main_allowed, std::vector<TurnPtr>& out);

  // The turn ended: it leaves the running set.
  void finished(const Turn& turn);

  // Removes the queued turns `pred` selects and returns them, in queue order.
  std::vector<TurnPtr> remove_queued(const std::function<bool(const Turn&)>& pred);

  const TurnPtr& running_main() const { return main_running_; }
  const std::vector<TurnPtr>& running_agents() const { return agents_running_; }
  const std::deque<TurnPtr>& queued_main() const { return main_queue_; }
  const std::deque<TurnPtr>& queued_agents() const { return agent_queue_; }
  // The agent turn (running or queued) working on `task_id`; nullptr when none.
  TurnPtr find_agent(std::string_view task_id) const;
  bool idle() const { return !main_running_ && agents_running_.empty() && main_queue_.empty() && agent_queue_.empty(); }

 private:
  std::size_t max_agents_;
  TurnPtr main_running_;
  std::deque<TurnPtr> main_queue_;
  std::vector<TurnPtr> agents_running_;
  std::deque<TurnPtr> agent_queue_;
};

}  // namespace yollayah::conductor
