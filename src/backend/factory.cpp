#include "backend/factory.hpp"

#include "backend/ollama_backend.hpp"
#include "backend/openai_backend.hpp"
#include "core/log.hpp"

#include <fstream>

namespace yollayah::backend {

namespace {

// The [[backend]] settings every kind shares.
template <class C>
boost::system::result<C, std::string> backend_config(const core::BackendEntry& entry, const core::Config& config) {
  auto endpoint = parse_backend_url(entry.url);
  if (!endpoint) return "backend \"" + entry.name + "\" (line " + std::to_string(entry.line) + "): " + endpoint.error();
  C c;
  c.name = entry.name;
  c.endpoint = *endpoint;
  c.api_key = entry.api_key;
  c.tls.ca_file = entry.ca_file;
  c.tls.insecure = entry.tls_insecure;
  c.connect_timeout = entry.connect_timeout.value_or(config.connect_timeout);
  if (entry.probe_timeout) c.probe_timeout = *entry.probe_timeout;
  if (entry.first_token_timeout) c.first_token_timeout = *entry.first_token_timeout;
  if (entry.load_timeout) c.load_timeout = *entry.load_timeout;
  if (entry.idle_timeout) c.idle_timeout = *entry.idle_timeout;
  return c;
}

// A client whose TLS set-up failed (an unreadable ca_file) cannot work: say so at start.
template <class B>
std::optional<std::string> setup_problem(const B& backend, const core::BackendEntry& entry) {
  if (const auto& e = backend.setup_error()) return "backend \"" + entry.name + "\": " + e->message;
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_backends(const core::Config& config) {
  for (const auto& entry : config.backends) {
    auto endpoint = parse_backend_url(entry.url);
    if (!endpoint) return "backend \"" + entry.name + "\" (line " + std::to_string(entry.line) + "): " + endpoint.error();
    if (!entry.ca_file.empty() && !std::ifstream(entry.ca_file).good())
      return "backend \"" + entry.name + "\": cannot read ca_file " + entry.ca_file + " (check the path and its permissions)";
  }
  return std::nullopt;
}

routing::RouterOptions router_options(const core::Config& config) {
  routing::RouterOptions o;
  o.mid_stream_fallback = config.mid_stream_fallback;
  o.aliases = config.model_aliases;
  o.breaker.failure_threshold = config.breaker_failures;
  o.breaker.open_base = config.breaker_open;
  o.breaker.open_max = std::max(config.breaker_open_max, config.breaker_open);
  return o;
}

boost::system::result<std::shared_ptr<routing::Router>, std::string> make_router(asio::any_io_executor io,
                                                                                   const core::Config& config) {
  if (config.backends.empty()) {
    auto ollama = std::make_shared<OllamaBackend>(io, OllamaConfig::from(config));
    if (const auto& e = ollama->setup_error()) return e->message;
    return routing::single_backend_router(std::move(ollama), "ollama", router_options(config));
  }
  std::vector<routing::UpstreamSpec> specs;
  for (const auto& entry : config.backends) {
    routing::UpstreamSpec spec;
    if (entry.kind == "openai") {
      auto c = backend_config<OpenAiConfig>(entry, config);
      if (!c) return c.error();
      auto b = std::make_shared<OpenAiBackend>(io, std::move(*c));
      if (auto problem = setup_problem(*b, entry)) return *problem;
      spec.backend = std::move(b);
    } else {
      auto c = backend_config<OllamaConfig>(entry, config);
      if (!c) return c.error();
      auto b = std::make_shared<OllamaBackend>(io, std::move(*c));
      if (auto problem = setup_problem(*b, entry)) return *problem;
      spec.backend = std::move(b);
    }
    spec.kind = entry.kind;
    spec.models = entry.models;
    spec.priority = entry.priority;
    spec.max_concurrent = entry.max_concurrent;
    spec.max_queue = entry.max_queue;
    spec.queue_timeout = entry.queue_timeout;
    spec.tls_insecure = entry.tls_insecure;
    if (entry.tls_insecure)
      core::log().warn("backend \"{}\": tls_insecure = true: its certificate is not checked", entry.name);
    specs.push_back(std::move(spec));
  }
  return std::make_shared<routing::Router>(std::move(specs), router_options(config));
}

}  // namespace yollayah::backend
