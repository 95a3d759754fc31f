// yollayah: the terminal companion. With no subcommand the TUI opens, with a Conductor embedded in
// this process (or attached to conductord with --connect); `yollayah ask PROMPT` is the headless
// surface. Flag parsing and wiring only.
#include "backend/factory.hpp"
#include "backend/ollama_host.hpp"
#include "conductor/conductor.hpp"
#include "conductor/history_service.hpp"
#include "conductor/prompts.hpp"
#include "core/config.hpp"
#include "core/log.hpp"
#include "core/paths.hpp"
#include "core/terminal_text.hpp"
#include "headless/ask_surface.hpp"
#include "headless/prompt_text.hpp"
#include "store/history_cli.hpp"
#include "transport/auth_token.hpp"
#include "transport/inprocess.hpp"
#include "transport/unix_client.hpp"
#include "tui/app/app.hpp"
#include "tui/term/terminal.hpp"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <functional>
#include <iostream>
#include <iterator>

namespace asio = boost::asio;
using namespace yollayah;

namespace {

struct AskArgs {
  std::string host;
  std::string model;
  bool json = false;
  bool quiet_agents = false;
  bool resume = false;      // --continue: the last conversation
  bool no_history = false;  // --no-history: nothing on disk
  std::vector<std::string> words;  // the prompt, as split_command_line cut it off
  std::string connect;  // conductord socket; empty: embed a Conductor
};

// The words of `yollayah ask` must reach the model byte for byte, so CLI11 never sees them: it
// reads "[a,b]" as a list (and "[]" as nothing), and a "--" inside a subcommand goes to the
// parent. After `ask` and its options, the first word that is not an option starts the prompt,
// and the rest of the line belongs to it verbatim; "--" ends the options explicitly.
struct CommandLine {
  std::vector<char*> for_cli;  // argv[0], the options and the subcommand
  std::vector<std::string> prompt_words;
};

CommandLine split_command_line(const CLI::App& app, const CLI::App& ask, int argc, char** argv) {
  CommandLine line;
  line.for_cli.push_back(argv[0]);
  const CLI::App* scope = &app;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (scope == &ask && arg == "--") {
      line.prompt_words.assign(argv + i + 1, argv + argc);
      break;
    }
    if (arg.size() > 1 && arg[0] == '-') {
      line.for_cli.push_back(argv[i]);
      // An option whose value is the next word ("--host h", not "--host=h" or a flag).
      const CLI::Option* opt =
          arg.find('=') == std::string_view::npos ? scope->get_option_no_throw(std::string(arg)) : nullptr;
      if (opt && opt->get_items_expected_min() > 0 && i + 1 < argc) line.for_cli.push_back(argv[++i]);
      continue;
    }
    if (scope == &ask) {
      line.prompt_words.assign(argv + i, argv + argc);
      break;
    }
    if (scope == &app && arg == "history") {  // CLI11 reads the rest: "ask" there is a word to search
      line.for_cli.insert(line.for_cli.end(), argv + i, argv + argc);
      break;
    }
    if (ask.check_name(std::string(arg))) scope = &ask;
    line.for_cli.push_back(argv[i]);
  }
  return line;
}

// A value from the user, quoted for a one-line message: control characters become '?'.
std::string shown(std::string_view value) {
  std::string out = "'";
  for (const char c : value) out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c);
  return out + "'";
}

// A malformed --host is refused (exit 2) rather than quietly replaced by the default port.
bool host_flag_ok(const std::string& host) {
  if (host.empty()) return true;
  if (auto err = backend::ollama_host_error(host)) {
    std::cerr << "yollayah: --host " << shown(host) << ": " << *err << "\n";
    return false;
  }
  return true;
}

// Where the configured Ollama host came from, for an error message (the flag is checked apart).
std::string host_source(const std::string& value) {
  auto set = [](const char* name) {
    const char* v = std::getenv(name);
    return v && *v;
  };
  std::string name = set("OLLAMA_HOST")            ? "OLLAMA_HOST"
                     : set("YOLLAYAH_OLLAMA_HOST") ? "YOLLAYAH_OLLAMA_HOST"
                                                   : "[backend] ollama_host in " + core::config_file();
  if (const char* port = std::getenv("OLLAMA_PORT"); port && *port && value.ends_with(std::string(":") + port))
    name += " with OLLAMA_PORT";
  return name;
}

