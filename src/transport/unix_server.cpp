#include "transport/unix_server.hpp"

#include "core/log.hpp"
#include "transport/server_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
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

  void admit(ServerConnection::Socket socket) {
    const auto uid = peer_uid(socket.native_handle());
    if (!uid || *uid != ::getuid()) {
      rejected_.fetch_add(1, std::memory_order_relaxed);
      if (uid) core::log().warn("refused a connection from uid {} (only uid {} may connect)", *uid, ::getuid());
      else core::log().warn("refused a connection: its peer credentials could not be read");
      return;  // the socket closes as it goes out of scope
    }
    if (connections_.size() >= options_.max_connections) {
      rejected_.fetch_add(1, std::memory_order_relaxed);
      core::log().warn("refused a connection: the limit of {} connections is reached", options_.max_connections);
      return;
    }
    if (per_uid_[*uid] >= options_.max_connections_per_uid) {
      rejected_.fetch_add(1, std::memory_order_relaxed);
      core::log().warn("refused a connection: uid {} already has {} (the per-user limit)", *uid,
                       options_.max_connections_per_uid);
      return;
    }
    const conductor::SurfaceId id = conductor_.next_surface_id();
    auto weak = weak_from_this();
    auto connection = std::make_shared<ServerConnection>(
        std::move(socket), id, conductor_.main_session(),
        ServerConnection::Options{options_.queue_limits, options_.heartbeat_interval, options_.max_missed_pongs,
                                  options_.auth_token, options_.allow_legacy, options_.rate_per_second,
                                  options_.rate_burst},
        [weak](conductor::SurfaceId gone) {
          if (auto self = weak.lock()) asio::post(self->strand_, [self, gone] { self->forget(gone); });
        });
    connections_.emplace(id, connection);
    ++per_uid_[*uid];
    uid_of_.emplace(id, *uid);
    count_.store(connections_.size(), std::memory_order_relaxed);
    core::log().info("surface {} connected", id);
    connection->start();
  }

  void forget(conductor::SurfaceId id) {
    connections_.erase(id);
    if (auto it = uid_of_.find(id); it != uid_of_.end()) {
      if (--per_uid_[it->second] == 0) per_uid_.erase(it->second);
      uid_of_.erase(it);
    }
    count_.store(connections_.size(), std::memory_order_relaxed);
    if (stopping_ && connections_.empty()) drained_.cancel();
  }

  asio::any_io_executor executor_;
  asio::strand<asio::any_io_executor> strand_;
  conductor::Conductor& conductor_;
  UnixServerOptions options_;
  asio::local::stream_protocol::acceptor acceptor_;
  asio::steady_timer drained_;
  std::unordered_map<conductor::SurfaceId, std::shared_ptr<ServerConnection>> connections_;
  std::unordered_map<uid_t, std::size_t> per_uid_;         // live connections per peer UID
  std::unordered_map<conductor::SurfaceId, uid_t> uid_of_;  // which UID each connection belongs to
  std::atomic<std::size_t> count_{0};
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
std::size_t UnixServer::rejected_count() const { return impl_->rejected_count(); }

}  // namespace yollayah::transport
