#include "tui/term/terminal.hpp"

#include <boost/system/errc.hpp>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

namespace yollayah::tui::term {
namespace {

constexpr std::string_view kReset =
    "\x1b[?1006l\x1b[?1002l\x1b[?1000l"  // mouse off
    "\x1b[?2004l"                         // bracketed paste off
    "\x1b[0m"                             // default attributes
    "\x1b[?25h"                           // cursor visible
    "\x1b[?1049l";                        // main screen

// Everything the emergency restore needs, prepared before it is armed so a handler only reads.
struct EmergencyState {
  std::atomic<int> armed{0};
  int in_fd = -1;
  int out_fd = -1;
  int in_flags = 0;
  int out_flags = 0;
  termios saved{};
};

EmergencyState g_state;
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs a lock-free flag");

// Writes with a bounded wait, so a terminal nobody reads cannot hang the exit path. Uses only
// async-signal-safe calls (fcntl, write, poll).
void write_bounded(int fd, const char* data, std::size_t len) noexcept {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0 && !(flags & O_NONBLOCK)) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  int waits = 0;
  while (len > 0) {
    const ssize_t n = ::write(fd, data, len);  // async-ok: exit path, descriptor is non-blocking
    if (n > 0) {
      data += n;
      len -= static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && waits++ < 5) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, 100);
      continue;
    }
    break;
  }
  if (flags >= 0 && !(flags & O_NONBLOCK)) ::fcntl(fd, F_SETFL, flags);
}

void restore_state() noexcept {
  if (g_state.armed.exchange(0) != 1) return;
  const int saved_errno = errno;
  write_bounded(g_state.out_fd, kReset.data(), kReset.size());
  ::tcsetattr(g_state.in_fd, TCSANOW, &g_state.saved);
  ::fcntl(g_state.in_fd, F_SETFL, g_state.in_flags);
  if (g_state.out_fd != g_state.in_fd) ::fcntl(g_state.out_fd, F_SETFL, g_state.out_flags);
  errno = saved_errno;
}

void on_fatal_signal(int sig) {
  restore_state();
  // SA_RESETHAND already put back the default action; re-raising delivers it when we return (a
  // hardware fault simply faults again).
  ::raise(sig);
}

std::terminate_handler g_previous_terminate = nullptr;

[[noreturn]] void on_terminate() {
  restore_state();
  if (g_previous_terminate != nullptr) g_previous_terminate();
  std::abort();
}

void install_handler(int sig, bool unless_ignored) {
  struct sigaction old {};
  if (unless_ignored && ::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) return;
  struct sigaction sa {};
  sa.sa_handler = on_fatal_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;
  ::sigaction(sig, &sa, nullptr);
}

termios raw_mode(const termios& saved) {
  termios raw = saved;
  ::cfmakeraw(&raw);
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  return raw;
}

}  // namespace

ChildLoan suspend_for_child() {
  ChildLoan loan;
  if (g_state.armed.load() != 1) return loan;
  loan.in_flags = ::fcntl(g_state.in_fd, F_GETFL);
  loan.out_flags = ::fcntl(g_state.out_fd, F_GETFL);
  if (loan.in_flags >= 0) ::fcntl(g_state.in_fd, F_SETFL, loan.in_flags & ~O_NONBLOCK);
  if (loan.out_flags >= 0) ::fcntl(g_state.out_fd, F_SETFL, loan.out_flags & ~O_NONBLOCK);
  ::tcsetattr(g_state.in_fd, TCSANOW, &g_state.saved);
  return loan;
}

void resume_after_child(const ChildLoan& loan) {
  if (g_state.armed.load() != 1) return;
  const termios raw = raw_mode(g_state.saved);
  ::tcsetattr(g_state.in_fd, TCSANOW, &raw);
  if (loan.in_flags >= 0) ::fcntl(g_state.in_fd, F_SETFL, loan.in_flags);
  if (loan.out_flags >= 0) ::fcntl(g_state.out_fd, F_SETFL, loan.out_flags);
}

std::optional<Size> query_size(int fd) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0 || ws.ws_row == 0) return std::nullopt;
  return Size{ws.ws_col, ws.ws_row};
}

std::string enter_sequence(const TerminalOptions& options) {
  std::string s;
  if (options.alt_screen) s += "\x1b[?1049h";
  if (options.hide_cursor) s += "\x1b[?25l";
  if (options.bracketed_paste) s += "\x1b[?2004h";
  if (options.mouse) s += "\x1b[?1000h\x1b[?1002h\x1b[?1006h";
  return s;
}

std::string_view reset_sequence() { return kReset; }

boost::system::result<std::unique_ptr<Terminal>> Terminal::open(int in_fd, int out_fd,
                                                                 const TerminalOptions& options) {
  using boost::system::errc::make_error_code;
  if (g_state.armed.load() != 0) return make_error_code(boost::system::errc::device_or_resource_busy);
  termios saved{};
  if (::tcgetattr(in_fd, &saved) != 0) return make_error_code(boost::system::errc::not_a_stream);
  g_state.in_fd = in_fd;
  g_state.out_fd = out_fd;
  g_state.in_flags = ::fcntl(in_fd, F_GETFL);
  g_state.out_flags = ::fcntl(out_fd, F_GETFL);
  g_state.saved = saved;

  const termios raw = raw_mode(saved);
  if (::tcsetattr(in_fd, TCSANOW, &raw) != 0) {
    return boost::system::error_code(errno, boost::system::system_category());
  }
  if (options.emergency_handlers) install_emergency_restore();
  g_state.armed.store(1);
  const std::string enter = enter_sequence(options);
  write_bounded(out_fd, enter.data(), enter.size());
  return std::make_unique<Terminal>(Token{}, in_fd, out_fd);
}

Terminal::~Terminal() { restore(); }

void Terminal::restore() noexcept { restore_state(); }

void install_emergency_restore() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) install_handler(sig, true);
    for (int sig : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE}) install_handler(sig, false);
    std::atexit([] { restore_state(); });
    g_previous_terminate = std::set_terminate(on_terminate);
  });
}

namespace detail {
void emergency_restore() noexcept { restore_state(); }
}  // namespace detail

}  // namespace yollayah::tui::term
