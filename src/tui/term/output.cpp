#include "tui/term/output.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/system/system_error.hpp>

#include <string>

#include <unistd.h>

namespace yollayah::tui::term {

// Shared with the completion handler, so a write finishing after ~Output touches live memory.
struct Output::State {
  boost::asio::posix::stream_descriptor stream;
  std::string inflight;  // the frame being written
  std::size_t offset = 0;
  std::string pending;  // the next frame, if has_pending
  bool writing = false;
  bool has_pending = false;
  bool closed = false;
  boost::system::error_code error;
  OutputStats stats;
  std::function<void()> drained;

  State(const boost::asio::any_io_executor& ex, int fd) : stream(ex, fd) {}

  static void write_some(const std::shared_ptr<State>& self) {
    self->writing = true;
    auto buf = boost::asio::buffer(self->inflight.data() + self->offset,
                                   self->inflight.size() - self->offset);
    self->stream.async_write_some(buf, [self](boost::system::error_code ec, std::size_t n) {
      on_written(self, ec, n);
    });
  }

  static void on_written(const std::shared_ptr<State>& self, boost::system::error_code ec,
                         std::size_t n) {
    self->writing = false;
    if (self->closed) return;
    if (ec) {
      if (!self->error) self->error = ec;
      self->has_pending = false;
      return;
    }
    self->offset += n;
    self->stats.bytes_written += n;
    if (self->offset < self->inflight.size()) {
      write_some(self);
      return;
    }
    ++self->stats.frames_written;
    if (self->has_pending) {
      self->inflight.swap(self->pending);  // swapping keeps both capacities: no allocation
      self->has_pending = false;
      self->offset = 0;
      write_some(self);
      return;
    }
    if (self->drained) self->drained();
  }
};

Output::Output(const boost::asio::any_io_executor& ex, int fd) {
  const int dup_fd = ::dup(fd);
  if (dup_fd < 0) {
    throw boost::system::system_error(errno, boost::system::system_category(), "dup terminal fd");
  }
  state_ = std::make_shared<State>(ex, dup_fd);
  state_->stream.non_blocking(true);
}

Output::~Output() {
  state_->closed = true;
  state_->drained = nullptr;
  boost::system::error_code ignored;
  state_->stream.close(ignored);  // cancels the write in flight; its handler sees `closed`
}

bool Output::submit(std::string_view frame) {
  State& s = *state_;
  ++s.stats.frames_submitted;
  if (s.error || frame.empty()) return false;
  if (!s.writing) {
    s.inflight.assign(frame);
    s.offset = 0;
    State::write_some(state_);
    return false;
  }
  const bool replaced = s.has_pending;
  if (replaced) ++s.stats.frames_replaced;
  s.pending.assign(frame);
  s.has_pending = true;
  return replaced;
}

bool Output::busy() const { return state_->writing; }
bool Output::has_pending() const { return state_->has_pending; }
void Output::on_drained(std::function<void()> callback) { state_->drained = std::move(callback); }
OutputStats Output::stats() const { return state_->stats; }
boost::system::error_code Output::error() const { return state_->error; }
std::size_t Output::buffer_capacity() const {
  return state_->inflight.capacity() + state_->pending.capacity();
}

}  // namespace yollayah::tui::term
