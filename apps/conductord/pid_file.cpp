#include "pid_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

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

namespace {

std::string base_name(std::string path) {
  constexpr std::string_view kDeleted = " (deleted)";  // the binary was rebuilt under it
  if (path.ends_with(kDeleted)) path.resize(path.size() - kDeleted.size());
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::optional<std::string> exe_name(const std::string& proc_dir) {
  char buf[4096];
  const ssize_t n = ::readlink((proc_dir + "/exe").c_str(), buf, sizeof buf - 1);
  if (n <= 0) return std::nullopt;
  return base_name(std::string(buf, static_cast<std::size_t>(n)));
}

// /proc/PID/comm: readable for another user's process too, where exe is not (cut at 15 bytes).
std::optional<std::string> comm_name(const std::string& proc_dir) {
  const int fd = ::open((proc_dir + "/comm").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buf[64] = {};
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  std::string name(buf, static_cast<std::size_t>(n));
  while (!name.empty() && name.back() == '\n') name.pop_back();
  return name;
}

}  // namespace

std::optional<std::string> process_name(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid);
  if (auto name = exe_name(dir)) return name;
  return comm_name(dir);
}

bool is_conductord_name(std::string_view name) {
  static const std::string self = exe_name("/proc/self").value_or("conductord");
  return name == "conductord" || name == self || (name.size() == 15 && self.starts_with(name));
}

std::optional<pid_t> live_pid_owner(const std::string& path) {
  auto pid = read_pid_file(path);
  if (pid && *pid != ::getpid() && (::kill(*pid, 0) == 0 || errno == EPERM)) {
    // The PID may have been reused since a crash: only a conductord counts. When /proc cannot
    // tell (not Linux, hidepid), the process is assumed to be one.
    const auto name = process_name(*pid);
    if (!name || is_conductord_name(*name)) return pid;
  }
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
