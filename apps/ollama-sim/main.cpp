// ollama-sim: a stand-in Ollama server for tests, benchmarks and the demo (see sim_options.hpp).
// It serves Ollama's API and, as real Ollama does, the OpenAI-compatible /v1 API; over HTTP or,
// with --tls-cert/--tls-key, HTTPS.
#include "demo_persona.hpp"
#include "sim_options.hpp"
#include "sim_server.hpp"

#include "core/log.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>

#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <optional>
#include <sstream>
#include <stdexcept>

using namespace yollayah;

namespace {

void add_answer_flags(CLI::App& app, sim::SimOptions& o) {
  app.add_option("--host", o.host, "address to listen on");
  app.add_option("--port", o.port, "port to listen on (0: pick a free one)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);  // a later --port wins
  app.add_option("--script", o.script_path, "file with one token per line (\\n means a newline)")
      ->check(CLI::ExistingFile);
  app.add_option("--seed", o.seed, "generate deterministic words from this seed");
  app.add_option("--tokens", o.tokens, "tokens per answer (seed: default 64; cycles a script)");
  app.add_option("--route", o.routes,
                 "PATTERN=FILE: answer with this script (played once) when a message of the request "
                 "contains PATTERN (plain substring; repeatable, the first match wins); last:PATTERN=FILE "
                 "looks only at the last message");
  app.add_option("--demo", o.demo_dir,
                 "answer as the demo persona: code, tables, plans, jokes, helpers… chosen from the user's "
                 "messages, with files from DIR (default: the install tree's share/yollayah/demo, else the "
                 "checkout's apps/ollama-sim/demo); paced at 40 tokens/s after 450 ms unless "
                 "--tokens-per-sec/--ttft-ms say otherwise; --route still wins")
      ->expected(0, 1)
      ->type_name("[DIR]");
  app.add_option("--tokens-per-sec", o.tokens_per_sec, "pace tokens (0: as fast as possible)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--ttft-ms", o.ttft_ms, "delay before the first token");
  app.add_option("--load-ms", o.load_ms,
                 "cold model load: a model's first chat waits this long before sending any byte");
  app.add_option("--models", o.models, "accept only these models (comma separated)")->delimiter(',');
  app.add_option("--pull-step-ms", o.pull_step_ms, "delay between /api/pull and /api/create status lines");
}

void add_fault_flags(CLI::App& app, sim::SimOptions& o) {
  app.add_option("--fail-after", o.fail_after, "drop the connection after N tokens");
  app.add_option("--stall-after", o.stall_after, "go silent after N tokens, keeping the connection");
  app.add_option("--stall-close-ms", o.stall_close_ms, "with --stall-after: close the connection after MS of silence");
  app.add_option("--reset-after", o.reset_after,
                 "after N tokens write half of the next chunk, then reset the connection (RST)");
  app.add_option("--sse-error-after", o.sse_error_after,
                 "after N tokens send an error object inside the 200 stream and end it");
  app.add_option("--malformed-every", o.malformed_every, "make every Nth streamed line invalid JSON")
      ->check(CLI::Range(std::size_t{2}, std::size_t{1} << 40));
  app.add_flag("--stamp-tokens", o.stamp_tokens,
               "each streamed token's text is the sender's steady clock in ns and a space (relay latency benchmarks)");
  app.add_flag("--sse-noise", o.sse_noise,
               "OpenAI stream: add comments, event:/id:/retry: fields, data: without the space, CRLF line ends");
  app.add_option("--http-error", o.http_error, "answer every request with this HTTP status")
      ->check(CLI::Range(100u, 599u));
  app.add_option("--retry-after", o.retry_after, "with --http-error 429 or 503: send Retry-After: SECONDS");
  app.add_flag("--hang", o.hang, "read requests but never answer nor close (every route but /sim/*)");
  app.add_option("--accept-delay-ms", o.accept_delay_ms, "wait MS after accepting a connection before reading it");
}

void add_server_flags(CLI::App& app, sim::SimOptions& o) {
  auto* cert = app.add_option("--tls-cert", o.tls_cert, "serve HTTPS with this PEM certificate chain")
                   ->check(CLI::ExistingFile);
  auto* key = app.add_option("--tls-key", o.tls_key, "the PEM private key for --tls-cert")->check(CLI::ExistingFile);
  cert->needs(key);
  key->needs(cert);
  app.add_option("--require-api-key", o.require_api_key,
                 "/v1/* requests need 'Authorization: Bearer KEY' (the key is never logged)");
  app.add_option("--log-requests", o.log_requests,
                 "append 'METHOD PATH auth=yes|no' per request to FILE (never the header's value)");
  app.add_flag("--verbose", o.verbose, "log every request to stderr");
  app.add_flag("--exit-with-parent", o.exit_with_parent,
               "end (as on SIGTERM) when the process that started this one dies, even if it crashed");
}

sim::TokenSource make_tokens(const sim::SimOptions& o) {
  if (!o.script_path.empty()) return sim::TokenSource::from_script(o.script_path, o.tokens);
  if (o.seed) return sim::TokenSource::from_seed(*o.seed, o.tokens.value_or(64));
  return sim::TokenSource::greeting(o.tokens);
}

std::vector<sim::ScriptRoute> make_routes(const sim::SimOptions& o) {
  std::vector<sim::ScriptRoute> routes;
  for (const auto& r : o.routes) {
    auto eq = r.find('=');
    if (eq == 0 || eq == std::string::npos || eq + 1 == r.size()) {
      throw std::runtime_error("--route wants PATTERN=FILE, got '" + r + "'");
    }
    std::string pattern = r.substr(0, eq);
    const bool last_only = pattern.starts_with("last:");
    if (last_only) pattern.erase(0, 5);
    if (pattern.empty()) throw std::runtime_error("--route wants PATTERN=FILE, got '" + r + "'");
    routes.push_back({std::move(pattern), sim::TokenSource::from_script(r.substr(eq + 1), std::nullopt), last_only});
  }
  return routes;
}

// A model on a laptop: about 40 tokens a second after a short wait for the first.
void apply_demo_defaults(const CLI::App& app, sim::SimOptions& o) {
  o.demo = app.count("--demo") > 0;
  if (!o.demo) return;
  if (o.demo_dir.empty()) o.demo_dir = sim::DemoPersona::default_dir();
  if (app.count("--tokens-per-sec") == 0) o.tokens_per_sec = 40;
  if (app.count("--ttft-ms") == 0) o.ttft_ms = 450;
}

std::optional<boost::asio::ssl::context> make_tls(const sim::SimOptions& o) {
  if (o.tls_cert.empty()) return std::nullopt;
  std::optional<boost::asio::ssl::context> tls(std::in_place, boost::asio::ssl::context::tls_server);
  tls->set_options(boost::asio::ssl::context::default_workarounds | boost::asio::ssl::context::no_sslv2 |
                   boost::asio::ssl::context::no_sslv3 | boost::asio::ssl::context::no_tlsv1 |
                   boost::asio::ssl::context::no_tlsv1_1);
  tls->use_certificate_chain_file(o.tls_cert);
  tls->use_private_key_file(o.tls_key, boost::asio::ssl::context::pem);
  return tls;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ollama-sim: a simulated Ollama server (Ollama's /api and the OpenAI-compatible /v1)"};
  app.footer(
      "Both chat APIs (/api/chat, /api/generate, /v1/chat/completions) play the same scripts, pacing and faults.\n"
      "A final assistant message is continued: only the rest of the answer is sent.\n"
      "Run-time control, exempt from --hang, --http-error and --require-api-key:\n"
      "  POST /sim/control {\"http_error\":503,\"retry_after\":2,...} changes knobs and answers them all;\n"
      "    keys: http_error retry_after fail_after stall_after stall_close_ms reset_after sse_error_after\n"
      "    hang sse_noise ttft_ms tokens_per_sec load_ms accept_delay_ms (0, false or null clears),\n"
      "    unload (true: every model loads cold again). GET /sim/control reads them.\n"
      "  GET /sim/stats: {connections, requests, chat_requests, generate_requests, openai_requests}.");
  sim::SimOptions options;
  add_answer_flags(app, options);
  add_fault_flags(app, options);
  add_server_flags(app, options);
  CLI11_PARSE(app, argc, argv);
  apply_demo_defaults(app, options);
  if (options.verbose) core::set_log_level(spdlog::level::info);
  if (options.exit_with_parent) {
    // A test that crashes (a sanitizer report aborts it) never runs its SimProcess destructor; an
    // orphaned sim would keep the test's stderr open and ctest would wait for its timeout.
    const pid_t parent = getppid();
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) return 0;  // it died before the line above
  }

  try {
    sim::SimContext ctx{options, make_tokens(options), sim::ModelRegistry(options.models), make_routes(options), {}, {}, {}, 1, nullptr};
    if (options.demo) ctx.demo = sim::DemoPersona::load(options.demo_dir);
    if (!options.log_requests.empty()) ctx.request_log = std::make_unique<sim::RequestLog>(options.log_requests);
    auto tls = make_tls(options);
    boost::asio::io_context ioc(1);
    sim::SimServer server(ioc, ctx, tls ? &*tls : nullptr);
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
