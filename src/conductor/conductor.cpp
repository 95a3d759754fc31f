#include "conductor/conductor.hpp"

namespace yollayah::conductor {

Conductor::Conductor(asio::any_io_executor executor, std::shared_ptr<backend::Backend> backend, SessionConfig config)
    : executor_(std::move(executor)),
      backend_(std::move(backend)),
      config_(std::move(config)),
      monitor_(executor_, "conductor") {}

std::shared_ptr<Session> Conductor::main_session() {
  std::lock_guard lock(mutex_);
  if (!main_) {
    main_ = std::make_shared<Session>(executor_, backend_, config_, &monitor_);
    main_->start();
  }
  return main_;
}

std::shared_ptr<Session> Conductor::create_session() {
  auto session = std::make_shared<Session>(executor_, backend_, config_, &monitor_);
  session->start();
  return session;
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
