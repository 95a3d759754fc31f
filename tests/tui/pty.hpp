// A pseudo-terminal pair for tests: the slave plays the user's terminal, the master reads what
// was written to it (or deliberately never reads, to stall the writer).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

namespace yollayah::tui::test {

struct Pty {
  int master = -1;
  int slave = -1;

  Pty() {
    master = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) return;
    const char* name = ::ptsname(master);
    if (name != nullptr) slave = ::open(name, O_RDWR | O_NOCTTY);
    ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);
  }
  ~Pty() {
    if (slave >= 0) ::close(slave);
    if (master >= 0) ::close(master);
  }
  Pty(const Pty&) = delete;
  Pty& operator=(const Pty&) = delete;

  bool ok() const { return master >= 0 && slave >= 0; }

  termios slave_termios() const {
    termios t{};
    ::tcgetattr(slave, &t);
    return t;
  }

  // Reads what is available on the master, waiting up to `wait` for the first bytes.
  std::string read_available(std::chrono::milliseconds wait = std::chrono::milliseconds(200)) const {
    std::string out;
    char buf[65536];
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return out;
    for (;;) {
      const ssize_t n = ::read(master, buf, sizeof buf);
      if (n <= 0) {
        pollfd again{master, POLLIN, 0};
        if (::poll(&again, 1, 20) <= 0) break;
        continue;
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }
};

}  // namespace yollayah::tui::test