// `--connect[=SOCKET]` or CONDUCTOR_TRANSPORT=unix|socket: talk to a running conductord.
std::string connect_target(const std::string& flag) {
  if (!flag.empty()) return flag;
  const char* transport = std::getenv("CONDUCTOR_TRANSPORT");
  const std::string t = transport ? transport : "";
  if (t == "unix" || t == "socket") return core::default_socket_path();
  return {};
}

// The config file and environment, then the --host and --model flags. On a bad file, says why
// and returns nothing (exit code 2).
std::optional<core::Config> load_config_with(const std::string& host, const std::string& model) {
  core::Config config;
  if (auto err = core::load_config(config, core::config_file())) {
    std::cerr << "yollayah: " << err->message << "\n";
    return std::nullopt;
  }
  if (host.empty()) {
    if (auto err = backend::ollama_host_error(config.ollama_host)) {
      std::cerr << "yollayah: " << host_source(config.ollama_host) << " " << shown(config.ollama_host) << ": " << *err
                << "\n";
      return std::nullopt;
    }
  }
  if (!host.empty()) {
    config.ollama_host = host;
    config.backends.clear();  // an explicit --host is one Ollama, whatever the file lists
  }
  if (!model.empty()) config.model = model;
  return config;
}

// The backends the configuration lists, behind the router; on a mistake, one line and nothing.
// Warnings (a key variable that is not set) go to stderr for `ask` and to the log for the TUI,
// which owns the terminal.
std::shared_ptr<backend::routing::Router> make_router_or_say_why(asio::io_context& io, const core::Config& config,
                                                                  bool to_stderr) {
  for (const auto& w : config.warnings) {
    if (to_stderr) std::cerr << "yollayah: warning: " << w << "\n";
    else core::log().warn("{}", w);
  }
  auto router = backend::make_router(io.get_executor(), config);
  if (!router) {
    std::cerr << "yollayah: " << router.error() << "\n";
    return nullptr;
  }
  return *router;
}

