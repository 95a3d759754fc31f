#include "conductor/agents.hpp"

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

// clang-format off
Agents::Agents()
    : agents_{
          {"ethical-hacker", "Cousin Rita"},
          {"backend-engineer", "Uncle Marco"},
          {"frontend-specialist", "Prima Sofia"},
          {"senior-full-stack-developer", "Tio Miguel"},
          {"solutions-architect", "Tia Carmen"},
          {"ux-ui-designer", "Cousin Lucia"},
          {"qa-engineer", "The Intern"},
          {"privacy-researcher", "Abuelo Pedro"},
          {"devops-engineer", "Primo Carlos"},
          {"relational-database-expert", "Tia Rosa"},
      } {}
// clang-format on

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
    if (!contains(id)) agents_.push_back({id, title_case_id(id)});
  }
  return skipped;
}

bool Agents::contains(std::string_view id) const { return find(id) != nullptr; }

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
