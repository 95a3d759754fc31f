#include "demo_persona.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <optional>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace yollayah::sim {
namespace {

namespace fs = std::filesystem;

// What the Conductor writes into an agent's system prompt (conductor/agent_context.cpp).
constexpr std::string_view kAgentIdMarker = "Your agent id is ";

// Kinds that have an answer file of their own; "another" and "shorter" reuse the previous turn's.
constexpr std::array<std::string_view, 10> kAnswerKinds = {
    "greeting", "thanks", "who", "joke", "table", "plan", "delegate", "report", "report-stopped", "fallback"};
constexpr std::string_view kDefaultLanguage = "python";

bool is_word_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) != 0 || u >= 0x80;  // a UTF-8 letter continues a word too
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trimmed(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (true) {
    const auto at = s.find(sep, pos);
    out.push_back(s.substr(pos, at == std::string_view::npos ? std::string_view::npos : at - pos));
    if (at == std::string_view::npos) return out;
    pos = at + 1;
  }
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("demo: cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A keyword starts a word and, unless it ends in '*', ends one.
bool occurs(std::string_view text, std::string_view word, bool prefix) {
  for (auto at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    const bool starts = at == 0 || !is_word_char(text[at - 1]) || !is_word_char(word.front());
    const auto end = at + word.size();
    const bool ends = prefix || end == text.size() || !is_word_char(text[end]) || !is_word_char(word.back());
    if (starts && ends) return true;
  }
  return false;
}

// Where a multi-byte UTF-8 sequence would be cut, move on to the next character's start.
std::size_t char_boundary(std::string_view s, std::size_t at) {
  while (at < s.size() && (static_cast<unsigned char>(s[at]) & 0xC0) == 0x80) ++at;
  return at;
}

}  // namespace

std::vector<std::string> demo_tokens(std::string_view text) {
  constexpr std::size_t kWholeWord = 8;  // longer words go out in pieces, as models split them
  constexpr std::size_t kPiece = 5;
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t start = i;
    if (text[i] == '\n') {
      while (i < text.size() && text[i] == '\n') ++i;
      out.emplace_back(text.substr(start, i - start));
      continue;
    }
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    const std::size_t word = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\n') ++i;
    if (i - word <= kWholeWord) {
      out.emplace_back(text.substr(start, i - start));
      continue;
    }
    std::size_t from = start;
    std::size_t to = char_boundary(text, word + kPiece);
    while (from < i) {
      to = std::min(to, i);
      out.emplace_back(text.substr(from, to - from));
      from = to;
      to = char_boundary(text, from + kPiece);
    }
  }
  return out;
}

std::string DemoChoice::file() const {
  if (kind == "code") return "code/" + language;
  if (kind == "agent") return "agents/" + agent;
  return kind;
}

// ---- loading ----

void DemoPersona::read_rules(const std::string& path) {
  std::istringstream in(read_file(path));
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    auto text = trimmed(line);
    if (text.empty() || text.front() == '#') continue;
    const auto colon = text.find(':');
    auto where = [&] { return path + ":" + std::to_string(number) + ": "; };
    if (colon == std::string::npos) throw std::runtime_error(where() + "want KIND: keyword, keyword…");
    Rule rule;
    rule.kind = trimmed(std::string_view(text).substr(0, colon));
    if (rule.kind.starts_with("lang ")) {
      rule.language = trimmed(std::string_view(rule.kind).substr(5));
      rule.kind = "lang";
    }
    const bool known = rule.kind == "lang" || rule.kind == "another" || rule.kind == "shorter" ||
                       std::find(kAnswerKinds.begin(), kAnswerKinds.end(), rule.kind) != kAnswerKinds.end() ||
                       rule.kind == "code";
    if (!known || (rule.kind == "lang" && rule.language.empty())) {
      throw std::runtime_error(where() + "unknown kind '" + rule.kind + "'");
    }
    for (auto alt : split(std::string_view(text).substr(colon + 1), ',')) {
      Alternative all;
      for (auto word : split(alt, '&')) {
        auto w = lower(trimmed(word));
        const bool prefix = !w.empty() && w.back() == '*';
        if (prefix) w.pop_back();
        if (w.empty()) throw std::runtime_error(where() + "an empty keyword");
        all.push_back({std::move(w), prefix});
      }
      rule.alternatives.push_back(std::move(all));
    }
    rules_.push_back(std::move(rule));
  }
  if (rules_.empty()) throw std::runtime_error("demo: " + path + " has no rules");
}