// Reads the whole prompt from stdin (start-up, before any event loop runs).
std::string read_stdin() {
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

// Restores stdout's file flags on exit: Asio puts the descriptor in non-blocking mode, and the
// open file description may be shared with the user's shell.
class StdoutGuard {
 public:
  StdoutGuard() : flags_(::fcntl(STDOUT_FILENO, F_GETFL)) {}
  ~StdoutGuard() {
    if (flags_ >= 0) ::fcntl(STDOUT_FILENO, F_SETFL, flags_);
  }

 private:
  int flags_;
};

// The prompt from the arguments, byte for byte, or else stdin without its final line break; empty
// when there is none. Bytes that are not UTF-8 (a Latin-1 file, a `head -c` cut through a
// character) become U+FFFD, with a line on stderr: the rest of the question still gets asked.
std::string ask_prompt(const AskArgs& args) {
  std::string prompt;
  if (args.words.empty() || args.words == std::vector<std::string>{"-"}) {
    prompt = read_stdin();
    while (!prompt.empty() && (prompt.back() == '\n' || prompt.back() == '\r')) prompt.pop_back();
  } else {
    prompt = headless::join_words(args.words);
  }
  auto repaired = headless::replace_invalid_utf8(prompt);
  if (repaired.replaced > 0) std::cerr << "yollayah: " << headless::describe_repair(repaired) << "\n";
  return std::move(repaired.text);
}

// The history store (issue 11), unless the user keeps nothing on disk: --no-history,
// YOLLAYAH_NO_HISTORY=1 or `history = false` in the config.
std::unique_ptr<conductor::HistoryService> open_history(asio::io_context& io, const core::Config& config,
                                                        bool no_history) {
  if (no_history || !config.history) return nullptr;
  return std::make_unique<conductor::HistoryService>(io.get_executor());
}

constexpr const char* kContinueWithoutHistory =
    "yollayah: --continue needs the history, which is off (--no-history, YOLLAYAH_NO_HISTORY or history = false "
    "in the config)\n";

constexpr const char* kResumeWithoutHistory =
    "yollayah: --resume needs the history, which is off (--no-history, YOLLAYAH_NO_HISTORY or history = false "
    "in the config)\n";

constexpr const char* kNoPrompt = "yollayah: no prompt. Usage: yollayah ask \"your question\" (or pipe it on stdin)\n";

// The answer as it streams. On a terminal its control characters are shown, not obeyed (a model's
// ESC could move the cursor or write the clipboard); a pipe gets the bytes unchanged.
auto stdout_writer(asio::posix::stream_descriptor& out) {
  return [&out, terminal = ::isatty(STDOUT_FILENO) == 1](std::string_view text) -> asio::awaitable<void> {
    boost::system::error_code ec;
    if (terminal && !core::terminal_safe_already(text)) {
      const std::string shown = core::terminal_safe(text);
      co_await asio::async_write(out, asio::buffer(shown), asio::redirect_error(asio::use_awaitable, ec));
      co_return;
    }
    co_await asio::async_write(out, asio::buffer(text.data(), text.size()),
                               asio::redirect_error(asio::use_awaitable, ec));
  };
}

// `yollayah ask --connect`: the same headless surface over the Unix socket to conductord.
// The first Ctrl+C (or SIGTERM) stops the answer, which the Conductor ends with a cancelled
// StreamEnd; a second one leaves at once, even if no answer had started yet.
class InterruptToCancel {
 public:
  InterruptToCancel(asio::io_context& io, transport::ConductorLink& link, int& exit_code)
      : signals_(io, SIGINT, SIGTERM), io_(io), link_(link), exit_code_(exit_code) {
    arm();
  }
  void cancel() { signals_.cancel(); }

 private:
  void arm() {
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec) return;
      if (cancel_sent_) {
        exit_code_ = 130;
        io_.stop();
        return;
      }
      cancel_sent_ = true;
      link_.send(protocol::ev::CancelResponse{"evt_ask_cancel"});
      arm();
    });
  }

  asio::signal_set signals_;
  asio::io_context& io_;
  transport::ConductorLink& link_;
  int& exit_code_;
  bool cancel_sent_ = false;
};

int run_ask_connected(const AskArgs& args, const std::string& socket_path) {
  core::disable_logging();
  std::string prompt = ask_prompt(args);
  if (prompt.empty()) {
    std::cerr << kNoPrompt;
    return 2;
  }
  transport::UnixLink::Options link_options;
  link_options.auth_token = transport::read_token_file(transport::token_path_for(socket_path));  // start-up read
  asio::io_context io(1);
  transport::UnixLink link(io.get_executor(), link_options);
  StdoutGuard stdout_guard;
  asio::posix::stream_descriptor out(io, ::dup(STDOUT_FILENO));
  int exit_code = 1;
  std::string error;

  InterruptToCancel signals(io, link, exit_code);
  // Bounds the goodbye: Disconnected is flushed, but a daemon that stopped reading cannot hold us.
  asio::steady_timer linger(io);

  headless::AskOptions options{std::move(prompt), args.json, args.quiet_agents};
  auto session = [&]() -> asio::awaitable<headless::AskOutcome> {
    if (auto ec = co_await link.connect(socket_path)) {
      headless::AskOutcome failed;
      failed.kind = headless::AskOutcome::Kind::Failed;
      failed.error = "cannot reach conductord at " + socket_path + ": " + ec.message() +
                     " (start it with `conductord`, or drop --connect)";
      co_return failed;
    }
    co_return co_await headless::run_ask(link, std::move(options), stdout_writer(out));
  };
  asio::co_spawn(io, session(), [&](std::exception_ptr e, headless::AskOutcome outcome) {
    exit_code = e ? 1 : outcome.exit_code();
    error = e ? "internal error" : outcome.error;
    signals.cancel();
    link.close();
    linger.expires_after(std::chrono::seconds(2));
    linger.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) io.stop();
    });
    // Once the link has flushed and closed, nothing keeps the loop busy and run() returns.
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
      std::vector<protocol::EnvelopePtr> rest;
      while (co_await link.receive(rest)) rest.clear();
      linger.cancel();
    }, asio::detached);
  });
  io.run();
  if (exit_code != 0 && exit_code != 130 && !error.empty()) std::cerr << "yollayah: " << error << "\n";
  return exit_code;
}

