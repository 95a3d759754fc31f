#include "transport/unix_server.hpp"

#include "core/log.hpp"
#include "protocol/frame.hpp"
#include "transport/server_connection.hpp"
#include "transport/unix_wire.hpp"
#include "transport/warning_limiter.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <mutex>
#include <unordered_map>

namespace yollayah::transport {
namespace {
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
}  // namespace

// Everything the accept loop and the connections share, on one strand. Coroutines hold it by
// shared_ptr, so it outlives a UnixServer destroyed while they unwind.
class UnixServer::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::any_io_executor executor, conductor::Conductor& conductor, UnixServerOptions options)
      : executor_(std::move(executor)),
        strand_(asio::make_strand(executor_)),
        conductor_(conductor),
        options_(std::move(options)),
        acceptor_(strand_),
        drained_(strand_) {}

  std::optional<SetupError> listen() {
    if (auto err = prepare_socket_dir(options_.socket_path)) return err;
    if (auto err = clear_stale_socket(options_.socket_path)) return err;
    if (auto err = bind_private(acceptor_, options_.socket_path)) return err;
    struct stat st {};
    if (::lstat(options_.socket_path.c_str(), &st) == 0) {
      bound_dev_ = st.st_dev;
      bound_ino_ = st.st_ino;
      bound_ = true;
    }
    core::log().info("listening on {}", options_.socket_path);
    return std::nullopt;
  }

  void start() {
    asio::co_spawn(strand_, [self = shared_from_this()] { return self->accept_loop(); }, asio::detached);
  }

  asio::awaitable<void> shutdown(std::optional<std::string> quit_message) {
    stopping_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    conductor_.stop(std::move(quit_message));
    // A surface that never said hello gets no Quit from the session: close it now.
    for (auto& [id, c] : connections_)
      if (!c->said_hello()) c->close("shutting down");
    if (!connections_.empty()) {
      drained_.expires_after(options_.shutdown_grace);
      co_await drained_.async_wait(kAwait);  // cancelled when the last connection goes
    }
    if (!connections_.empty()) {
      core::log().warn("{} surface(s) did not take their Quit in time; closing them", connections_.size());
      for (auto& [id, c] : connections_) c->close("shutdown grace expired");
      drained_.expires_after(std::chrono::milliseconds(200));
      co_await drained_.async_wait(kAwait);
    }
  }

  void remove_socket_file() {
    if (!bound_) return;
    bound_ = false;
    struct stat st {};
    // Only our own socket: a successor daemon may already own the path.
    if (::lstat(options_.socket_path.c_str(), &st) == 0 && st.st_dev == bound_dev_ && st.st_ino == bound_ino_)
      ::unlink(options_.socket_path.c_str());
  }

  void close_acceptor() {
    asio::post(strand_, [self = shared_from_this()] {
      boost::system::error_code ignored;
      self->acceptor_.close(ignored);
    });
  }

  asio::strand<asio::any_io_executor> strand() const { return strand_; }
  const std::string& socket_path() const { return options_.socket_path; }
  std::size_t connection_count() const { return count_.load(std::memory_order_relaxed); }
  std::size_t waiting_count() const { return waiting_count_.load(std::memory_order_relaxed); }
  std::size_t authenticated_count() const {
    std::lock_guard lock(budget_mutex_);
    return authenticated_.size();
  }
  std::size_t rejected_count() const { return rejected_.load(std::memory_order_relaxed); }

 private:
  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    asio::steady_timer backoff(strand_);
    while (!stopping_) {
      auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(executor_), kAwait);
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) break;
      if (ec) {
        // Out of descriptors and the like: wait a little instead of spinning on the error.
        core::log().warn("accept failed: {}", ec.message());
        backoff.expires_after(std::chrono::milliseconds(100));
        co_await backoff.async_wait(kAwait);
        continue;
      }
      admit(std::move(socket));
    }
  }

  void admit(UnixWire::Socket socket) {
    const auto uid = peer_uid(socket.native_handle());
    if (!uid || *uid != ::getuid()) {
      refuse(std::move(socket), uid ? "uid " + std::to_string(*uid) + " may not connect (only uid " +
                                          std::to_string(::getuid()) + " may)"
                                    : "its peer credentials could not be read");
      return;
    }
    if (auto full = no_room(*uid)) {
      refuse(std::move(socket), std::move(*full));
      return;
    }
    // Room for this one among the peers still to say hello: the one that waited longest goes.
    while (waiting_.size() >= std::max<std::size_t>(options_.max_waiting_connections, 1)) {
      const auto oldest = waiting_.front();
      waiting_.pop_front();
      if (auto it = connections_.find(oldest); it != connections_.end()) {
        rejected_.fetch_add(1, std::memory_order_relaxed);
        note_refusal("closed surface " + std::to_string(oldest) + ": " + kTooManyWaiting);
        it->second->evict_if_waiting(kTooManyWaiting);
      }
    }
    const conductor::SurfaceId id = conductor_.next_surface_id();
    auto weak = weak_from_this();
    ServerConnection::Options co;
    co.queue_limits = options_.queue_limits;
    co.heartbeat_interval = options_.heartbeat_interval;
    co.max_missed_pongs = options_.max_missed_pongs;
    co.auth_token = options_.auth_token;
    co.allow_legacy = options_.allow_legacy;
    co.rate_per_second = options_.rate_per_second;
    co.rate_burst = options_.rate_burst;
    co.handshake_timeout = options_.handshake_timeout;
    co.max_frame_before_hello = options_.max_frame_before_hello;
    co.max_bad_frames = options_.max_bad_frames;
    co.refusal_log = refusal_log_;
    co.counters = options_.counters;
    co.on_hello = [weak, id, uid = *uid]() -> std::optional<std::string> {
      auto self = weak.lock();
      if (!self) return std::string("the Conductor is shutting down");
      return self->authenticate(id, uid);
    };
    auto connection = std::make_shared<ServerConnection>(
        std::make_unique<UnixWire>(std::move(socket)), id, conductor_.main_session(), std::move(co), [weak](conductor::SurfaceId gone) {
          if (auto self = weak.lock()) asio::post(self->strand_, [self, gone] { self->forget(gone); });
        });
    connections_.emplace(id, connection);
    waiting_.push_back(id);
    count_.store(connections_.size(), std::memory_order_relaxed);
    waiting_count_.store(waiting_.size(), std::memory_order_relaxed);
    core::log().debug("surface {} connected", id);
    connection->start();
  }

  // Why a surface of `uid` cannot be let in now, if it cannot. Any thread.
  std::optional<std::string> no_room(uid_t uid) const {
    std::lock_guard lock(budget_mutex_);
    return no_room_locked(uid);
  }

  std::optional<std::string> no_room_locked(uid_t uid) const {
    if (authenticated_.size() >= options_.max_connections)
      return "the Conductor already serves " + std::to_string(options_.max_connections) +
             " surfaces (its limit, --max-connections); close one and try again";
    if (auto it = per_uid_.find(uid); it != per_uid_.end() && it->second >= options_.max_connections_per_uid)
      return "this user already has " + std::to_string(options_.max_connections_per_uid) +
             " surfaces connected (the per-user limit, --max-connections-per-uid); close one and try again";
    return std::nullopt;
  }

  // A connection's hello passed the token check (on its strand): it moves from the waiting budget
  // to the authenticated one, if there is room.
  std::optional<std::string> authenticate(conductor::SurfaceId id, uid_t uid) {
    {
      std::lock_guard lock(budget_mutex_);
      if (auto full = no_room_locked(uid)) {
        rejected_.fetch_add(1, std::memory_order_relaxed);
        return full;
      }
      authenticated_.emplace(id, uid);
      ++per_uid_[uid];
    }
    asio::post(strand_, [self = shared_from_this(), id] { self->stop_waiting(id); });
    return std::nullopt;
  }

  void stop_waiting(conductor::SurfaceId id) {
    if (auto it = std::find(waiting_.begin(), waiting_.end(), id); it != waiting_.end()) waiting_.erase(it);
    waiting_count_.store(waiting_.size(), std::memory_order_relaxed);
  }

  // Tells a peer we will not serve why (a HandshakeAck it can show), then closes it. The socket is
  // fresh, so the few bytes fit in its buffer at once.
  void refuse(UnixWire::Socket socket, std::string reason) {
    rejected_.fetch_add(1, std::memory_order_relaxed);
    if (options_.counters) SurfaceCounters::add(options_.counters->refused);
    note_refusal("refused a connection: " + reason);
    auto peer = std::make_shared<UnixWire::Socket>(std::move(socket));
    auto frame = std::make_shared<std::string>();
    protocol::encode_frame_into(*frame, protocol::ConductorMessage{protocol::msg::HandshakeAck{
                                            false, std::string(), std::move(reason), protocol::kLatestProtocol}});
    asio::async_write(*peer, asio::buffer(*frame), [peer, frame](boost::system::error_code, std::size_t) {
      boost::system::error_code ignored;
      peer->shutdown(UnixWire::Socket::shutdown_both, ignored);
      peer->close(ignored);
    });
  }

  // A flood of refused peers must not become a flood of log lines.
  void note_refusal(const std::string& what) {
    if (auto quiet = refusal_log_->allow(std::chrono::steady_clock::now()))
      core::log().warn("{}{}", what, WarningLimiter::more(*quiet));
  }

  void forget(conductor::SurfaceId id) {
    connections_.erase(id);
    stop_waiting(id);
    {
      std::lock_guard lock(budget_mutex_);
      if (auto it = authenticated_.find(id); it != authenticated_.end()) {
        if (--per_uid_[it->second] == 0) per_uid_.erase(it->second);
        authenticated_.erase(it);
      }
    }
    count_.store(connections_.size(), std::memory_order_relaxed);
    if (stopping_ && connections_.empty()) drained_.cancel();
  }

  static constexpr const char* kTooManyWaiting =
      "too many connections are waiting to say Handshake; this one had waited longest";

  asio::any_io_executor executor_;
  asio::strand<asio::any_io_executor> strand_;
  conductor::Conductor& conductor_;
  UnixServerOptions options_;
  asio::local::stream_protocol::acceptor acceptor_;
  asio::steady_timer drained_;
  std::unordered_map<conductor::SurfaceId, std::shared_ptr<ServerConnection>> connections_;
  std::deque<conductor::SurfaceId> waiting_;  // not yet said hello, oldest first
  // Refusals logged by the server and its connections together: a few per interval.
  std::shared_ptr<SharedWarningLimiter> refusal_log_ = std::make_shared<SharedWarningLimiter>();
  // The authenticated budget: asked from the connections' strands, hence the mutex (held for a
  // few map operations, never across I/O).
  mutable std::mutex budget_mutex_;
  std::unordered_map<conductor::SurfaceId, uid_t> authenticated_;
  std::unordered_map<uid_t, std::size_t> per_uid_;  // authenticated connections per peer UID
  std::atomic<std::size_t> count_{0};
  std::atomic<std::size_t> waiting_count_{0};
  std::atomic<std::size_t> rejected_{0};
  bool stopping_ = false;
  bool bound_ = false;
  dev_t bound_dev_ = 0;
  ino_t bound_ino_ = 0;
};

UnixServer::UnixServer(asio::any_io_executor executor, conductor::Conductor& conductor, UnixServerOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), conductor, std::move(options))) {}

UnixServer::~UnixServer() {
  impl_->close_acceptor();
  impl_->remove_socket_file();
}

std::optional<SetupError> UnixServer::listen() { return impl_->listen(); }
void UnixServer::start() { impl_->start(); }

asio::awaitable<void> UnixServer::shutdown(std::optional<std::string> quit_message) {
  auto impl = impl_;
  // Hop onto the server's strand for the whole shutdown.
  co_await asio::co_spawn(impl->strand(), impl->shutdown(std::move(quit_message)), asio::use_awaitable);
}

void UnixServer::remove_socket_file() { impl_->remove_socket_file(); }
const std::string& UnixServer::socket_path() const { return impl_->socket_path(); }
std::size_t UnixServer::connection_count() const { return impl_->connection_count(); }
std::size_t UnixServer::waiting_count() const { return impl_->waiting_count(); }
std::size_t UnixServer::authenticated_count() const { return impl_->authenticated_count(); }
std::size_t UnixServer::rejected_count() const { return impl_->rejected_count(); }

}  // namespace yollayah::transport
