#include "transport/inprocess.hpp"

#include "conductor/ids.hpp"
#include "transport/queue_sink.hpp"

namespace yollayah::transport {


InProcessLink::InProcessLink(conductor::Conductor& conductor, asio::any_io_executor surface_executor,
                             core::EnvelopeQueue::Limits limits)
    : InProcessLink(conductor, conductor.main_session(), std::move(surface_executor), limits) {}

InProcessLink::InProcessLink(conductor::Conductor& conductor, std::shared_ptr<conductor::Session> session,
                             asio::any_io_executor surface_executor, core::EnvelopeQueue::Limits limits)
    : session_(std::move(session)),
      id_(conductor.next_surface_id()),
      queue_(std::make_shared<core::EnvelopeQueue>(surface_executor, limits)) {
  session_->attach(id_, std::make_shared<QueueSink>(queue_, /*frames=*/false));
}

InProcessLink::~InProcessLink() { close(); }

void InProcessLink::send(protocol::SurfaceEvent event) {
  if (!closed_) session_->post(id_, std::move(event));
}

asio::awaitable<bool> InProcessLink::receive(std::vector<protocol::EnvelopePtr>& batch) {
  co_return co_await queue_->wait_and_drain(batch);
}

void InProcessLink::close() {
  if (closed_) return;
  closed_ = true;
  session_->post(id_, protocol::ev::Disconnected{conductor::next_event_id(), std::string("surface closed")});
  session_->detach(id_);
  queue_->close();
}

}  // namespace yollayah::transport