int run_ask(const AskArgs& args) {
  if (auto target = connect_target(args.connect); !target.empty()) return run_ask_connected(args, target);
  core::disable_logging();
  auto loaded = load_config_with(args.host, args.model);
  if (!loaded) return 2;
  const core::Config& config = *loaded;

  std::string prompt = ask_prompt(args);
  if (prompt.empty()) {
    std::cerr << kNoPrompt;
    return 2;
  }

  asio::io_context io(1);
  auto router = make_router_or_say_why(io, config, /*to_stderr=*/true);
  if (!router) return 2;

  // Declared before the Conductor: the store closes after it, once the loop has stopped.
  auto history = open_history(io, config, args.no_history);
  if (args.resume && !history) {
    std::cerr << kContinueWithoutHistory;
    return 2;
  }
  std::optional<store::Conversation> resume;
  if (args.resume) {
    resume = conductor::load_last_conversation(io, *history);
    if (!resume) std::cerr << "yollayah: no earlier conversation to continue; this one starts a new one\n";
  }

  auto session_config = conductor::SessionConfig::from(config);
  session_config.greet = false;
  conductor::Conductor conductor(io.get_executor(), router, session_config);
  if (history) conductor.set_history(history.get(), "headless", std::move(resume));
  transport::InProcessLink link(conductor, io.get_executor());

  StdoutGuard stdout_guard;
  asio::posix::stream_descriptor out(io, ::dup(STDOUT_FILENO));
  int exit_code = 1;
  std::string error;

  InterruptToCancel signals(io, link, exit_code);

  headless::AskOptions options{std::move(prompt), args.json, args.quiet_agents};
  asio::co_spawn(io, headless::run_ask(link, std::move(options), stdout_writer(out)),
                 [&](std::exception_ptr e, headless::AskOutcome outcome) {
                   if (e) {
                     exit_code = 1;
                     error = "internal error";
                   } else {
                     exit_code = outcome.exit_code();
                     error = outcome.error;
                   }
                   signals.cancel();
                   conductor.stop(std::nullopt);
                   io.stop();
                 });
  io.run();
  if (exit_code != 0 && exit_code != 130 && !error.empty()) std::cerr << "yollayah: " << error << "\n";
  return exit_code;
}


// `yollayah backends`: every model server the configuration names, probed at once: does it
// answer, and which models does it serve. Exit 0 when one answers, 3 when none does (scripts:
// yollayah.sh start falls back to the demo then), 2 for a broken configuration.
int run_backends(bool json) {
  core::disable_logging();
  auto loaded = load_config_with({}, {});
  if (!loaded) return 2;
  asio::io_context io(1);
  auto router = make_router_or_say_why(io, *loaded, /*to_stderr=*/true);
  if (!router) return 2;
  std::vector<backend::routing::BackendProbe> probes;
  asio::co_spawn(io, router->probe_each(),
                 [&](std::exception_ptr, std::vector<backend::routing::BackendProbe> p) { probes = std::move(p); });
  io.run();
  bool any_up = false;
  boost::json::array list;
  for (const auto& p : probes) {
    any_up = any_up || p.version.has_value();
    if (json) {
      boost::json::object o{{"name", p.name}, {"kind", p.kind}, {"url", p.url}, {"up", p.version.has_value()}};
      if (p.version) o["version"] = *p.version;
      else o["error"] = p.version.error().message;
      boost::json::array models;
      if (p.models) for (const auto& m : *p.models) models.emplace_back(m.name);
      o["models"] = std::move(models);
      o["tls_insecure"] = p.tls_insecure;
      list.emplace_back(std::move(o));
      continue;
    }
    if (p.name != p.url) std::cout << p.name << "  ";  // an unnamed server is known by its URL
    std::cout << p.kind << "  " << p.url << "  ";
    if (!p.version) {
      std::cout << "down: " << p.version.error().message << "\n";
      continue;
    }
    std::cout << "up (" << *p.version << ")";
    if (p.models) {
      std::cout << ", " << p.models->size() << (p.models->size() == 1 ? " model" : " models");
      std::string names;
      for (const auto& m : *p.models) names += (names.empty() ? ": " : ", ") + m.name;
      std::cout << names;
    }
    if (p.tls_insecure) std::cout << " (tls_insecure: its certificate is not checked)";
    std::cout << "\n";
  }
  if (json) {
    std::cout << boost::json::serialize(boost::json::object{{"configured", !loaded->backends.empty()}, {"backends", list}})
              << "\n";
  }
  return any_up ? 0 : 3;
}

