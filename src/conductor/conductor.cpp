#include "conductor/conductor.hpp"

#include "conductor/history_service.hpp"

namespace yollayah::conductor {

namespace {

std::shared_ptr<backend::routing::Router> as_router(std::shared_ptr<backend::Backend> backend) {
  if (auto router = std::dynamic_pointer_cast<backend::routing::Router>(backend)) return router;
  return backend::routing::single_backend_router(std::move(backend));
}

}  // namespace

Conductor::Conductor(asio::any_io_executor executor, std::shared_ptr<backend::Backend> backend, SessionConfig config)
    : executor_(std::move(executor)),
      router_(as_router(std::move(backend))),
      config_(std::move(config)),
      monitor_(executor_, "conductor") {}

void Conductor::set_history(HistoryService* history, std::string surface, std::optional<store::Conversation> resume) {
  std::lock_guard lock(mutex_);
  history_ = history;
  history_surface_ = std::move(surface);
  resume_ = std::move(resume);
}

std::shared_ptr<Session> Conductor::main_session() {
  std::lock_guard lock(mutex_);
  if (!main_) {
    main_ = std::make_shared<Session>(executor_, router_, config_, &monitor_);
    if (history_) {
      if (resume_) main_->restore(restored_history(*resume_));
      history_->attach(*main_, history_surface_, config_, resume_ ? &*resume_ : nullptr);
      resume_.reset();
    }
    sessions_.push_back(main_);
    main_->start();
  }
  return main_;
}

std::shared_ptr<Session> Conductor::create_session() {
  std::shared_ptr<Session> session;
  {
    std::lock_guard lock(mutex_);
    session = std::make_shared<Session>(executor_, router_, config_, &monitor_);
    if (history_) history_->attach(*session, history_surface_, config_, nullptr);
    std::erase_if(sessions_, [](const std::weak_ptr<Session>& s) { return s.expired(); });
    sessions_.push_back(session);
  }
  session->start();
  return session;
}

void Conductor::reconfigure(SessionConfig config) {
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(mutex_);
    config.greet = config_.greet;
    config_ = config;
    for (const auto& weak : sessions_)
      if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  for (const auto& session : live) session->reconfigure(config);
}

void Conductor::stop(std::optional<std::string> quit_message) {
  std::shared_ptr<Session> session;
  {
    std::lock_guard lock(mutex_);
    session = main_;
  }
  if (session) session->stop(std::move(quit_message));
}

}  // namespace yollayah::conductor
