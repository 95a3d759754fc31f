// The model API of the gateway: Ollama-compatible routes under /api/ and OpenAI-compatible ones
// under /v1/, every request through the router. Plain model calls: no persona and no tags.
#pragma once

#include "backend/routing/router.hpp"
#include "gateway/answer.hpp"
#include "gateway/exchange.hpp"
#include "gateway/metrics.hpp"

#include <map>
#include <string>

namespace yollayah::gateway {

// Models with answers running through the gateway now (for /api/ps). On the loop's thread only.
class ActiveModels {
 public:
  void add(const std::string& model) { ++count_[model]; }
  void remove(const std::string& model) {
    if (auto it = count_.find(model); it != count_.end() && --it->second == 0) count_.erase(it);
  }
  const std::map<std::string, std::size_t>& all() const { return count_; }

 private:
  std::map<std::string, std::size_t> count_;
};

class Recorder;

struct ApiContext {
  backend::routing::Router& router;
  Metrics* metrics = nullptr;
  AnswerLimits limits;
  std::string version;
  ActiveModels active;
  // [gateway] record with the history on: each chat exchange is stored (gateway/recorder.hpp).
  Recorder* recorder = nullptr;
};

asio::awaitable<void> serve_ollama(Exchange& ex, ApiContext& api);  // /api/…
asio::awaitable<void> serve_openai(Exchange& ex, ApiContext& api);  // /v1/…

// Error bodies in each API's own shape.
std::string ollama_error_body(std::string_view message);
std::string openai_error_body(std::string_view message, std::string_view type, std::string_view code = {});
std::string_view openai_error_type(http::status status);

// "2024-05-01T12:00:00.123456789Z", as Ollama writes created_at.
std::string rfc3339_now();

}  // namespace yollayah::gateway