struct TuiArgs {
  std::string host;
  std::string model;
  std::string connect;
  bool resume = false;        // -c, --continue: the last conversation
  bool pick = false;          // --resume: the /history list, or the conversation resume_id names
  std::string resume_id;
  bool no_history = false;
};

// What the TUI sends first for --resume: the list to choose from, or the conversation named.
std::optional<protocol::ev::UserCommand> resume_command(const TuiArgs& args) {
  if (!args.pick) return std::nullopt;
  if (args.resume_id.empty()) return protocol::ev::UserCommand{"evt_tui_resume", "history", {}};
  return protocol::ev::UserCommand{"evt_tui_resume", "open", {args.resume_id}};
}

constexpr const char* kNotATerminal =
    "yollayah: the chat screen needs a terminal, but stdin or stdout is not one.\n"
    "For scripts and pipes, ask one question instead:  yollayah ask \"your question\"\n";

// Opens the terminal, runs the App on `io` until it is done, restores the terminal, prints the
// goodbye line and calls `shut_down`. The link must already be usable on `io`.
int run_tui_on(asio::io_context& io, transport::ConductorLink& link, bool embedded,
               std::optional<protocol::ev::UserCommand> first_command, const std::function<void()>& shut_down = {}) {
  auto terminal = tui::term::Terminal::open(STDIN_FILENO, STDOUT_FILENO);
  if (!terminal) {
    std::cerr << "yollayah: cannot use this terminal: " << terminal.error().message() << "\n";
    return 1;
  }
  tui::app::AppOptions options;
  options.motion = !tui::app::reduce_motion_from_env();
  options.embedded = embedded;
  options.stall_monitor = !embedded;  // the embedded Conductor's monitor covers the shared loop
  if (const char* banner = std::getenv("YOLLAYAH_BANNER")) options.banner = banner;
  options.first_command = std::move(first_command);
  tui::app::AppResult result;
  tui::app::App app(io.get_executor(), link, options);
  app.start([&](tui::app::AppResult r) {
    result = std::move(r);
    io.stop();
  });
  io.run();
  (*terminal)->restore();
  std::cout << result.goodbye << std::endl;
  if (shut_down) shut_down();
  // Let the link say goodbye and the App's coroutines see the closed link, so nothing suspended
  // on the loop outlives the link it waits on.
  io.restart();
  io.run_for(std::chrono::milliseconds(200));
  return result.exit_code;
}

int run_tui_connected(const std::string& socket_path, std::optional<protocol::ev::UserCommand> first_command) {
  transport::UnixLink::Options link_options;
  const std::string token_file = transport::token_path_for(socket_path);
  link_options.auth_token = transport::read_token_file(token_file);  // start-up read
  link_options.reconnect.enabled = true;
  link_options.reconnect.token_file = token_file;
  asio::io_context io(1);
  transport::UnixLink link(io.get_executor(), link_options);
  boost::system::error_code connect_error;
  asio::co_spawn(io, link.connect(socket_path), [&](std::exception_ptr, boost::system::error_code ec) {
    connect_error = ec;
    io.stop();
  });
  io.run();
  io.restart();
  if (connect_error) {
    std::cerr << "yollayah: cannot reach conductord at " << socket_path << ": " << connect_error.message()
              << "\nStart it with `conductord` (or `./yollayah.sh daemon`), or run `yollayah` without --connect.\n";
    return 1;
  }
  return run_tui_on(io, link, false, std::move(first_command));
}

