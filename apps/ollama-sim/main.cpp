// ollama-sim: a stand-in Ollama server for tests, benchmarks and the demo (see sim_options.hpp).
#include "sim_options.hpp"
#include "sim_server.hpp"

#include "core/log.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <cstdio>
#include <sstream>

using namespace yollayah;

namespace {

void add_flags(CLI::App& app, sim::SimOptions& o) {
  app.add_option("--host", o.host, "address to listen on");
  app.add_option("--port", o.port, "port to listen on (0: pick a free one)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);  // a later --port wins
  app.add_option("--script", o.script_path, "file with one token per line (\\n means a newline)")
      ->check(CLI::ExistingFile);
  app.add_option("--seed", o.seed, "generate deterministic words from this seed");
  app.add_option("--tokens", o.tokens, "tokens per answer (seed: default 64; cycles a script)");
  app.add_option("--tokens-per-sec", o.tokens_per_sec, "pace tokens (0: as fast as possible)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--ttft-ms", o.ttft_ms, "delay before the first token");
  app.add_option("--fail-after", o.fail_after, "drop the connection after N tokens");
  app.add_option("--stall-after", o.stall_after, "go silent after N tokens, keeping the connection");
  app.add_option("--malformed-every", o.malformed_every, "make every Nth NDJSON line invalid JSON")
      ->check(CLI::Range(std::size_t{2}, std::size_t{1} << 40));
  app.add_option("--http-error", o.http_error, "answer every request with this HTTP status")
      ->check(CLI::Range(100u, 599u));
  app.add_option("--models", o.models, "accept only these models (comma separated)")->delimiter(',');
  app.add_option("--pull-step-ms", o.pull_step_ms, "delay between /api/pull and /api/create status lines");
  app.add_flag("--verbose", o.verbose, "log every request to stderr");
}

sim::TokenSource make_tokens(const sim::SimOptions& o) {
  if (!o.script_path.empty()) return sim::TokenSource::from_script(o.script_path, o.tokens);
  if (o.seed) return sim::TokenSource::from_seed(*o.seed, o.tokens.value_or(64));
  return sim::TokenSource::greeting(o.tokens);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ollama-sim: a simulated Ollama server"};
  sim::SimOptions options;
  add_flags(app, options);
  CLI11_PARSE(app, argc, argv);
  if (options.verbose) core::set_log_level(spdlog::level::info);

  try {
    sim::SimContext ctx{options, make_tokens(options), sim::ModelRegistry(options.models)};
    boost::asio::io_context ioc(1);
    sim::SimServer server(ioc, ctx);
    auto ep = server.listen(options.host, options.port);
    std::ostringstream where;
    where << ep;  // brackets an IPv6 address
    std::printf("listening on %s\n", where.str().c_str());
    std::fflush(stdout);

    boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) {
      server.stop();
      ioc.stop();
    });
    server.start();
    ioc.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ollama-sim: %s\n", e.what());
    return 1;
  }
  return 0;
}
