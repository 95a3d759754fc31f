#include "transport/socket_file.hpp"

#include "core/log.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace yollayah::transport {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

std::string parent_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// mkdir -p with 0700 for every directory it creates.
std::optional<SetupError> make_dirs(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) return std::nullopt;
  if (errno != ENOENT) return SetupError{"cannot inspect " + dir + ": " + errno_text(errno)};
  const std::string parent = parent_of(dir);
  if (parent != dir)
    if (auto err = make_dirs(parent)) return err;
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return SetupError{"cannot create directory " + dir + ": " + errno_text(errno)};
  return std::nullopt;
}

bool fits_sun_path(const std::string& path) { return path.size() < sizeof(sockaddr_un{}.sun_path); }

}  // namespace

std::optional<SetupError> prepare_socket_dir(const std::string& socket_path) {
  if (socket_path.empty()) return SetupError{"the socket path is empty"};
  if (!fits_sun_path(socket_path))
    return SetupError{"socket path too long (" + std::to_string(socket_path.size()) + " bytes, the limit is " +
                      std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) + "): " + socket_path};
  const std::string dir = parent_of(socket_path);
  if (auto err = make_dirs(dir)) return err;
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) return SetupError{"cannot inspect " + dir + ": " + errno_text(errno)};
  if (!S_ISDIR(st.st_mode)) return SetupError{dir + " is not a directory"};
  if (st.st_uid != ::getuid() && st.st_uid != 0)
    return SetupError{dir + " belongs to another user (uid " + std::to_string(st.st_uid) + "); choose another --socket"};
  const bool others_write = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
  if (others_write && (st.st_mode & S_ISVTX) == 0)
    return SetupError{dir + " is writable by other users; run `chmod 700 " + dir + "` or choose another --socket"};
  return std::nullopt;
}

std::optional<SetupError> clear_stale_socket(const std::string& socket_path) {
  struct stat st {};
  if (::lstat(socket_path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::nullopt;
    return SetupError{"cannot inspect " + socket_path + ": " + errno_text(errno)};
  }
  if (!S_ISSOCK(st.st_mode)) return SetupError{socket_path + " exists and is not a socket; remove it or choose another --socket"};
  if (!fits_sun_path(socket_path)) return SetupError{"socket path too long: " + socket_path};

  // Is anyone listening? A connect on a Unix socket completes (or fails) at once.
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return SetupError{"cannot create a socket: " + errno_text(errno)};
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  const int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  const int err = errno;
  ::close(fd);
  if (rc == 0 || err == EAGAIN)
    return SetupError{"another conductord is already listening on " + socket_path + " (stop it first)"};
  if (err != ECONNREFUSED) return SetupError{"cannot check " + socket_path + ": " + errno_text(err)};
  if (::unlink(socket_path.c_str()) != 0 && errno != ENOENT)
    return SetupError{"cannot remove the stale socket " + socket_path + ": " + errno_text(errno)};
  core::log().info("removed stale socket {}", socket_path);
  return std::nullopt;
}

std::optional<SetupError> bind_private(boost::asio::local::stream_protocol::acceptor& acceptor,
                                       const std::string& socket_path, int backlog) {
  using boost::asio::local::stream_protocol;
  boost::system::error_code ec;
  acceptor.open(stream_protocol(), ec);
  if (ec) return SetupError{"cannot create the listening socket: " + ec.message()};
  // bind() creates the file with 0777 & ~umask: with 0177 it is 0600 from the first instant.
  // umask is process-wide, so this runs at start-up, before other threads create files.
  const mode_t old_mask = ::umask(0177);
  acceptor.bind(stream_protocol::endpoint(socket_path), ec);
  ::umask(old_mask);
  if (ec) {
    acceptor.close();
    if (ec == boost::system::errc::address_in_use)
      return SetupError{"another process took " + socket_path + " while we started; is a conductord running?"};
    return SetupError{"cannot bind " + socket_path + ": " + ec.message()};
  }
  acceptor.listen(backlog, ec);
  if (ec) {
    acceptor.close();
    ::unlink(socket_path.c_str());
    return SetupError{"cannot listen on " + socket_path + ": " + ec.message()};
  }
  return std::nullopt;
}

std::optional<uid_t> peer_uid(int fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred) return std::nullopt;
  return cred.uid;
}

bool remove_socket_file(const std::string& socket_path) {
  struct stat st {};
  if (::lstat(socket_path.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) return false;
  return ::unlink(socket_path.c_str()) == 0;
}

}  // namespace yollayah::transport