int run_tui(const TuiArgs& args) {
  if (!::isatty(STDIN_FILENO) || !::isatty(STDOUT_FILENO)) {
    std::cerr << kNotATerminal;
    return 2;
  }
  core::init_file_logging(core::log_dir() + "/yollayah.log", spdlog::level::info);
  if (auto target = connect_target(args.connect); !target.empty()) return run_tui_connected(target, resume_command(args));

  auto loaded = load_config_with(args.host, args.model);
  if (!loaded) return 2;
  const core::Config& config = *loaded;

  // The Conductor and the TUI share this thread's loop: neither ever blocks it (check-async, and
  // the stall monitor in F12), and a token then reaches the screen without a wake-up of another
  // thread. They still meet only through the in-process link.
  asio::io_context io(1);
  auto router = make_router_or_say_why(io, config, /*to_stderr=*/false);
  if (!router) return 2;
  // Declared before the Conductor: the store closes after it, once the loop has stopped.
  auto history = open_history(io, config, args.no_history);
  if ((args.resume || args.pick) && !history) {
    std::cerr << (args.pick ? kResumeWithoutHistory : kContinueWithoutHistory);
    return 2;
  }
  std::optional<store::Conversation> resume;
  std::optional<protocol::ev::UserCommand> first_command = resume_command(args);
  if (args.resume) {
    resume = conductor::load_last_conversation(io, *history);
    if (!resume) core::log().info("--continue: no earlier conversation; starting a new one");
  } else if (args.pick && !args.resume_id.empty()) {
    // Read before the session starts, so its first frame is that conversation (no greeting).
    auto found = conductor::load_conversation_at_start(io, *history, args.resume_id);
    if (!found) {
      std::cerr << "yollayah: --resume " << shown(args.resume_id) << ": " << found.error().message
                << " (`yollayah history list` shows them)\n";
      return 2;
    }
    resume = std::move(*found);
    first_command.reset();
  }
  auto session_config = conductor::SessionConfig::from(config);
  if (args.pick) session_config.greet = false;  // the list comes first; a greeting would hold /open back
  conductor::Conductor conductor(io.get_executor(), router, session_config);
  if (history) conductor.set_history(history.get(), "tui", std::move(resume));
  transport::InProcessLink link(conductor, io.get_executor());
  const int code = run_tui_on(io, link, true, std::move(first_command), [&] {
    link.close();
    conductor.stop(std::nullopt);
  });
  return code;
}

