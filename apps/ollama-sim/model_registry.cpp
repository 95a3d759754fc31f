#include "model_registry.hpp"

#include "json_text.hpp"

#include <functional>

namespace yollayah::sim {

ModelRegistry::ModelRegistry(const std::vector<std::string>& allowed) : restricted_(!allowed.empty()) {
  for (const auto& name : allowed) add(name, {}, {});
  if (!restricted_) models_.push_back(make("llama3.2:3b"));
}

std::string ModelRegistry::normalise(std::string_view name) {
  std::string out(name);
  auto slash = out.rfind('/');
  if (out.find(':', slash == std::string::npos ? 0 : slash) == std::string::npos) out += ":latest";
  return out;
}

bool ModelRegistry::accepts(std::string_view name) const {
  return !restricted_ || lookup(normalise(name)) != nullptr;
}

std::optional<SimModel> ModelRegistry::find(std::string_view name) const {
  auto key = normalise(name);
  if (const auto* m = lookup(key)) return *m;
  if (restricted_) return std::nullopt;
  return make(key);
}

void ModelRegistry::add(std::string_view name, std::string from, std::string system) {
  auto model = make(normalise(name));
  model.from = std::move(from);
  model.system = std::move(system);
  for (auto& m : models_) {
    if (m.name == model.name) {
      m = std::move(model);
      return;
    }
  }
  models_.push_back(std::move(model));
}

SimModel ModelRegistry::make(std::string_view name) {
  SimModel m;
  m.name = std::string(name);
  m.digest = fake_digest(name);
  m.size = 1'000'000'000ull + (std::hash<std::string_view>{}(name) % 3'000'000'000ull);
  auto now = std::chrono::system_clock::now();
  m.modified_at = rfc3339(now);
  m.created = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  return m;
}

const SimModel* ModelRegistry::lookup(const std::string& normalised) const {
  for (const auto& m : models_) {
    if (m.name == normalised) return &m;
  }
  return nullptr;
}

}  // namespace yollayah::sim
