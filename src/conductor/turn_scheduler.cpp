#include "conductor/turn_scheduler.hpp"

#include <algorithm>

namespace yollayah::conductor {

void TurnScheduler::enqueue(TurnPtr turn) {
  if (turn->is_agent()) agent_queue_.push_back(std::move(turn));
  else main_queue_.push_back(std::move(turn));
}

void TurnScheduler::take_startable(bool main_allowed, std::vector<TurnPtr>& out) {
  if (main_allowed && !main_running_ && !main_queue_.empty()) {
    main_running_ = std::move(main_queue_.front());
    main_queue_.pop_front();
    out.push_back(main_running_);
  }
  while (agents_running_.size() < max_agents_ && !agent_queue_.empty()) {
    agents_running_.push_back(std::move(agent_queue_.front()));
    agent_queue_.pop_front();
    out.push_back(agents_running_.back());
  }
}

void TurnScheduler::finished(const Turn& turn) {
  if (main_running_.get() == &turn) {
    main_running_.reset();
    return;
  }
  std::erase_if(agents_running_, [&](const TurnPtr& t) { return t.get() == &turn; });
}

std::vector<TurnScheduler::TurnPtr> TurnScheduler::remove_queued(const std::function<bool(const Turn&)>& pred) {
  std::vector<TurnPtr> removed;
  auto take = [&](std::deque<TurnPtr>& queue) {
    std::deque<TurnPtr> kept;
    for (auto& t : queue) {
      if (pred(*t)) removed.push_back(std::move(t));
      else kept.push_back(std::move(t));
    }
    queue = std::move(kept);
  };
  take(main_queue_);
  take(agent_queue_);
  return removed;
}

TurnScheduler::TurnPtr TurnScheduler::find_agent(std::string_view task_id) const {
  auto matches = [&](const TurnPtr& t) { return t->agent && t->agent->task_id == task_id; };
  if (auto it = std::find_if(agents_running_.begin(), agents_running_.end(), matches); it != agents_running_.end()) return *it;
  if (auto it = std::find_if(agent_queue_.begin(), agent_queue_.end(), matches); it != agent_queue_.end()) return *it;
  return nullptr;
}

}  // namespace yollayah::conductor
