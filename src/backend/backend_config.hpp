// What every backend kind is configured with: where the server is, how it is named, its deadlines
// and its TLS settings. Filled from a [[backend]] entry (or, with none, from OLLAMA_HOST) by the
// backend factory; the kinds (Ollama, OpenAI-compatible) add their own fields beside it.
#pragma once

#include "backend/ollama_host.hpp"

#include <chrono>
#include <string>

namespace yollayah::backend {

struct TlsOptions {
  std::string ca_file{};      // PEM bundle of a private CA, checked in addition to the system store
  bool insecure = false;      // no certificate or host-name check; only when the user wrote it
};

struct BackendConfig {
  std::string name{};         // shown to users; empty: the endpoint's base URL
  Endpoint endpoint{};
  TlsOptions tls{};           // used when endpoint.scheme is "https"
  std::string api_key{};      // sent as "Authorization: Bearer …" when set; never logged or shown

  std::chrono::milliseconds connect_timeout{5000};        // TCP connect plus the TLS handshake
  std::chrono::milliseconds probe_timeout{5000};          // version, model list, show, ps: small replies
  std::chrono::milliseconds first_token_timeout{60000};   // request sent → first content, model loaded
  std::chrono::milliseconds load_timeout{300000};         // the same while the server loads the model
  std::chrono::milliseconds idle_timeout{30000};          // longest silence once content flows

  std::string display_name() const { return name.empty() ? endpoint.base_url() : name; }
};

}  // namespace yollayah::backend
