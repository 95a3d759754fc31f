// The history commands (issue 11): /history, /open, /search, /title, /export, /delete, /new,
// /retry and /branch. Every question goes to the store's thread and is co_awaited on the session
// strand; the answers are system notes (Markdown) to every surface, or data (HistoryList,
// SearchResults) to the version-2 surface that asked.
#include "conductor/history_notes.hpp"
#include "conductor/history_service.hpp"
#include "conductor/ids.hpp"
#include "conductor/session.hpp"
#include "conductor/store_journal.hpp"
#include "core/paths.hpp"
#include "store/history_cli.hpp"
#include "store/text.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <algorithm>
#include <filesystem>

namespace yollayah::conductor {

using protocol::NotifyLevel;

namespace {

constexpr std::size_t kListed = 20;       // conversations /history shows as a note
constexpr std::size_t kPicked = 200;      // and in a picker, which scrolls
constexpr std::size_t kSearchHits = 10;   // matches /search shows as a note
constexpr std::size_t kSearchPicked = 50; // and in a picker

std::string joined(const std::vector<std::string>& words, std::size_t from = 0) {
  std::string out;
  for (std::size_t i = from; i < words.size(); ++i) out += (out.empty() ? "" : " ") + words[i];
  return out;
}

// "3": a number from the list, not the start of an id (ids need 4+ characters).
std::optional<std::size_t> list_number(std::string_view typed) {
  if (typed.empty() || typed.size() > 3) return std::nullopt;
  std::size_t n = 0;
  for (const char c : typed) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  return n;
}

}  // namespace

bool Session::history_command(SurfaceId from, const protocol::ev::UserCommand& c) {
  const std::string& name = c.command;
  if (name == "new") {
    new_conversation(from, false);
    return true;
  }
  if (name == "retry") {
    retry_command(from);
    return true;
  }
  const bool ours = name == "history" || name == "open" || name == "search" || name == "title" || name == "export" ||
                    name == "delete" || name == "branch";
  if (!ours) return false;
  if (!archive_) {
    system_note(history_off_note(name));
    return true;
  }
  if (name == "history") {
    asio::co_spawn(strand_, list_history_command(from), asio::detached);
  } else if (name == "title") {
    title_command(from, joined(c.args));
  } else if (name == "search") {
    if (c.args.empty()) notify(from, NotifyLevel::Info, {}, "Usage: /search WORDS (salt* finds salty, salts…)");
    else asio::co_spawn(strand_, search_command(from, joined(c.args)), asio::detached);
  } else if (name == "branch") {
    const bool next = !c.args.empty() && (c.args[0] == "next" || c.args[0] == ">");
    std::optional<protocol::MessageId> at;  // /branch prev ID: that message's versions
    if (c.args.size() > 1) at = c.args[1];
    asio::co_spawn(strand_, branch_command(from, next, std::move(at)), asio::detached);
  } else if (name == "export") {
    asio::co_spawn(strand_, export_command(from, joined(c.args)), asio::detached);
  } else if (c.args.empty()) {
    notify(from, NotifyLevel::Info, {},
           "Usage: /" + name + " N (a number from /history) or /" + name + " ID (4+ characters of a conversation id)");
  } else if (name == "open") {
    // /open ID MESSAGE (a search picker's jump): on the branch that holds that message.
    std::optional<std::string> at;
    if (c.args.size() > 1) at = c.args[1];
    asio::co_spawn(strand_, open_command(from, c.args[0], std::move(at)), asio::detached);
  } else {
    const bool confirmed = c.args.size() > 1 && (c.args[1] == "confirm" || c.args[1] == "yes");
    // "asked": the surface asked the user itself (the picker's y/n) about this conversation.
    const bool asked = c.args.size() > 1 && c.args[1] == "asked";
    asio::co_spawn(strand_, delete_command(from, c.args[0], confirmed || asked, asked), asio::detached);
  }
  return true;
}

bool Session::busy_for(SurfaceId from, std::string_view command) {
  if (scheduler_.idle()) return false;
  notify(from, NotifyLevel::Warning, "Not now",
         "/" + std::string(command) + " waits until the answer is finished: stop it with Esc (or Ctrl+C) first.");
  return true;
}

void Session::show_conversation(std::vector<HistoryMessage> messages, std::optional<protocol::MessageId> focus) {
  history_.clear();
  for (auto& m : messages) history_.append(std::move(m));
  delete_asked_.clear();
  // A snapshot with the new history makes every surface, of either version, show it.
  if (!focus) {
    broadcast_snapshot();
    return;
  }
  auto full = state_snapshot(protocol::kProtocolV2);
  const auto& all = history_.messages();
  const auto it = std::find_if(all.begin(), all.end(), [&](const HistoryMessage& m) { return m.id == *focus; });
  if (it != all.end()) {
    const auto from_focus = static_cast<std::size_t>(all.end() - it);
    if (from_focus > full.conversation_history.size()) full.conversation_history = history_.snapshot(from_focus);
    full.focus = *focus;
  }
  broadcast_versions(std::move(full), state_snapshot(protocol::kProtocolV1));
}

void Session::new_conversation(SurfaceId from, bool cleared) {
  if (!cleared && busy_for(from, "new")) return;
  if (archive_) archive_->start_new();
  show_conversation({});
  if (cleared) notify(0, NotifyLevel::Success, {}, "Conversation cleared");
  else notify(0, NotifyLevel::Success, {}, archive_ ? "New conversation. The last one is kept: /history lists it." : "New conversation.");
}

void Session::title_command(SurfaceId from, std::string title) {
  if (title.empty()) {
    notify(from, NotifyLevel::Info, {}, "Usage: /title TEXT names this conversation in /history.");
    return;
  }
  archive_->set_title(title);
  system_note("Title set: \"" + title + "\"" + (archive_->conversation() ? "" : " (kept from your first message on)"));
}

// The last answer again, as a new branch beside the old one: the context is the same up to the
// user's message, and the old answer stays in the store.
void Session::retry_command(SurfaceId from) {
  if (busy_for(from, "retry")) return;
  const auto& all = history_.messages();
  std::optional<std::size_t> answer;
  for (std::size_t i = all.size(); i-- > 0;) {
    if (all[i].role == protocol::MessageRole::System) continue;
    if (all[i].role == protocol::MessageRole::Assistant && i > 0) answer = i;
    break;
  }
  bool after_user = false;
  if (answer)
    for (std::size_t i = *answer; i-- > 0;) {
      if (all[i].role == protocol::MessageRole::System) continue;
      after_user = all[i].role == protocol::MessageRole::User;
      break;
    }
  if (!answer || !after_user) {
    notify(from, NotifyLevel::Info, {}, "/retry asks again for the last answer; there is none to retry yet.");
    return;
  }
  if (archive_ && !archive_->retry_last_answer()) {
    notify(from, NotifyLevel::Warning, "Cannot retry", "The last answer is not one to your message (an agent's summary?).");
    return;
  }
  // The new answer is the newest version of it: "3/3" after two.
  const std::uint32_t versions = (all[*answer].branch ? all[*answer].branch->count : 1) + 1;
  std::vector<HistoryMessage> kept(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(*answer));
  for (std::size_t i = *answer + 1; i < all.size(); ++i) kept.push_back(all[i]);  // notes after it
  show_conversation(std::move(kept));
  auto turn = make_turn(TurnKind::Chat, next_message_id());
  if (archive_) retry_branch_.emplace(turn->id(), protocol::BranchPosition{versions, versions});
  enqueue_turn(std::move(turn));
}

asio::awaitable<void> Session::list_history_command(SurfaceId from) {
  auto self = shared_from_this();  // alive across the store's reply
  const SurfaceEntry* surface = surfaces_.find(from);
  const bool picker = surface && surface->protocol_version >= protocol::kProtocolV2;
  auto list = co_await archive_->store().list_conversations(picker ? kPicked : kListed);
  if (!list) {
    notify(0, NotifyLevel::Error, "History not available", list.error().message);
    co_return;
  }
  listed_.clear();
  for (const auto& s : *list) listed_.push_back(s.id);
  if (!picker) {
    system_note(history_list_note(*list, archive_->conversation()));
    co_return;
  }
  protocol::msg::HistoryList out;
  out.entries.reserve(list->size());
  for (const auto& s : *list)
    out.entries.push_back({s.id, s.title, s.created_ms, s.updated_ms, s.model, s.message_count, s.first_line,
                           archive_->conversation() == s.id});
  surfaces_.send_to(from, std::move(out));
}

asio::awaitable<std::optional<std::string>> Session::resolve_conversation(SurfaceId from, std::string typed) {
  if (const auto n = list_number(typed)) {
    if (listed_.empty()) {
      auto list = co_await archive_->store().list_conversations(kListed);
      if (list)
        for (const auto& s : *list) listed_.push_back(s.id);
    }
    if (*n >= 1 && *n <= listed_.size() && !listed_[*n - 1].empty()) co_return listed_[*n - 1];
    notify(from, NotifyLevel::Warning, "No such conversation",
           "There is no number " + typed + " in the list; /history shows it (" + std::to_string(listed_.size()) +
               " conversations).");
    co_return std::nullopt;
  }
  auto id = co_await store::resolve_conversation(archive_->store(), typed);
  if (!id) {
    notify(from, NotifyLevel::Warning, "No such conversation", id.error().message);
    co_return std::nullopt;
  }
  co_return std::move(*id);
}

asio::awaitable<void> Session::open_command(SurfaceId from, std::string typed, std::optional<std::string> at) {
  auto self = shared_from_this();
  if (busy_for(from, "open")) co_return;
  auto id = co_await resolve_conversation(from, typed);
  if (!id) co_return;
  // A jump to a message may stay in this conversation: it may be on another of its branches.
  if (!at && archive_->conversation() == id) {
    notify(from, NotifyLevel::Info, {}, "That is the conversation you are in.");
    co_return;
  }
  // Up to `at`, then on through the newest reply at each step: the branch that holds it.
  auto conversation = co_await archive_->store().load_conversation(*id, at);
  if (!conversation) {
    notify(from, NotifyLevel::Warning, "Cannot open it", conversation.error().message);
    co_return;
  }
  if (busy_for(from, "open")) co_return;  // an answer started while the store was reading
  archive_->switch_to(*conversation);
  show_conversation(restored_history(*conversation), at);
  system_note(opened_note(*conversation));
}

asio::awaitable<void> Session::search_command(SurfaceId from, std::string text) {
  auto self = shared_from_this();
  const SurfaceEntry* surface = surfaces_.find(from);
  const bool picker = surface && surface->protocol_version >= protocol::kProtocolV2;
  auto hits = co_await archive_->store().search(text, picker ? kSearchPicked : kSearchHits);
  if (!hits) {
    notify(from, NotifyLevel::Warning, "Search failed", hits.error().message);
    co_return;
  }
  if (!picker) {
    system_note(search_note(text, *hits));
    co_return;
  }
  protocol::msg::SearchResults out;
  out.query = std::move(text);
  out.entries.reserve(hits->size());
  for (const auto& h : *hits)
    out.entries.push_back({h.conversation, h.message, h.title, h.role, h.created_ms, store::marked_snippet(h, "«", "»")});
  surfaces_.send_to(from, std::move(out));
}

asio::awaitable<void> Session::export_command(SurfaceId from, std::string file) {
  auto self = shared_from_this();
  const auto id = archive_->conversation();
  if (!id) {
    notify(from, NotifyLevel::Info, {}, "Nothing to export yet: this conversation has no message.");
    co_return;
  }
  std::string path;
  if (file.empty()) {
    auto conversation = co_await archive_->store().load_conversation(*id);
    const std::string title = conversation ? conversation->summary.title : std::string();
    path = default_export_path(core::data_dir() + "/exports", title, unix_millis());
  } else {
    std::error_code ec;
    const auto cwd = std::filesystem::current_path(ec);  // no disk access: the process's own state
    path = export_path(file, ec ? std::string("/tmp") : cwd.string());
  }
  // The branch shown (after /branch, not the newest one), as the TUI and the model see it.
  auto written = co_await archive_->store().export_to_file(*id, path, archive_->tip());
  if (!written) {
    notify(from, NotifyLevel::Warning, "Export failed", written.error().message);
    co_return;
  }
  system_note("Exported this conversation as Markdown to " + path + " (" + std::to_string(written->bytes) + " bytes" +
              (written->replaced ? "; it replaced the file that was there)." : ")."));
}

asio::awaitable<void> Session::delete_command(SurfaceId from, std::string typed, bool confirmed, bool asked) {
  auto self = shared_from_this();
  auto id = co_await resolve_conversation(from, typed);
  if (!id) co_return;
  const bool in_use = archive_->conversation() == id;
  // A surface's own question covers only the whole id it names, never a number or a prefix.
  if (asked && typed == *id) delete_asked_ = *id;
  if (!confirmed || delete_asked_ != *id) {
    auto conversation = co_await archive_->store().load_conversation(*id);
    if (!conversation) {
      notify(from, NotifyLevel::Warning, "No such conversation", conversation.error().message);
      co_return;
    }
    delete_asked_ = *id;
    system_note((confirmed ? "Nothing deleted yet: confirm what you were asked about. " : std::string()) +
                delete_question(*conversation, typed, in_use));
    co_return;
  }
  if (in_use && busy_for(from, "delete")) co_return;
  delete_asked_.clear();
  auto deleted = co_await archive_->store().delete_conversation(*id);
  if (!deleted) {
    notify(from, NotifyLevel::Warning, "Delete failed", deleted.error().message);
    co_return;
  }
  std::replace(listed_.begin(), listed_.end(), *id, std::string());  // the other numbers stay
  if (in_use && archive_->conversation() == id) {
    archive_->start_new();
    show_conversation({});
    system_note("Deleted the conversation you were in; this is a new one.");
  } else {
    system_note(*deleted ? "Deleted it." : "It was already gone.");
  }
}

namespace {

// The index of the last user message in `messages`, if any.
template <class Messages>
std::optional<std::size_t> last_user(const Messages& messages) {
  for (std::size_t i = messages.size(); i-- > 0;)
    if (messages[i].role == protocol::MessageRole::User) return i;
  return std::nullopt;
}

}  // namespace

std::optional<std::string> Session::edit_refusal(const protocol::MessageId& id) const {
  if (!scheduler_.idle()) return "An edited message waits until the answer is finished: stop it with Esc (or Ctrl+C) first.";
  const auto& all = history_.messages();
  const auto last = last_user(all);
  if (!last || all[*last].id != id) return "Only your last message can be edited (↑ on an empty box).";
  return std::nullopt;
}

asio::awaitable<void> Session::edit_message(SurfaceId from, std::string content, protocol::MessageId answer_id) {
  auto self = shared_from_this();
  std::optional<protocol::BranchPosition> branch;
  std::optional<store::Conversation> before;  // the stored branch up to the edited question
  if (archive_ && archive_->conversation() && archive_->tip()) {
    auto shown = co_await archive_->store().load_conversation(*archive_->conversation(), *archive_->tip());
    if (!shown) {
      notify(from, NotifyLevel::Warning, "Message not sent", "The edit needs the history: " + shown.error().message);
      co_return;
    }
    if (const auto q = last_user(shown->messages)) {
      const std::uint32_t versions = shown->messages[*q].sibling_count + 1;
      branch = protocol::BranchPosition{versions, versions};
      shown->messages.resize(*q);
      before = std::move(*shown);
    }
  }
  const auto& all = history_.messages();
  const auto last = last_user(all);
  if (!scheduler_.idle() || !last) {  // something started while the store was reading
    notify(from, NotifyLevel::Warning, "Message not sent", "An answer started meanwhile; send it again once it is finished.");
    co_return;
  }
  // The next message's parent is the edited question's: the store makes it a sibling of it.
  if (before) archive_->switch_to(*before);
  std::vector<HistoryMessage> kept(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(*last));
  auto& user = kept.emplace_back(user_message(std::move(content)));
  user.branch = branch;
  show_conversation(std::move(kept));
  journal_->user_message(history_.messages().back(), answer_id);
  enqueue_turn(make_turn(TurnKind::Chat, answer_id));
}

namespace {

// The stored message that the shown message `id` is; nullptr when it is not on the branch shown.
// Messages read from the store carry its ids; those said since carry the session's (msg_<n>) and
// are found by their place: walking back, the shown messages and the stored branch pair up, apart
// from what the store does not keep (the greeting, system notes, an agent's answer, an answer that
// failed before its first word) and the oldest ones the session pruned.
const store::StoredMessage* stored_as(const std::deque<HistoryMessage>& shown,
                                      const std::vector<store::StoredMessage>& stored, const protocol::MessageId& id) {
  for (const auto& m : stored)
    if (m.id == id) return &m;
  auto s = stored.rbegin();
  for (auto h = shown.rbegin(); h != shown.rend(); ++h) {
    if (h->role == protocol::MessageRole::System || h->content.empty()) continue;
    while (s != stored.rend() && s->content.empty()) ++s;
    if (s == stored.rend()) break;
    if (s->role != h->role || s->content != h->content) continue;  // not kept in the store
    if (h->id == id) return &*s;
    ++s;
  }
  return nullptr;
}

// The newest message of the branch that has other versions (an answer comes before its question).
const store::StoredMessage* newest_with_versions(const std::vector<store::StoredMessage>& stored) {
  for (auto it = stored.rbegin(); it != stored.rend(); ++it)
    if (it->sibling_count > 1) return &*it;
  return nullptr;
}

// The user message `answer` replies to, when it is the one before it on the branch.
const store::StoredMessage* question_of(const std::vector<store::StoredMessage>& stored,
                                        const store::StoredMessage& answer) {
  if (answer.role != protocol::MessageRole::Assistant || &answer == stored.data()) return nullptr;
  const store::StoredMessage& before = *(&answer - 1);
  return before.role == protocol::MessageRole::User && answer.parent == before.id ? &before : nullptr;
}

std::string position(const store::StoredMessage& m) {
  return std::to_string(m.sibling_index) + "/" + std::to_string(m.sibling_count);
}

}  // namespace

// The versions of `at` (an answer, or an edited question), or else of the newest message of the
// branch that has several. An answer's own versions first; past its first or last one, those of
// its question.
asio::awaitable<void> Session::branch_command(SurfaceId from, bool next, std::optional<protocol::MessageId> at) {
  auto self = shared_from_this();
  if (busy_for(from, "branch")) co_return;
  const auto id = archive_->conversation();
  const auto tip = archive_->tip();
  if (!id || !tip) {
    notify(from, NotifyLevel::Info, {}, "No answer here yet: /retry makes a second version of one.");
    co_return;
  }
  auto shown = co_await archive_->store().load_conversation(*id, *tip);
  if (!shown) {
    notify(from, NotifyLevel::Warning, "Cannot switch answers", shown.error().message);
    co_return;
  }
  const store::StoredMessage* chosen = nullptr;
  if (at) {
    chosen = stored_as(history_.messages(), shown->messages, *at);
    if (!chosen) {
      const std::string what = history_.find(*at) ? "Message " + *at + " has no versions kept (it is not stored)"
                                                  : "There is no message " + *at + " in this conversation";
      notify(from, NotifyLevel::Info, {}, what + ": /branch prev|next alone switches the newest one that has some.");
      co_return;
    }
  } else {
    chosen = newest_with_versions(shown->messages);
    if (!chosen) {
      notify(from, NotifyLevel::Info, {},
             "No message here has another version: /retry makes one of the last answer, ↑ on an empty box edits your "
             "last message.");
      co_return;
    }
  }
  const store::StoredMessage* question = question_of(shown->messages, *chosen);
  auto sibling = [next](const store::StoredMessage* m) {
    return !m ? std::string() : next ? m->next_sibling : m->prev_sibling;
  };
  std::string target = sibling(chosen);
  if (target.empty()) target = sibling(question);
  if (target.empty() && chosen->sibling_count == 1 && (!question || question->sibling_count == 1)) {
    notify(from, NotifyLevel::Info, {},
           "That message has only one version: /retry makes another of the last answer, ↑ on an empty box edits "
           "your last message.");
    co_return;
  }
  if (target.empty()) {
    const bool asked = chosen->role == protocol::MessageRole::User;
    notify(from, NotifyLevel::Info, {},
           std::string(asked ? "This is question " : "This is answer ") + position(*chosen) +
               (next ? ": there is no later version." : ": there is no earlier version."));
    co_return;
  }
  auto other = co_await archive_->store().load_conversation(*id, target);
  if (!other) {
    notify(from, NotifyLevel::Warning, "Cannot switch answers", other.error().message);
    co_return;
  }
  if (busy_for(from, "branch")) co_return;
  std::string where;
  bool of_question = false;
  for (const auto& m : other->messages)
    if (m.id == target) {
      where = position(m);
      of_question = m.role == protocol::MessageRole::User;
    }
  archive_->switch_to(*other);
  // Named as the focus: a surface keeps the switched message on screen, even far up.
  show_conversation(restored_history(*other), target);
  system_note((of_question ? "Question " : "Answer ") + where +
              " (Alt+←/→ switch the versions of the newest message on screen that has some, /branch prev|next [ID] "
              "those of any; what you say next follows this one).");
}

}  // namespace yollayah::conductor
