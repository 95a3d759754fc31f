// The terminal we draw on: raw mode, alternate screen, hidden cursor, bracketed paste and SGR mouse,
// all undone on every way out (destruction, exit, std::terminate, and fatal or termination signals).
#pragma once

#include <boost/system/result.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace yollayah::tui::term {

struct Size {
  int cols = 0;
  int rows = 0;
  bool operator==(const Size&) const = default;
};

// The window size of the terminal on `fd` (ioctl TIOCGWINSZ); nullopt when it is not a terminal
// or reports 0x0.
std::optional<Size> query_size(int fd);

struct TerminalOptions {
  bool alt_screen = true;
  bool hide_cursor = true;
  bool bracketed_paste = true;
  bool mouse = true;  // button and wheel reports, SGR encoding
  bool emergency_handlers = true;  // call install_emergency_restore() on open
};

// Escape sequences written on entry and on restore.
std::string enter_sequence(const TerminalOptions& options);
std::string_view reset_sequence();

class Terminal {
  struct Token {
    explicit Token() = default;
  };

 public:
  Terminal(Token, int in_fd, int out_fd) : in_fd_(in_fd), out_fd_(out_fd) {}

  // Switches `in_fd` to raw mode and writes the entry sequence to `out_fd`. Only one Terminal may
  // be active at a time (the emergency restore has one slot); fails if `in_fd` is not a terminal
  // or another Terminal is active.
  static boost::system::result<std::unique_ptr<Terminal>> open(int in_fd, int out_fd,
                                                               const TerminalOptions& options = {});

  ~Terminal();
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  // Restores termios, descriptor flags and terminal modes. Idempotent, and a no-op once an
  // emergency restore has run.
  void restore() noexcept;

  std::optional<Size> size() const { return query_size(out_fd_); }
  int in_fd() const { return in_fd_; }
  int out_fd() const { return out_fd_; }

 private:
  int in_fd_;
  int out_fd_;
};

// Lends the active Terminal to a child program (the external editor): suspend_for_child() puts
// back the termios saved at open() and makes the descriptors blocking again (a child expects
// both); resume_after_child() returns to raw mode and to the descriptor flags of before. The
// escape sequences (alternate screen, mouse) are the caller's to write. No-ops without an active
// Terminal; the emergency restore stays armed throughout.
struct ChildLoan {
  int in_flags = -1;
  int out_flags = -1;
};
ChildLoan suspend_for_child();
void resume_after_child(const ChildLoan& loan);

// Installs, once per process, handlers that restore the active Terminal and then let the process
// die as it would have: SIGINT, SIGTERM, SIGHUP, SIGQUIT (unless ignored), SIGSEGV, SIGABRT,
// SIGBUS, SIGFPE; plus std::atexit and std::set_terminate hooks.
void install_emergency_restore();

namespace detail {
// The async-signal-safe restore used by the handlers: tcsetattr, fcntl and write(2) only. Runs at
// most once per open(); exposed so tests can call it directly.
void emergency_restore() noexcept;
}  // namespace detail

}  // namespace yollayah::tui::term
