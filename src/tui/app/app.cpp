#include "tui/app/app.hpp"

#include "core/stall_monitor.hpp"
#include "tui/app/appearance.hpp"
#include "tui/app/controller.hpp"
#include "tui/app/external_editor.hpp"
#include "tui/screen/buffer.hpp"
#include "tui/screen/renderer.hpp"
#include "tui/term/input_reader.hpp"
#include "tui/term/output.hpp"
#include "tui/term/terminal.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace yollayah::tui::app {

namespace asio = boost::asio;
namespace ev = protocol::ev;

bool reduce_motion_from_env() {
  const char* v = std::getenv("REDUCE_MOTION");
  return v && *v && std::strcmp(v, "0") != 0;
}

namespace {

Connection connection_of(transport::LinkState state) {
  switch (state) {
    case transport::LinkState::Connecting: return Connection::Connecting;
    case transport::LinkState::Connected: return Connection::Connected;
    case transport::LinkState::Reconnecting: return Connection::Reconnecting;
    case transport::LinkState::Closed: return Connection::Lost;
  }
  return Connection::Lost;
}

// How long the goodbye waits for the last frame to reach the terminal.
constexpr std::chrono::milliseconds kFlushOnExit{300};
// Frames caused by the Conductor (tokens, state) come at most this often; a burst between two
// frames is drawn once. Keys and resizes draw at once: typing never waits for the pace.
constexpr std::chrono::milliseconds kFrameInterval{33};
// A change that comes before the frame is due waits for the next change after it, which draws
// both on the wake-up it causes anyway (a stream's next token): no timer wake-up per frame. This
// timer, one more interval later, only draws a change that nothing follows.
constexpr std::chrono::milliseconds kFrameBackstop{kFrameInterval * 2};
// How long the first frame waits for the terminal to say its background colour (OSC 11). A
// terminal answers in a few milliseconds, and one without OSC 11 answers the device-attributes
// query sent after it; a pty nobody answers gets the dark palette after this.
constexpr std::chrono::milliseconds kBackgroundWait{150};

}  // namespace

