// The TUI's event loop: one coroutine-free shell around the Controller that waits on terminal
// input, Conductor messages, resizes and one timer, drains everything pending on each wake-up and
// then renders at most once, only when something changed.
#pragma once
#include "protocol/messages.hpp"
#include "transport/link.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace yollayah::tui::app {

struct AppOptions {
  int in_fd = 0;
  int out_fd = 1;
  bool motion = true;      // REDUCE_MOTION=1 turns it off
  bool embedded = true;    // the Conductor is in this process (else conductord over the socket)
  bool synchronized_output = true;
  // Measure this loop's lag (F12, warnings). Off when the loop already has a monitor: the
  // embedded Conductor's measures the loop both share, and two would double the probe wake-ups.
  bool stall_monitor = true;
  std::string banner;      // kept at the top of the screen (YOLLAYAH_BANNER: demo mode's notice)
  // A command sent right after the Handshake, as if typed: `yollayah --resume` sends /history
  // (or /open ID).
  std::optional<protocol::ev::UserCommand> first_command;
};

struct AppResult {
  int exit_code = 0;
  std::string goodbye;  // printed by main() after the terminal is restored
};

// Runs the TUI on an already opened terminal (term::Terminal) until the user quits, the
// Conductor sends Quit or the link closes; then calls `done` on the executor. The link must have
// been created for `executor`. Sends the Handshake itself.
class App {
 public:
  App(boost::asio::any_io_executor executor, transport::ConductorLink& link, AppOptions options);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  void start(std::function<void(AppResult)> done);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// REDUCE_MOTION set to anything but "" or "0".
bool reduce_motion_from_env();

}  // namespace yollayah::tui::app
