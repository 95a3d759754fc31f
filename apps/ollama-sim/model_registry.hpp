// The simulated model store: which names /api/chat accepts, what /api/tags lists, and the models
// /api/pull and /api/create add at run time (with their system prompts, for /api/show).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace yollayah::sim {

struct SimModel {
  std::string name;          // normalised: always has a tag ("llama3.2" -> "llama3.2:latest")
  std::string from;          // base model, for created ones
  std::string system;        // system prompt, for created ones
  std::string digest;        // "sha256:…"
  std::uint64_t size = 0;
  std::string modified_at;
  std::int64_t created = 0;  // Unix seconds, for /v1/models
  std::string parameter_size = "3.2B";
};

class ModelRegistry {
 public:
  // `allowed` empty: any name is accepted and a default model is listed.
  explicit ModelRegistry(const std::vector<std::string>& allowed);

  static std::string normalise(std::string_view name);

  bool accepts(std::string_view name) const;
  bool listed(std::string_view name) const { return lookup(normalise(name)) != nullptr; }
  // A known model, or (when unrestricted) a synthesised entry for any name.
  std::optional<SimModel> find(std::string_view name) const;
  const std::vector<SimModel>& list() const { return models_; }

  void add(std::string_view name, std::string from, std::string system);

 private:
  static SimModel make(std::string_view name);
  const SimModel* lookup(const std::string& normalised) const;

  bool restricted_;
  std::vector<SimModel> models_;
};

}  // namespace yollayah::sim
