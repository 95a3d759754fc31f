#include "store/markdown.hpp"

#include <cstdio>
#include <ctime>

namespace yollayah::store {

namespace {

std::string seconds(std::uint64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  return buf;
}

std::string heading(Role role) {
  switch (role) {
    case Role::User: return "You";
    case Role::Assistant: return "Yollayah";
    case Role::System: return "Note";
  }
  return "Note";
}

}  // namespace

std::string local_time(std::uint64_t unix_ms) {
  const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

std::string meta_line(const StoredMessage& m) {
  std::string out = m.meta.model;
  auto add = [&out](const std::string& part) { out += (out.empty() ? "" : " · ") + part; };
  if (!m.meta.backend.empty()) out += (out.empty() ? "" : " on ") + m.meta.backend;
  if (m.meta.first_token_ms) add(seconds(*m.meta.first_token_ms) + " to first token");
  if (m.meta.tokens_per_s && *m.meta.tokens_per_s > 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f tok/s", *m.meta.tokens_per_s);
    add(buf);
  }
  if (m.meta.elapsed_ms > 0) add(seconds(m.meta.elapsed_ms));
  if (m.meta.token_count > 0) add(std::to_string(m.meta.token_count) + " tokens");
  if (m.sibling_count > 1) add("answer " + std::to_string(m.sibling_index) + "/" + std::to_string(m.sibling_count));
  if (m.meta.cancelled) add("stopped");
  else if (m.meta.interrupted) add("interrupted");
  else if (m.streaming) add("still being written");
  return out;
}

std::string to_markdown(const Conversation& c) {
  const auto& s = c.summary;
  std::string out = "# " + (s.title.empty() ? std::string("Untitled conversation") : s.title) + "\n\n";
  out += "Started " + local_time(s.created_ms);
  if (!s.model.empty()) out += " · " + s.model;
  if (!s.surface.empty()) out += " · from " + s.surface;
  out += " · conversation " + s.id + "\n";
  for (const auto& m : c.messages) {
    out += "\n### " + heading(m.role) + " · " + local_time(m.created_ms);
    if (m.role == Role::User && m.sibling_count > 1)
      out += " · version " + std::to_string(m.sibling_index) + "/" + std::to_string(m.sibling_count);
    out += "\n\n";
    if (m.content_type.kind == ContentType::Kind::Code) {
      out += "```" + m.content_type.language + "\n" + m.content + "\n```\n";
    } else {
      out += m.content;
      if (m.content.empty() || m.content.back() != '\n') out += "\n";
    }
    if (m.role == Role::Assistant) {
      const std::string meta = meta_line(m);
      if (!meta.empty()) out += "\n*" + meta + "*\n";
    }
  }
  return out;
}

}  // namespace yollayah::store