struct App::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::any_io_executor executor, transport::ConductorLink& conductor_link, AppOptions opts)
      : ex(executor),
        link(conductor_link),
        options(opts),
        controller(ControllerOptions{opts.motion, !opts.embedded, opts.banner}),
        reader(executor, opts.in_fd),
        output(executor, opts.out_fd),
        renderer(screen::detect_color_mode()),
        winch(executor, SIGWINCH),
        timer(executor),
        frame_timer(executor),
        background_timer(executor),
        drained_signal(executor),
        editor(executor) {
    if (opts.stall_monitor) monitor.emplace(executor, "tui");
    renderer.set_synchronized_output(opts.synchronized_output);
    frame.reserve(64 * 1024);
  }

  asio::any_io_executor ex;
  transport::ConductorLink& link;
  AppOptions options;
  Controller controller;
  term::InputReader reader;
  term::Output output;
  screen::Renderer renderer;
  screen::Buffer buffer;
  asio::signal_set winch;
  asio::steady_timer timer;
  asio::steady_timer frame_timer;  // the paced frame for Conductor-driven changes
  asio::steady_timer background_timer;  // the OSC 11 answer's deadline
  asio::steady_timer drained_signal;    // cancelled by on_drained while the editor waits for it
  ExternalEditor editor;
  bool background_known = false;        // the first frame waits for it (at most kBackgroundWait)
  bool waiting_for_drain = false;
  std::uint64_t input_generation = 0;   // read_input loops of an older generation stop
  bool frame_timer_armed = false;
  std::uint64_t frame_timer_wait = 0;  // which wait is the live one: a cancelled one is not
  Clock::time_point last_render{};
  std::optional<Clock::time_point> armed;
  std::optional<core::StallMonitor> monitor;  // none when the loop already has one
  std::function<void(AppResult)> done;
  std::vector<protocol::EnvelopePtr> batch;
  std::string frame;
  term::Size size{80, 24};
  bool render_posted = false;
  bool render_waiting = false;
  bool finished = false;
  int exit_code = 0;
  std::string exit_reason;
  // Frame figures for the F12 view.
  std::uint64_t frames = 0;
  std::chrono::nanoseconds last_frame{0};
  std::chrono::nanoseconds worst_frame{0};

  void note_activity() {
    if (monitor) monitor->note_activity();
  }

  void start() {
    auto self = shared_from_this();
    if (auto s = term::query_size(options.out_fd)) size = *s;
    buffer.resize(size.cols, size.rows);
    controller.set_connection(options.embedded ? Connection::Embedded : connection_of(link.state()), Clock::now());

    auto caps = protocol::SurfaceCapabilities::tui();
    link.send(ev::Handshake{"evt_tui_hello", protocol::kProtocolV2, {protocol::SurfaceType::Kind::Tui, {}}, caps,
                            std::nullopt});
    if (options.first_command) link.send(*options.first_command);
    controller.on_resize(size.cols, size.rows);

    output.on_drained([weak = weak_from_this()] {
      if (auto s = weak.lock()) s->on_drained();
    });
    wait_for_resize();
    ask_background();
    asio::co_spawn(ex, read_input(self, input_generation), asio::detached);
    asio::co_spawn(ex, read_link(self), asio::detached);
    after_event();
  }

  asio::awaitable<void> read_input(std::shared_ptr<Impl> /*keep_alive*/, std::uint64_t generation) {
    while (!finished && generation == input_generation) {
      auto events = co_await reader.next();
      if (finished) break;
      if (!events) {
        if (controller.editing() || generation != input_generation) break;  // the editor has the terminal
        finish(1, "the terminal closed");  // EOF, or EIO from a hung-up pty
        break;
      }
      note_activity();
      const auto now = Clock::now();
      for (const auto& e : *events) {
        if (const auto* report = std::get_if<term::ColorReport>(&e)) {
          if (report->code == 11) decide_background(background_of(*report));
          continue;
        }
        if (std::holds_alternative<term::DeviceAttributes>(e)) {  // answered, but not with a colour
          decide_background(Background::Dark);
          continue;
        }
        controller.on_input(e, now);
      }
      after_event(true);
    }
  }

  // YOLLAYAH_THEME decides at once; otherwise the terminal is asked (OSC 11) and the first frame
  // waits for its answer for at most kBackgroundWait.
  void ask_background() {
    if (auto forced = background_from_setting(std::getenv("YOLLAYAH_THEME"))) return decide_background(*forced);
    output.submit(kBackgroundQuery);
    background_timer.expires_after(kBackgroundWait);
    background_timer.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (auto self = weak.lock(); self && !ec) self->decide_background(Background::Dark);
    });
  }

  void decide_background(Background background) {
    if (background_known) return;  // a late answer does not repaint a screen already in use
    background_known = true;
    background_timer.cancel();
    controller.use_background(background);
    after_event(true);
  }

  // Ctrl+G: the editor gets the terminal. Our reader stops reading it, the last frame is let out,
  // the main screen and cooked mode come back; afterwards everything is put back and redrawn,
  // whatever the editor did (failed to start, exited non-zero, was interrupted).
  asio::awaitable<void> run_editor(std::shared_ptr<Impl> /*keep_alive*/, std::string text) {
    ++input_generation;
    reader.cancel();
    co_await wait_drained();
    term::TerminalOptions modes;
    output.submit(term::reset_sequence());
    co_await wait_drained();
    if (finished) {
      complete();
      co_return;
    }
    const auto loan = term::suspend_for_child();
    std::string command = editor_command();  // named: no temporary in the co_await (g++ 12)
    auto result = co_await editor.edit(std::move(text), std::move(command), options.in_fd, options.out_fd);
    term::resume_after_child(loan);
    if (finished) {  // the Conductor went away meanwhile: finish() waited for the editor to stop
      complete();
      co_return;
    }
    modes.mouse = controller.mouse_capture();
    controller.terminal_out().insert(0, term::enter_sequence(modes));
    renderer.invalidate();
    // SIGWINCH went to the editor's process group, not ours: ask again.
    if (auto s = term::query_size(options.out_fd); s && *s != size) {
      size = *s;
      controller.on_resize(size.cols, size.rows);
    }
    const auto now = Clock::now();
    controller.finish_edit(std::move(result.text), result.problem, now);
    asio::co_spawn(ex, read_input(shared_from_this(), ++input_generation), asio::detached);
    after_event(true);
  }

  asio::awaitable<void> wait_drained() {
    if (!output.busy()) co_return;
    waiting_for_drain = true;
    drained_signal.expires_at(asio::steady_timer::time_point::max());
    co_await drained_signal.async_wait(asio::as_tuple(asio::use_awaitable));
    waiting_for_drain = false;
  }

  asio::awaitable<void> read_link(std::shared_ptr<Impl> /*keep_alive*/) {
    while (!finished) {
      batch.clear();
      const bool open = co_await link.receive(batch);
      if (finished) break;
      note_activity();
      const auto now = Clock::now();
      for (const auto& envelope : batch) controller.on_message(envelope->message, now);
      batch.clear();
      if (!options.embedded) controller.set_connection(connection_of(link.state()), now);
      if (!open && !controller.quitting()) {
        finish(1, "the Conductor closed the connection");
        break;
      }
      after_event();
    }
  }

  void wait_for_resize() {
    winch.async_wait([weak = weak_from_this()](const boost::system::error_code& ec, int) {
      auto self = weak.lock();
      if (ec || !self || self->finished) return;
      if (auto s = term::query_size(self->options.out_fd)) self->size = *s;
      self->note_activity();
      self->controller.on_resize(self->size.cols, self->size.rows);
      self->after_event(true);
      self->wait_for_resize();
    });
  }

  // After every wake-up: send what the controller produced, re-arm the one timer, and render
  // once (posted, so every handler already queued runs first and a burst is one frame). `urgent`
  // (a key, a resize) draws now; anything else waits for the frame pace: it is drawn by the first
  // wake-up once the frame is due, or by the backstop timer if no wake-up comes.
  void after_event(bool urgent = false) {
    if (finished) return;
    auto& outbox = controller.outbox();
    for (auto& event : outbox) link.send(std::move(event));
    outbox.clear();
    if (controller.quitting()) return finish(0, {});
    if (auto text = controller.take_edit_request()) {
      asio::co_spawn(ex, run_editor(shared_from_this(), std::move(*text)), asio::detached);
      return;
    }
    rearm();
    if (!controller.dirty()) return;
    if (urgent || Clock::now() >= last_render + kFrameInterval) return schedule_render();
    if (frame_timer_armed) return;
    frame_timer_armed = true;
    frame_timer.expires_at(last_render + kFrameBackstop);
    frame_timer.async_wait([weak = weak_from_this(), wait = ++frame_timer_wait](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (!self || wait != self->frame_timer_wait) return;
      self->frame_timer_armed = false;
      if (!ec && !self->finished) self->schedule_render();
    });
  }

  void rearm() {
    const auto next = controller.next_wakeup();
    if (next == armed) return;
    armed = next;
    if (!next) {
      timer.cancel();
      return;
    }
    timer.expires_at(*next);
    timer.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (ec || !self || self->finished) return;
      self->armed.reset();
      self->note_activity();
      self->controller.tick(Clock::now());
      self->after_event();
    });
  }

  void schedule_render() {
    if (render_posted) return;
    render_posted = true;
    asio::post(ex, [weak = weak_from_this()] {
      if (auto self = weak.lock()) {
        self->render_posted = false;
        self->render();
      }
    });
  }

  void refresh_dev_lines() {
    std::vector<std::string> lines;
    char buf[160];
    for (const auto& loop : core::StallMonitor::snapshot()) {
      std::snprintf(buf, sizeof buf, "loop %-10s lag p99 %6.2f ms  worst %6.2f ms  (%llu probes)", loop.name.c_str(),
                    static_cast<double>(loop.p99.count()) / 1000.0, static_cast<double>(loop.worst.count()) / 1000.0,
                    static_cast<unsigned long long>(loop.samples));
      lines.emplace_back(buf);
    }
    std::snprintf(buf, sizeof buf, "stream   %.0f Token msgs/s   %llu received", controller.chat().token_messages_per_second(),
                  static_cast<unsigned long long>(controller.chat().tokens_received()));
    lines.emplace_back(buf);
    std::snprintf(buf, sizeof buf, "frame    last %.0f µs  worst %.0f µs  %llu frames", static_cast<double>(last_frame.count()) / 1e3,
                  static_cast<double>(worst_frame.count()) / 1e3, static_cast<unsigned long long>(frames));
    lines.emplace_back(buf);
    const auto stats = output.stats();
    std::snprintf(buf, sizeof buf, "output   %llu written  %llu coalesced  %llu KiB", static_cast<unsigned long long>(stats.frames_written),
                  static_cast<unsigned long long>(stats.frames_replaced), static_cast<unsigned long long>(stats.bytes_written / 1024));
    lines.emplace_back(buf);
    controller.set_dev_lines(std::move(lines));
  }

  void render() {
    // Nothing is drawn while the editor owns the terminal, nor before the palette is known.
    if (finished || controller.editing() || !background_known) return;
    if (output.busy()) {  // one frame at a time: the diff assumes the last one reached the terminal
      render_waiting = true;
      return;
    }
    if (!controller.dirty()) return;
    if (controller.dev_view()) refresh_dev_lines();
    const auto started = Clock::now();
    last_render = started;
    if (buffer.width() != size.cols || buffer.height() != size.rows) buffer.resize(size.cols, size.rows);
    if (controller.take_full_redraw()) renderer.invalidate();
    if (frame_timer_armed) {
      ++frame_timer_wait;  // this frame draws what the backstop waited for
      frame_timer.cancel();
      frame_timer_armed = false;
    }
    const auto cursor = controller.draw(buffer, started);
    renderer.render(buffer, frame, cursor);
    // Mode switches and copies go first: after the editor the alternate screen must be back
    // before the frame is drawn on it.
    if (auto& extra = controller.terminal_out(); !extra.empty()) {
      frame.insert(0, extra);
      extra.clear();
    }
    last_frame = Clock::now() - started;
    worst_frame = std::max(worst_frame, last_frame);
    ++frames;
    if (!frame.empty()) output.submit(frame);
    rearm();  // what is on screen decides the timers (e.g. the avatar only animates when shown)
  }

  void on_drained() {
    if (waiting_for_drain) drained_signal.cancel();
    if (finished) {
      complete();
      return;
    }
    if (render_waiting) {
      render_waiting = false;
      render();
    }
  }

  void finish(int code, std::string reason) {
    if (finished) return;
    finished = true;
    exit_code = code;
    exit_reason = std::move(reason);
    link.close();
    reader.cancel();
    winch.cancel();
    timer.cancel();
    frame_timer.cancel();
    background_timer.cancel();
    drained_signal.cancel();
    if (controller.editing()) return editor.terminate();  // run_editor completes once it has stopped
    if (!output.busy()) return complete();
    // Let the frame in flight reach the terminal before it is restored, but not for long.
    timer.expires_after(kFlushOnExit);
    timer.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (auto self = weak.lock(); self && !ec) self->complete();
    });
  }

  void complete() {
    if (!done) return;
    timer.cancel();
    AppResult result;
    result.exit_code = exit_code;
    result.goodbye = exit_reason.empty() ? controller.goodbye() : "yollayah: " + exit_reason;
    auto callback = std::exchange(done, nullptr);
    callback(std::move(result));
  }
};

App::App(asio::any_io_executor executor, transport::ConductorLink& link, AppOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), link, options)) {}

App::~App() {
  if (impl_) impl_->finished = true;
}

void App::start(std::function<void(AppResult)> done) {
  impl_->done = std::move(done);
  impl_->start();
}

}  // namespace yollayah::tui::app
