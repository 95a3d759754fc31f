// Terminal: raw mode and screen modes on open, and restored on destruction, on the emergency path,
// on termination and fatal signals, and at exit; size from TIOCGWINSZ. Runs against a pty.
#include "tui/term/terminal.hpp"

#include "tui/pty.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>

#include <sys/mman.h>
#include <sys/wait.h>

namespace {

using namespace yollayah::tui::term;
using yollayah::tui::test::Pty;

bool cooked(const termios& t) { return (t.c_lflag & ECHO) && (t.c_lflag & ICANON); }
bool raw(const termios& t) { return !(t.c_lflag & ECHO) && !(t.c_lflag & ICANON) && !(t.c_lflag & ISIG); }

TEST(Terminal, OpenEntersRawModeAndWritesEnterSequence) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  ASSERT_TRUE(cooked(pty.slave_termios()));
  auto term = Terminal::open(pty.slave, pty.slave);
  ASSERT_TRUE(term.has_value()) << term.error().message();
  EXPECT_TRUE(raw(pty.slave_termios()));
  EXPECT_EQ(pty.read_available(), enter_sequence(TerminalOptions{}));
}

TEST(Terminal, DestructionRestoresTermiosAndWritesResetSequence) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  {
    auto term = Terminal::open(pty.slave, pty.slave);
    ASSERT_TRUE(term.has_value());
    (void)pty.read_available();
  }
  EXPECT_TRUE(cooked(pty.slave_termios()));
  const std::string written = pty.read_available();
  EXPECT_NE(written.find(std::string(reset_sequence())), std::string::npos);
  EXPECT_NE(written.find("\x1b[?1049l"), std::string::npos);  // leaves the alternate screen
  EXPECT_NE(written.find("\x1b[?25h"), std::string::npos);    // shows the cursor
}

TEST(Terminal, EmergencyRestoreRunsOnceAndDestructorThenDoesNothing) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  auto term = Terminal::open(pty.slave, pty.slave);
  ASSERT_TRUE(term.has_value());
  (void)pty.read_available();
  detail::emergency_restore();
  EXPECT_TRUE(cooked(pty.slave_termios()));
  EXPECT_EQ(pty.read_available(), reset_sequence());
  detail::emergency_restore();
  term.value().reset();
  EXPECT_EQ(pty.read_available(std::chrono::milliseconds(50)), "");
}

TEST(Terminal, RestoresDescriptorFlagsItFound) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  const int before = ::fcntl(pty.slave, F_GETFL);
  {
    auto term = Terminal::open(pty.slave, pty.slave);
    ASSERT_TRUE(term.has_value());
    ::fcntl(pty.slave, F_SETFL, before | O_NONBLOCK);  // as Asio does to the descriptor
  }
  EXPECT_EQ(::fcntl(pty.slave, F_GETFL), before);
}

TEST(Terminal, SecondOpenWhileActiveFails) {
  Pty a, b;
  ASSERT_TRUE(a.ok() && b.ok());
  auto first = Terminal::open(a.slave, a.slave);
  ASSERT_TRUE(first.has_value());
  auto second = Terminal::open(b.slave, b.slave);
  EXPECT_FALSE(second.has_value());
}

TEST(Terminal, OpenOnNonTerminalFails) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  auto term = Terminal::open(fds[0], fds[1]);
  EXPECT_FALSE(term.has_value());
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(Terminal, QuerySizeReadsWindowSize) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  winsize ws{};
  ws.ws_col = 132;
  ws.ws_row = 43;
  ASSERT_EQ(::ioctl(pty.master, TIOCSWINSZ, &ws), 0);
  EXPECT_EQ(query_size(pty.slave), (Size{132, 43}));
  EXPECT_EQ(query_size(-1), std::nullopt);
}

// Runs `die` in a child that holds an open Terminal on the pty with the emergency handlers
// installed, then checks the terminal was restored and how the child ended.
void expect_restored_after(Pty& pty, void (*die)(), int expected_signal) {
  (void)pty.read_available(std::chrono::milliseconds(1));
  std::fflush(nullptr);  // the child must not print a copy of our buffered output
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto term = Terminal::open(pty.slave, pty.slave);
    if (!term.has_value()) ::_exit(90);
    install_emergency_restore();
    die();
    ::_exit(91);  // not reached
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  if (expected_signal != 0) {
    ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
    EXPECT_EQ(WTERMSIG(status), expected_signal);
  } else {
    ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  EXPECT_TRUE(cooked(pty.slave_termios()));
  const std::string written = pty.read_available();
  EXPECT_NE(written.find(std::string(reset_sequence())), std::string::npos) << written.size();
}

TEST(Terminal, SigtermRestoresTerminalThenKillsWithSigterm) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  expect_restored_after(pty, [] { ::raise(SIGTERM); }, SIGTERM);
}

TEST(Terminal, SigintAndSighupRestoreTerminal) {
  for (int sig : {SIGINT, SIGHUP}) {
    Pty pty;
    ASSERT_TRUE(pty.ok());
    static int s_sig;
    s_sig = sig;
    expect_restored_after(pty, [] { ::raise(s_sig); }, sig);
  }
}

TEST(Terminal, SegfaultRestoresTerminalThenDiesWithSigsegv) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  expect_restored_after(pty, [] {
    // A store to a read-only page: a real fault, and not undefined behaviour a sanitizer traps.
    void* page = ::mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    *static_cast<volatile int*>(page) = 1;
  }, SIGSEGV);
}

TEST(Terminal, AbortRestoresTerminal) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  expect_restored_after(pty, [] { std::abort(); }, SIGABRT);
}

TEST(Terminal, ExitWithoutDestructionRestoresTerminal) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  // std::exit skips the Terminal's destructor (it lives on the child's stack); atexit restores.
  expect_restored_after(pty, [] { std::exit(0); }, 0);
}

TEST(Terminal, UncaughtExceptionRestoresTerminal) {
  Pty pty;
  ASSERT_TRUE(pty.ok());
  expect_restored_after(pty, [] { std::terminate(); }, SIGABRT);
}

}  // namespace
