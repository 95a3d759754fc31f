#include "conductor/agents.hpp"

#include "conductor/agent_personas.hpp"
#include "conductor/text_checks.hpp"

#include <algorithm>

namespace yollayah::conductor {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

char ascii_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

}  // namespace

Agents::Agents() : agents_(builtin_agents()) {}

std::shared_ptr<const Agents> Agents::builtin() {
  static const auto instance = std::make_shared<const Agents>();
  return instance;
}

std::shared_ptr<const Agents> Agents::with_additional(std::string_view comma_separated) {
  auto agents = std::make_shared<Agents>();
  agents->add_from_list(comma_separated);
  return agents;
}

std::vector<std::string> Agents::add_from_list(std::string_view list) {
  std::vector<std::string> skipped;
  while (!list.empty()) {
    const auto comma = list.find(',');
    const auto entry = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (entry.empty()) continue;
    std::string id(entry);
    std::transform(id.begin(), id.end(), id.begin(), ascii_lower);
    if (!valid_id(id)) {
      skipped.emplace_back(entry);
      continue;
    }
    if (!contains(id)) {
      AgentInfo agent;
      agent.id = id;
      add(std::move(agent));
    }
  }
  return skipped;
}

bool Agents::add(AgentInfo agent) {
  if (!valid_id(agent.id)) return false;
  if (agent.display_name.empty()) agent.display_name = title_case_id(agent.id);
  if (agent.persona.empty()) agent.persona = generic_persona(agent.display_name, agent.id);
  for (auto& existing : agents_) {
    if (existing.id == agent.id) {
      existing = std::move(agent);
      return true;
    }
  }
  agents_.push_back(std::move(agent));
  return true;
}

bool Agents::contains(std::string_view id) const { return find(id) != nullptr; }

std::uint32_t Agents::max_tokens(std::string_view id) const {
  const auto* agent = find(id);
  return agent && agent->max_tokens > 0 ? agent->max_tokens : kDefaultMaxTokens;
}

std::string Agents::display_name(std::string_view id) const {
  if (const auto* agent = find(id)) return agent->display_name;
  return title_case_id(id);
}

bool Agents::valid_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength) return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'; });
}

const AgentInfo* Agents::find(std::string_view id) const {
  const auto it = std::find_if(agents_.begin(), agents_.end(), [&](const AgentInfo& a) { return a.id == id; });
  return it == agents_.end() ? nullptr : &*it;
}

std::string generic_persona(std::string_view display_name, std::string_view id) {
  return "You are " + std::string(display_name) + ", a specialist in " + title_case_id(id) +
         " work, one of Yollayah's family of helpers. Answer the task you are given directly and concisely, in "
         "Markdown, as an expert in that field would. Say plainly what you do not know; never invent facts. "
         "Yollayah will read your answer and sum it up for the user.";
}

std::string title_case_id(std::string_view id) {
  std::string out;
  out.reserve(id.size());
  bool word_start = true;
  for (const char c : id) {
    if (c == '-' || c == '_') {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
      word_start = true;
      continue;
    }
    out.push_back(word_start ? ascii_upper(c) : c);
    word_start = false;
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace yollayah::conductor
