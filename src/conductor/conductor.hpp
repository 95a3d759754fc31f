// The Conductor: owns the sessions and hands out surface ids. Surfaces reach it only through a
// transport (in-process pair, Unix socket), never by calling into a session directly.
#pragma once

#include "backend/backend.hpp"
#include "backend/routing/router.hpp"
#include "conductor/session.hpp"
#include "store/records.hpp"
#include "core/stall_monitor.hpp"

#include <atomic>
#include <memory>
#include <vector>
#include <mutex>

namespace yollayah::conductor {

class HistoryService;

class Conductor {
 public:
  // Every request goes through a router. A plain backend (no [[backend]] in the config, tests) is
  // wrapped in a router of one.
  Conductor(asio::any_io_executor executor, std::shared_ptr<backend::Backend> backend, SessionConfig config);

  // Keep the conversations in `history` (issue 11), which must outlive the Conductor; `surface`
  // says who began them ("tui", "headless", "daemon"). The main session continues `resume` when
  // given. Call before the first session is created.
  void set_history(HistoryService* history, std::string surface, std::optional<store::Conversation> resume = {});
  HistoryService* history() const { return history_; }  // none when the history is off

  // The session every surface joins by default; created and started on first use. Thread-safe.
  std::shared_ptr<Session> main_session();

  // A new, started session of its own (several conversations side by side). Thread-safe.
  std::shared_ptr<Session> create_session();

  // A fresh surface id (never 0). Thread-safe.
  SurfaceId next_surface_id() { return next_surface_id_.fetch_add(1, std::memory_order_relaxed); }

  // Sends Quit to every surface of every session and cancels their work.
  void stop(std::optional<std::string> quit_message);
  // A reloaded configuration for every live session and those created later (Session::reconfigure).
  // Thread-safe.
  void reconfigure(SessionConfig config);

  backend::routing::Router& router() { return *router_; }
  // How late the Conductor's loop runs its work (DESIGN.md: the proof of "non-blocking").
  const core::StallMonitor& stall_monitor() const { return monitor_; }
  asio::any_io_executor executor() const { return executor_; }

 private:
  asio::any_io_executor executor_;
  std::shared_ptr<backend::routing::Router> router_;
  SessionConfig config_;
  core::StallMonitor monitor_;
  std::mutex mutex_;  // guards main_, sessions_ and config_; never held across I/O
  std::shared_ptr<Session> main_;
  std::vector<std::weak_ptr<Session>> sessions_;  // every session created, for reconfigure()
  std::atomic<SurfaceId> next_surface_id_{1};
  HistoryService* history_ = nullptr;
  std::string history_surface_;
  std::optional<store::Conversation> resume_;  // for the main session, until it is created
};

}  // namespace yollayah::conductor