// `yollayah history …` (issue 11): the flags; the commands are in store/history_cli.
void add_history_command(CLI::App& app, store::HistoryCommand& cmd) {
  using Verb = store::HistoryCommand::Verb;
  auto* history = app.add_subcommand("history", "List, show, search, export or delete stored conversations");
  history->require_subcommand(1, 1);
  auto verb = [&](const char* name, const char* what, Verb v) {
    auto* sub = history->add_subcommand(name, what);
    sub->callback([&cmd, v] { cmd.verb = v; });
    sub->add_flag("--json", cmd.json, "JSON on stdout, for scripts");
    return sub;
  };
  const char* id_help = "A conversation id, 4+ of its first characters, or 'last'";
  auto* list = verb("list", "Conversations, most recent first: id, date, messages, title", Verb::List);
  list->add_option("--limit", cmd.limit, "How many (default 20)");
  list->add_option("--offset", cmd.offset, "How many to skip");
  verb("show", "A conversation as Markdown (--json: every field)", Verb::Show)->add_option("id", cmd.id, id_help)->required();
  auto* search = verb("search", "Messages containing every word, newest first, with context", Verb::Search);
  search->add_option("text", cmd.words, "Words to find (salt* finds salty, salts…)")->required();
  search->add_option("--limit", cmd.limit, "How many matches (default 20)");
  auto* exp = verb("export", "A conversation as Markdown, with each answer's meta line", Verb::Export);
  exp->add_option("id", cmd.id, id_help)->required();
  exp->add_option("file", cmd.file, "Write it here instead of stdout");
  verb("delete", "Delete a conversation and everything in it", Verb::Delete)->add_option("id", cmd.id, id_help)->required();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Yollayah: a local AI companion in your terminal"};
  app.require_subcommand(0, 1);
  bool print_prompt = false;
  app.add_flag("--print-system-prompt", print_prompt, "Print the built-in personality prompt and exit");

  AskArgs ask;
  auto* ask_cmd = app.add_subcommand("ask", "Ask one question; the answer streams to stdout");
  ask_cmd->add_option("--host", ask.host, "Ollama URL or host[:port] (default: $OLLAMA_HOST or 127.0.0.1:11434)");
  ask_cmd->add_option("--model", ask.model, "Model name (default: $YOLLAYAH_MODEL or yollayah)");
  ask_cmd->add_flag("--json", ask.json, "Print every Conductor message as a JSON line");
  ask_cmd->add_flag("--quiet-agents", ask.quiet_agents,
                    "Leave out the answers of the agents Yollayah asks for help (her summary is still printed)");
  ask_cmd->add_flag("--connect{" + core::default_socket_path() + "}", ask.connect,
                    "Use a running conductord (--connect=SOCKET; default socket: $CONDUCTOR_SOCKET or the runtime "
                    "dir). CONDUCTOR_TRANSPORT=unix does the same");
  ask_cmd->add_flag("-c,--continue", ask.resume,
                    "Continue the last conversation: its messages are the context, and this question and answer are "
                    "added to it");
  ask_cmd->add_flag("--no-history", ask.no_history,
                    "Keep nothing on disk (also YOLLAYAH_NO_HISTORY=1, or history = false in the config)");
  // Listed for --help only: split_command_line takes these words before CLI11 could rewrite them.
  ask_cmd->add_option("prompt", ask.words,
                      "The question, byte for byte: every word from the first that is not an option (or after --); "
                      "read from stdin when absent or '-'");

  bool backends_json = false;
  auto* backends_cmd = app.add_subcommand("backends", "Probe the model servers the configuration names (exit 3: none answers)");
  backends_cmd->add_flag("--json", backends_json, "One JSON object for scripts");

  TuiArgs tui_args;
  app.add_option("--host", tui_args.host, "Ollama URL or host[:port] (default: $OLLAMA_HOST or 127.0.0.1:11434)");
  app.add_option("--model", tui_args.model, "Model name (default: $YOLLAYAH_MODEL or yollayah)");
  app.add_flag("--connect{" + core::default_socket_path() + "}", tui_args.connect,
               "Attach to a running conductord (--connect=SOCKET) instead of embedding a Conductor");
  app.add_flag("-c,--continue", tui_args.resume, "Reopen the last conversation");
  auto* resume_opt = app.add_option("--resume", tui_args.resume_id,
                                    "Reopen a conversation: its id (or 4+ of its first characters); without one, the "
                                    "chat opens on the list of recent ones (/history), and /open N picks one")
                         ->expected(0, 1);
  app.add_flag("--no-history", tui_args.no_history,
               "Keep nothing on disk (also YOLLAYAH_NO_HISTORY=1, or history = false in the config)");

  store::HistoryCommand history;
  add_history_command(app, history);

  auto line = split_command_line(app, *ask_cmd, argc, argv);
  try {
    app.parse(static_cast<int>(line.for_cli.size()), line.for_cli.data());
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  ask.words = std::move(line.prompt_words);
  // `yollayah --no-history ask …`, `yollayah --host H ask …`: the flags the chat takes, given before
  // `ask`, are ask's too (its own win), never silently ignored.
  ask.no_history = ask.no_history || tui_args.no_history;
  ask.resume = ask.resume || tui_args.resume;
  if (ask.host.empty()) ask.host = tui_args.host;
  if (ask.model.empty()) ask.model = tui_args.model;
  if (ask.connect.empty()) ask.connect = tui_args.connect;
  tui_args.pick = resume_opt->count() > 0;
  if (tui_args.pick && tui_args.resume) {
    std::cerr << "yollayah: --continue and --resume: choose one\n";
    return 2;
  }
  if (!host_flag_ok(ask.host) || !host_flag_ok(tui_args.host)) return 2;
  if (print_prompt) {
    std::cout << conductor::default_system_prompt() << "\n";
    return 0;
  }
  if (*ask_cmd) return run_ask(ask);
  if (*backends_cmd) return run_backends(backends_json);
  if (app.got_subcommand("history")) {
    // Private mode reads what an earlier session stored, but never creates the file.
    core::Config config;
    history.history_off = tui_args.no_history || (!core::load_config(config, core::config_file()) && !config.history);
    return store::run_history_cli(std::move(history));
  }

  return run_tui(tui_args);
}
