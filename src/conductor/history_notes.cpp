#include "conductor/history_notes.hpp"

#include "store/markdown.hpp"
#include "store/text.hpp"

#include <cstdlib>
#include <ctime>

namespace yollayah::conductor {

namespace {

std::string plural(std::uint64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string title_of(const store::ConversationSummary& s) {
  if (!s.title.empty()) return s.title;
  return s.first_line.empty() ? std::string("(untitled)") : s.first_line;
}

std::uint64_t count_messages(const store::Conversation& c) {
  return c.summary.message_count ? c.summary.message_count : c.messages.size();
}

}  // namespace

std::string history_off_note(std::string_view command) {
  return "History is off, so /" + std::string(command) +
         " has nothing to work with: nothing of this conversation is kept on disk. It was turned off by "
         "--no-history, YOLLAYAH_NO_HISTORY=1 or history = false in the config; start without them to keep "
         "conversations.";
}

std::string history_list_note(const std::vector<store::ConversationSummary>& list,
                              const std::optional<store::ConversationId>& current) {
  if (list.empty()) return "No conversations saved yet. They are kept from the first message on.";
  std::string out = "Recent conversations (/open N switches to one, /search TEXT looks inside them):\n";
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto& s = list[i];
    const std::string title = title_of(s);
    out += "\n" + std::to_string(i + 1) + ". " + title + " · " + store::local_time(s.updated_ms);
    if (!s.model.empty()) out += " · " + s.model;
    out += " · " + plural(s.message_count, "message", "messages");
    if (current && *current == s.id) out += " · open now";
    if (!s.first_line.empty() && s.first_line != title) out += "\n   " + s.first_line;
  }
  return out;
}

std::string search_note(std::string_view text, const std::vector<store::SearchHit>& hits) {
  if (hits.empty()) return "No message matches \"" + std::string(text) + "\".";
  std::string out = plural(hits.size(), "match", "matches") + " for \"" + std::string(text) + "\":\n";
  for (std::size_t i = 0; i < hits.size(); ++i) {
    const auto& h = hits[i];
    out += "\n" + std::to_string(i + 1) + ". " + (h.title.empty() ? std::string("(untitled)") : h.title) + " · " +
           store::local_time(h.created_ms) + " · " + std::string(store::role_name(h.role)) + "\n   " +
           store::marked_snippet(h, "«", "»") + "\n   /open " + h.conversation;
  }
  return out;
}

std::string opened_note(const store::Conversation& c) {
  std::string out = "Opened \"" + title_of(c.summary) + "\" (" + plural(count_messages(c), "message", "messages") +
                    ", started " + store::local_time(c.summary.created_ms);
  if (!c.summary.model.empty()) out += " with " + c.summary.model;
  out += "). What you say now continues it.";
  return out;
}

std::string delete_question(const store::Conversation& c, std::string_view typed, bool in_use) {
  std::string out = "Delete \"" + title_of(c.summary) + "\" (" + plural(count_messages(c), "message", "messages") +
                    ", last used " + store::local_time(c.summary.updated_ms) + ")? It cannot be undone.";
  if (in_use) out += " It is the conversation you are in: deleting it starts a new one.";
  out += " Type /delete " + std::string(typed) + " confirm to delete it.";
  return out;
}

std::string default_export_path(const std::string& dir, std::string_view title, std::uint64_t now_ms) {
  std::string name;
  for (const char ch : title) {
    const auto c = static_cast<unsigned char>(ch);
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
    if (keep) name.push_back(ch);
    else if (!name.empty() && name.back() != '-') name.push_back('-');
    if (name.size() >= 40) break;
  }
  name = std::string(store::utf8_prefix(name, 40));
  while (!name.empty() && name.back() == '-') name.pop_back();
  if (name.empty()) name = "conversation";
  const std::time_t t = static_cast<std::time_t>(now_ms / 1000);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  return dir + "/" + name + "-" + stamp + ".md";
}

std::string export_path(std::string_view typed, const std::string& cwd) {
  if (typed.starts_with("~/")) {
    const char* home = std::getenv("HOME");
    if (home && *home) return std::string(home) + std::string(typed.substr(1));
  }
  if (typed.starts_with("/")) return std::string(typed);
  return cwd + "/" + std::string(typed);
}

}  // namespace yollayah::conductor
