// conductord: the Conductor as a daemon, serving surfaces on a Unix socket (issue 4) and, when
// asked, on an HTTP port: the web page, WebSocket surfaces, the model API and /metrics (issue 13).
// Flag parsing, start-up checks, signals and wiring only.
#include "pid_file.hpp"

#include "backend/factory.hpp"
#include "backend/ollama_host.hpp"
#include "conductor/conductor.hpp"
#include "conductor/history_service.hpp"
#include "core/config.hpp"
#include "core/log.hpp"
#include "core/paths.hpp"
#include "gateway/gateway.hpp"
#include "transport/auth_token.hpp"
#include "transport/socket_file.hpp"
#include "transport/unix_server.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>

namespace asio = boost::asio;
using namespace yollayah;

namespace {

struct Args {
  std::string socket;
  std::string host;  // one Ollama here, whatever [[backend]] the file lists
  std::string config = core::config_file();
  std::string log_level = "info";
  std::string pid_file;
  bool daemonize = false;
  std::size_t max_connections = 100;
  std::size_t max_connections_per_uid = 100;
  std::size_t max_waiting_connections = 32;
  std::uint64_t handshake_timeout_ms = 5000;
  bool allow_legacy = false;
  std::string http;       // ADDR:PORT of the HTTP listener; empty: [gateway] listen, else off
  std::string http_auth;  // "token" or "none"; empty: [gateway] auth
  bool no_history = false;
};

std::string dir_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

// Detaches from the terminal: fork, setsid, fork. Runs before any thread or io_context exists.
// The original process waits on a pipe until the daemon reports that it listens (or why it
// could not), so start-up errors still reach the terminal. Returns the pipe's write end in the
// daemon; never returns in the original process.
int daemonize() {
  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) {
    std::perror("conductord: pipe");
    std::exit(1);
  }
  const pid_t first = ::fork();
  if (first < 0) {
    std::perror("conductord: fork");
    std::exit(1);
  }
  if (first > 0) {
    ::close(ready[1]);
    std::string status;
    char buf[512];
    ssize_t n;
    while ((n = ::read(ready[0], buf, sizeof buf)) > 0) status.append(buf, static_cast<std::size_t>(n));
    if (status == "ok") std::exit(0);
    std::cerr << "conductord: " << (status.empty() ? "the daemon exited during start-up" : status) << "\n";
    std::exit(1);
  }
  ::close(ready[0]);
  ::setsid();
  const pid_t second = ::fork();
  if (second < 0) std::_Exit(1);
  if (second > 0) std::_Exit(0);
  if (::chdir("/") != 0) std::_Exit(1);
  const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    ::dup2(null, STDIN_FILENO);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
    if (null > STDERR_FILENO) ::close(null);
  }
  return ready[1];
}

void report_ready(int& fd, std::string_view status) {
  if (fd < 0) return;
  [[maybe_unused]] auto n = ::write(fd, status.data(), status.size());
  ::close(fd);
  fd = -1;
}

