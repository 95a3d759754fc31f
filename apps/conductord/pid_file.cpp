#include "pid_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace yollayah::conductord {

std::optional<pid_t> read_pid_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buf[32] = {};
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  char* end = nullptr;
  const long pid = std::strtol(buf, &end, 10);
  if (end == buf || pid <= 0) return std::nullopt;
  return static_cast<pid_t>(pid);
}

std::optional<pid_t> live_pid_owner(const std::string& path) {
  auto pid = read_pid_file(path);
  if (pid && *pid != ::getpid() && (::kill(*pid, 0) == 0 || errno == EPERM)) return pid;
  ::unlink(path.c_str());  // stale (or unreadable): ours to replace
  return std::nullopt;
}

std::optional<std::string> write_pid_file(const std::string& path) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return "cannot write " + tmp + ": " + std::strerror(errno);
  const std::string text = std::to_string(::getpid()) + "\n";
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return "cannot write " + path + ": " + std::strerror(err);
  }
  return std::nullopt;
}

void remove_pid_file(const std::string& path) {
  if (read_pid_file(path) == std::optional<pid_t>(::getpid())) ::unlink(path.c_str());
}

}  // namespace yollayah::conductord