void DemoPersona::read_answer(const std::string& dir, const std::string& file) {
  const auto path = fs::path(dir) / (file + ".md");
  if (!fs::exists(path)) throw std::runtime_error("demo: " + path.string() + " is missing");
  Answer answer;
  std::vector<TokenSource>* into = &answer.variants;
  std::string section;
  auto close = [&] {
    auto text = trimmed(section);
    if (text.empty()) throw std::runtime_error("demo: " + path.string() + " has an empty section");
    into->push_back(TokenSource::from_tokens(demo_tokens(text)));
    section.clear();
  };
  std::istringstream in(read_file(path));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line == "--- another" || line == "--- shorter") {
      close();
      into = line == "--- another" ? &answer.variants : &answer.shorter;
      continue;
    }
    section += line;
    section += '\n';
  }
  close();
  if (answer.shorter.size() > 1) throw std::runtime_error("demo: " + path.string() + " has two '--- shorter' parts");
  answers_[file] = std::move(answer);
}

DemoPersona DemoPersona::load(const std::string& dir) {
  if (!fs::is_directory(dir)) throw std::runtime_error("demo: no directory " + dir);
  DemoPersona p;
  p.read_rules((fs::path(dir) / "match.txt").string());
  for (auto kind : kAnswerKinds) p.read_answer(dir, std::string(kind));
  p.read_answer(dir, "code/" + std::string(kDefaultLanguage));
  for (const auto& r : p.rules_) {
    if (r.kind == "lang" && !p.answers_.contains("code/" + r.language)) p.read_answer(dir, "code/" + r.language);
  }
  p.read_answer(dir, "agents/default");
  if (fs::is_directory(fs::path(dir) / "agents")) {
    for (const auto& e : fs::directory_iterator(fs::path(dir) / "agents")) {
      if (e.path().extension() == ".md") p.read_answer(dir, "agents/" + e.path().stem().string());
    }
  }
  return p;
}

std::string DemoPersona::default_dir() {
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto installed = exe.parent_path().parent_path() / "share" / "yollayah" / "demo";
    if (fs::exists(installed / "match.txt", ec)) return installed.string();
  }
  return YOLLAYAH_SIM_DEMO_DIR;
}

// ---- choosing ----

bool DemoPersona::matches(const Rule& rule, std::string_view text) {
  for (const auto& alt : rule.alternatives) {
    bool all = true;
    for (const auto& k : alt) all = all && occurs(text, k.text, k.prefix);
    if (all) return true;
  }
  return false;
}

const DemoPersona::Rule* DemoPersona::first_match(std::string_view text, std::string_view kind) const {
  for (const auto& rule : rules_) {
    if (rule.kind == kind && matches(rule, text)) return &rule;
  }
  return nullptr;
}

std::string DemoPersona::language_of(std::string_view text) const {
  const auto* rule = first_match(text, "lang");
  return rule ? rule->language : std::string();
}

DemoChoice DemoPersona::classify(std::string_view message, const DemoChoice* previous) const {
  const auto text = lower(message);
  const auto language = language_of(text);
  for (const auto& rule : rules_) {
    if (rule.kind == "lang" || !matches(rule, text)) continue;
    const bool follow_up = rule.kind == "another" || rule.kind == "shorter";
    if (follow_up && (!previous || previous->kind == "agent")) continue;  // nothing to follow up on
    DemoChoice c;
    if (follow_up) {
      c = *previous;
      c.shorter = rule.kind == "shorter";
      if (rule.kind == "another") ++c.variant;
    } else {
      c.kind = rule.kind;
    }
    if (c.kind == "code" && !language.empty()) {
      c.language = language;
    } else if (c.kind == "code" && c.language.empty()) {
      const bool same = previous && previous->kind == "code";
      c.language = same ? previous->language : std::string(kDefaultLanguage);
    }
    return c;
  }
  DemoChoice c;
  if (!language.empty()) {  // "and in Rust?": the same program in another language
    if (previous && previous->kind == "code") c = *previous;
    c.kind = "code";
    c.language = language;
    c.shorter = false;
  }
  return c;
}

DemoChoice DemoPersona::choose(std::span<const DemoMessage> messages) const {
  for (const auto& m : messages) {
    if (m.role != "system") continue;
    const auto at = m.text.find(kAgentIdMarker);
    if (at == std::string::npos) continue;
    auto id = m.text.substr(at + kAgentIdMarker.size());
    const auto end = id.find_first_of(" .\n");
    if (end != std::string::npos) id.resize(end);
    DemoChoice c;
    c.kind = "agent";
    c.agent = answers_.contains("agents/" + id) ? id : "default";
    return c;
  }
  std::optional<DemoChoice> previous;
  for (const auto& m : messages) {
    if (m.role != "user") continue;
    previous = classify(m.text, previous ? &*previous : nullptr);
  }
  if (previous) return *previous;
  DemoChoice greeting;
  greeting.kind = "greeting";
  return greeting;
}

const TokenSource& DemoPersona::answer(const DemoChoice& choice) const {
  auto it = answers_.find(choice.file());
  if (it == answers_.end()) it = answers_.find("fallback");
  const auto& a = it->second;
  if (choice.shorter && !a.shorter.empty()) return a.shorter.front();
  return a.variants[choice.variant % a.variants.size()];
}

}  // namespace yollayah::sim