int run(const Args& args) {
  core::Config config;
  if (auto err = core::load_config(config, args.config)) {
    std::cerr << "conductord: " << err->message << "\n";
    return 2;
  }
  if (!args.host.empty()) {
    if (auto err = backend::ollama_host_error(args.host)) {
      std::cerr << "conductord: --host '" << args.host << "': " << *err << "\n";
      return 2;
    }
    config.ollama_host = args.host;
    config.backends.clear();
  }
  const std::string socket_path =
      !args.socket.empty() ? args.socket : (!config.socket_path.empty() ? config.socket_path : core::default_socket_path());
  const std::string pid_path = !args.pid_file.empty() ? args.pid_file : dir_of(socket_path) + "/conductor.pid";

  // Checks that can fail are made before detaching, so the user sees why.
  if (auto err = transport::prepare_socket_dir(socket_path)) {
    std::cerr << "conductord: " << err->message << "\n";
    return 1;
  }
  if (auto owner = conductord::live_pid_owner(pid_path)) {
    std::cerr << "conductord: already running (pid " << *owner << ", " << pid_path << ")\n";
    return 1;
  }
  if (auto err = backend::check_backends(config)) {
    std::cerr << "conductord: " << *err << "\n";
    return 2;
  }
  for (const auto& w : config.warnings) std::cerr << "conductord: warning: " << w << "\n";

  int ready_fd = -1;
  const auto level = spdlog::level::from_str(args.log_level);
  if (args.daemonize) {
    ready_fd = daemonize();
    core::init_file_logging(core::log_dir() + "/conductord.log", level);
  } else {
    core::set_log_level(level);
  }
  if (auto err = conductord::write_pid_file(pid_path)) {
    core::log().error("{}", *err);
    report_ready(ready_fd, *err);
    return 1;
  }

  // A fresh token each start: surfaces read it from the 0600 file and send it in Handshake.
  const std::string token_path = transport::token_path_for(socket_path);
  const std::string token = transport::generate_token();
  if (auto err = transport::write_token_file(token_path, token)) {
    core::log().error("{}", err->message);
    report_ready(ready_fd, err->message);
    conductord::remove_pid_file(pid_path);
    return 1;
  }

  asio::io_context io(1);
  auto router = backend::make_router(io.get_executor(), config);
  if (!router) {
    core::log().error("{}", router.error());
    report_ready(ready_fd, router.error());
    std::cerr << "conductord: " << router.error() << "\n";
    conductord::remove_pid_file(pid_path);
    ::unlink(token_path.c_str());
    return 2;
  }
  for (const auto& w : config.warnings) core::log().warn("{}", w);
  // The daemon's conversation survives a restart: the last one it began is its session's history
  // again, so a surface that reconnects gets it in its StateSnapshot. Declared before the
  // Conductor: the store closes after it, once the loop has stopped.
  std::unique_ptr<conductor::HistoryService> history;
  std::optional<store::Conversation> resume;
  if (config.history && !args.no_history) {
    history = std::make_unique<conductor::HistoryService>(io.get_executor());
    resume = conductor::load_last_conversation(io, *history, "daemon");
    if (resume)
      core::log().info("history: continuing conversation {} ({} messages)", resume->summary.id, resume->messages.size());
  } else {
    core::log().info("history is off: nothing is written to disk");
  }
  conductor::Conductor conductor(io.get_executor(), *router, conductor::SessionConfig::from(config));
  if (history) conductor.set_history(history.get(), "daemon", std::move(resume));
  const std::string http_listen = !args.http.empty() ? args.http : config.gateway.listen;
  std::unique_ptr<gateway::Gateway> web;
  std::shared_ptr<gateway::Metrics> metrics;
  {
    std::vector<std::string> names;
    for (const auto& s : conductor.router().status()) names.push_back(s.name);
    metrics = std::make_shared<gateway::Metrics>(names);
    conductor.router().set_observer(metrics);
  }
  if (!http_listen.empty()) {
    auto where = gateway::parse_listen_address(http_listen);
    if (!where) {
      std::cerr << "conductord: --http: " << where.error() << "\n";
      report_ready(ready_fd, "--http: " + where.error());
      conductord::remove_pid_file(pid_path);
      ::unlink(token_path.c_str());
      return 2;
    }
    gateway::GatewayOptions go;
    go.address = where->first;
    go.port = where->second;
    go.auth = (!args.http_auth.empty() ? args.http_auth : config.gateway.auth) != "none";
    if (go.auth) {
      go.tokens.push_back(token);
      for (const auto& k : config.gateway.api_keys) go.tokens.push_back(k);
    }
    go.allowed_origins = config.gateway.allowed_origins;
    go.record = config.gateway.record;
    go.history = history ? &history->store() : nullptr;
    if (go.record && !history)
      core::log().info("[gateway] record is on but the history is off: API conversations are not stored");
    go.max_answer_bytes = config.max_answer_bytes;
    go.handshake_timeout = std::chrono::milliseconds(args.handshake_timeout_ms);
    web = std::make_unique<gateway::Gateway>(io.get_executor(), conductor, go, metrics);
    if (auto err = web->listen()) {
      core::log().error("{}", *err);
      std::cerr << "conductord: --http " << http_listen << ": " << *err << "\n";
      report_ready(ready_fd, *err);
      conductord::remove_pid_file(pid_path);
      ::unlink(token_path.c_str());
      return 2;
    }
  }
  transport::UnixServerOptions options;
  options.counters = metrics->unix_surfaces;
  options.socket_path = socket_path;
  options.max_connections = args.max_connections;
  options.max_connections_per_uid = args.max_connections_per_uid;
  options.max_waiting_connections = args.max_waiting_connections;
  options.handshake_timeout = std::chrono::milliseconds(args.handshake_timeout_ms);
  options.auth_token = token;
  options.allow_legacy = args.allow_legacy;
  transport::UnixServer server(io.get_executor(), conductor, options);
  if (auto err = server.listen()) {
    if (args.daemonize) core::log().error("{}", err->message);
    std::cerr << "conductord: " << err->message << "\n";
    report_ready(ready_fd, err->message);
    conductord::remove_pid_file(pid_path);
    ::unlink(token_path.c_str());
    return 1;
  }
  server.start();
  const std::string url_path = dir_of(socket_path) + "/gateway.url";
  if (web) {
    web->start();
    // Beside the token, for `yollayah.sh web` (a port picked at random is known only here).
    if (auto err = transport::write_token_file(url_path, web->base_url())) core::log().warn("{}", err->message);
  }
  report_ready(ready_fd, "ok");
  // Config reloads read a file: that stays off the loop. Created after bind(), whose umask
  // change is process-wide, so no other thread of ours creates files meanwhile.
  asio::thread_pool blocking(1);
  core::log().info("conductord {} ready on {} (model {}, pid {})", "0.1.0", socket_path, config.model, ::getpid());
  if (web) {
    core::log().info("http on {}", web->base_url());
    // The page with the token in its fragment, as Jupyter prints it: on the terminal only, never in
    // the log file (the token is in session.token, 0600, for whoever needs it later).
    if (!args.daemonize) std::cerr << "conductord: web page: " << web->page_url() << std::endl;
  }

  bool stopping = false;
  asio::signal_set stop_signals(io, SIGTERM, SIGINT);
  std::function<void(const boost::system::error_code&, int)> on_stop = [&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (stopping) {  // a second signal: do not wait for the surfaces
      io.stop();
      return;
    }
    stopping = true;
    core::log().info("signal {}: shutting down", sig);
    stop_signals.async_wait(on_stop);
    auto both = [&]() -> asio::awaitable<void> {
      using namespace asio::experimental::awaitable_operators;
      if (web) {
        co_await (server.shutdown(std::string("The Conductor is shutting down.")) && web->shutdown());
      } else {
        co_await server.shutdown(std::string("The Conductor is shutting down."));
      }
    };
    asio::co_spawn(io, both(), [&](std::exception_ptr) { io.stop(); });
  };
  stop_signals.async_wait(on_stop);

  asio::signal_set reload_signal(io, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_hup = [&](const boost::system::error_code& ec, int) {
    if (ec) return;
    reload_signal.async_wait(on_hup);
    asio::post(blocking, [&io, &conductor, &config, path = args.config] {
      core::Config fresh;
      auto err = core::load_config(fresh, path);
      asio::post(io, [&conductor, &config, err, fresh] {
        if (err) {
          core::log().warn("config reload failed, keeping the old one: {}", err->message);
          return;
        }
        conductor.reconfigure(conductor::SessionConfig::from(fresh));
        core::log().info("config reloaded: model {}, max context {}", fresh.model, fresh.max_context);
        if (fresh.ollama_host != config.ollama_host)
          core::log().warn("config reload: the Ollama host ({} → {}) changes when conductord restarts", config.ollama_host,
                           fresh.ollama_host);
        auto servers = [](const core::Config& c) {
          std::string s;
          for (const auto& b : c.backends) s += b.name + "=" + b.kind + ":" + b.url + " ";
          return s;
        };
        if (servers(fresh) != servers(config))
          core::log().warn("config reload: the [[backend]] list changed; it applies when conductord restarts");
      });
    });
  };
  reload_signal.async_wait(on_hup);

  io.run();
  blocking.join();
  server.remove_socket_file();
  ::unlink(token_path.c_str());
  if (web) ::unlink(url_path.c_str());
  conductord::remove_pid_file(pid_path);
  core::log().info("conductord stopped");
  core::log().flush();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"conductord: the Yollayah Conductor as a daemon on a Unix socket"};
  Args args;
  app.add_option("--host", args.host,
                 "One Ollama at this URL or host[:port], instead of the [[backend]] list of the config file");
  app.add_option("--socket", args.socket, "Socket path (default: $CONDUCTOR_SOCKET or $XDG_RUNTIME_DIR/ai-way/conductor.sock)");
  app.add_option("--config", args.config, "Config file")->capture_default_str();
  app.add_option("--log-level", args.log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  app.add_option("--pid-file", args.pid_file, "PID file (default: conductor.pid beside the socket)");
  app.add_flag("--daemonize", args.daemonize, "Detach from the terminal (the default is to stay in the foreground)");
  app.add_flag("--no-history", args.no_history,
               "Keep nothing on disk (also YOLLAYAH_NO_HISTORY=1, or history = false in the config)");
  app.add_flag("--allow-legacy", args.allow_legacy,
               "Accept version-1 surfaces that only say Connected (they cannot send the session token)");
  app.add_option("--max-connections", args.max_connections, "Most surfaces connected at once (after their Handshake)")
      ->capture_default_str();
  app.add_option("--max-connections-per-uid", args.max_connections_per_uid, "Most surfaces one user may connect at once")
      ->capture_default_str();
  app.add_option("--max-waiting-connections", args.max_waiting_connections,
                 "Most connections still to send their Handshake; past it the one waiting longest is refused")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--handshake-timeout-ms", args.handshake_timeout_ms,
                 "How long a new connection has to send its Handshake (0: no limit)")
      ->capture_default_str();
  app.add_option("--http", args.http,
                 "Also serve HTTP on ADDR:PORT: the web page, WebSocket surfaces (/ws), the Ollama- and "
                 "OpenAI-compatible API and /metrics (127.0.0.1:0 picks a free port; default: [gateway] listen)");
  app.add_option("--http-auth", args.http_auth,
                 "token (default): every request needs the session token or an API key; none: no token, "
                 "allowed only on a loopback address")
      ->check(CLI::IsMember({"token", "none"}));
  CLI11_PARSE(app, argc, argv);
  // A closed stderr or log pipe must not kill the daemon; sockets already use MSG_NOSIGNAL.
  ::signal(SIGPIPE, SIG_IGN);
  return run(args);
}
