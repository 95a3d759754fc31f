#include "store/history_cli.hpp"

#include "core/log.hpp"
#include "core/terminal_text.hpp"
#include "protocol/utf8.hpp"
#include "store/ids.hpp"
#include "store/markdown.hpp"
#include "store/text.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace yollayah::store {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// ---- Output, built in plain functions (g++ 12 mishandles large temporaries in coroutine frames).

// One JSON document and a line break. Boost.JSON copies a string's bytes as they are: text that is
// not UTF-8 (left by another program) would make the whole document unreadable to a parser.
// Valid UTF-8 whatever an older version or another program left in the file: scripts must be able
// to parse it.
std::string json_line(const json::value& v) { return protocol::replace_invalid_utf8(json::serialize(v)).text + "\n"; }

json::value to_json(const ConversationSummary& s) {
  return json::object{{"id", s.id},           {"title", s.title},       {"created_ms", s.created_ms},
                      {"updated_ms", s.updated_ms}, {"model", s.model}, {"surface", s.surface},
                      {"message_count", s.message_count}, {"first_line", s.first_line}};
}

template <class T>
json::value or_null(const std::optional<T>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::value to_json(const StoredMessage& m) {
  json::object o{{"id", m.id},
                 {"parent", m.parent ? json::value(*m.parent) : json::value(nullptr)},
                 {"role", role_name(m.role)},
                 {"content", m.content},
                 {"content_type", content_type_name(m.content_type)},
                 {"created_ms", m.created_ms},
                 {"streaming", m.streaming},
                 {"branch", json::object{{"index", m.sibling_index},
                                         {"count", m.sibling_count},
                                         {"prev", m.prev_sibling.empty() ? json::value(nullptr) : json::value(m.prev_sibling)},
                                         {"next", m.next_sibling.empty() ? json::value(nullptr) : json::value(m.next_sibling)}}}};
  if (m.role == Role::Assistant) {
    o["model"] = m.meta.model;
    o["backend"] = m.meta.backend.empty() ? json::value(nullptr) : json::value(m.meta.backend);
    o["first_token_ms"] = or_null(m.meta.first_token_ms);
    o["load_ms"] = or_null(m.meta.load_ms);
    o["elapsed_ms"] = m.meta.elapsed_ms;
    o["token_count"] = m.meta.token_count;
    o["tokens_per_s"] = or_null(m.meta.tokens_per_s);
    o["interrupted"] = m.meta.interrupted;
    o["cancelled"] = m.meta.cancelled;
  }
  return o;
}

std::string list_json(const std::vector<ConversationSummary>& list) {
  json::array a;
  for (const auto& s : list) a.push_back(to_json(s));
  return json_line(a);
}

std::string list_text(const std::vector<ConversationSummary>& list) {
  if (list.empty()) return "No conversations yet.\n";
  std::string out;
  for (const auto& s : list) {
    char count[16];
    std::snprintf(count, sizeof count, "%5llu", static_cast<unsigned long long>(s.message_count));
    out += s.id + "  " + local_time(s.updated_ms) + "  " + count + "  " + (s.title.empty() ? s.first_line : s.title);
    // Where it began ("from api:openai"): the terminal and the API share one history.
    if (!s.model.empty() || !s.surface.empty()) {
      out += "  (" + s.model;
      if (!s.surface.empty()) out += (s.model.empty() ? "from " : " · from ") + s.surface;
      out += ")";
    }
    out += "\n";
  }
  return out;
}

std::string conversation_json(const Conversation& c) {
  json::object o = to_json(c.summary).as_object();
  o["system_prompt"] = c.system_prompt;
  json::array messages;
  for (const auto& m : c.messages) messages.push_back(to_json(m));
  o["messages"] = std::move(messages);
  return json_line(o);
}

std::string hits_json(const std::vector<SearchHit>& hits) {
  json::array a;
  for (const auto& h : hits) {
    json::array marks;
    for (const auto& [begin, end] : h.highlights) marks.push_back(json::array{begin, end});
    a.push_back(json::object{{"conversation", h.conversation}, {"title", h.title},     {"message", h.message},
                             {"role", role_name(h.role)},     {"created_ms", h.created_ms},
                             {"snippet", h.snippet},           {"highlights", std::move(marks)}});
  }
  return json_line(a);
}

std::string hits_text(const std::vector<SearchHit>& hits, const std::string& text, bool color) {
  if (hits.empty()) return "No message matches '" + text + "'.\n";
  const std::string open = color ? "\x1b[1;4m" : "**";
  const std::string close = color ? "\x1b[22;24m" : "**";
  std::string out;
  for (const auto& h : hits) {
    out += h.conversation + "  " + local_time(h.created_ms) + "  " + (color ? core::terminal_safe(h.title) : h.title) +
           "\n    ";
    out += marked_snippet(h, open, close) + "\n";
  }
  return out;
}

HistoryOutput failed(const StoreError& e) {
  HistoryOutput out;
  out.exit_code = e.kind == StoreError::Kind::NotFound || e.kind == StoreError::Kind::Invalid ? 2 : 1;
  out.err = "yollayah: " + e.message + "\n";
  return out;
}

HistoryOutput text_output(std::string text) {
  HistoryOutput out;
  out.out = std::move(text);
  return out;
}

std::string ambiguous(const std::string& typed, const std::vector<ConversationId>& ids) {
  std::string out = "history: '" + typed + "' matches several conversations:";
  for (const auto& id : ids) out += " " + id;
  return out + "; type more of the id";
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

}  // namespace

// An id as typed: a whole id, "last", or a prefix that names one conversation.
asio::awaitable<Result<ConversationId>> resolve_conversation(HistoryStore& store, std::string typed) {
  if (typed == "last") {
    auto last = co_await store.last_conversation();
    if (!last) co_return last.error();
    if (!*last) co_return StoreError{StoreError::Kind::NotFound, "history: there is no conversation yet"};
    co_return (*last)->id;
  }
  if (looks_like_id(typed)) co_return typed;
  if (typed.size() < 4)
    co_return StoreError{StoreError::Kind::Invalid,
                         "history: '" + typed + "' is too short; give at least 4 characters of the id, or 'last'"};
  auto found = co_await store.find_conversations(typed, 5);
  if (!found) co_return found.error();
  if (found->empty()) co_return StoreError{StoreError::Kind::NotFound, "history: no conversation " + typed};
  if (found->size() > 1) co_return StoreError{StoreError::Kind::Invalid, ambiguous(typed, *found)};
  co_return found->front();
}

asio::awaitable<HistoryOutput> run_history(HistoryStore& store, HistoryCommand command) {
  const OpenReport report = co_await store.opened();
  std::string notices;
  for (const auto& e : report.events) notices += "yollayah: " + e.message + "\n";
  if (!report.available) {
    HistoryOutput out;
    out.exit_code = 1;
    out.err = notices;
    co_return out;
  }

  HistoryOutput out;
  using Verb = HistoryCommand::Verb;
  if (command.verb == Verb::List) {
    auto list = co_await store.list_conversations(command.limit, command.offset);
    if (!list) out = failed(list.error());
    else out = text_output(command.json ? list_json(*list) : list_text(*list));
  } else if (command.verb == Verb::Search) {
    const std::string text = join(command.words);
    auto hits = co_await store.search(text, command.limit);
    if (!hits) out = failed(hits.error());
    else out = text_output(command.json ? hits_json(*hits) : hits_text(*hits, text, command.color));
  } else {
    auto id = co_await resolve_conversation(store, command.id);
    if (!id) {
      out = failed(id.error());
    } else if (command.verb == Verb::Show) {
      auto conversation = co_await store.load_conversation(*id);
      if (!conversation) out = failed(conversation.error());
      else out = text_output(command.json ? conversation_json(*conversation) : to_markdown(*conversation));
    } else if (command.verb == Verb::Export) {
      auto markdown = co_await store.export_markdown(*id);
      if (!markdown) out = failed(markdown.error());
      else out = text_output(std::move(*markdown));
      out.file = command.file;
    } else {
      auto deleted = co_await store.delete_conversation(*id);
      if (!deleted) out = failed(deleted.error());
      else if (!*deleted) out = failed(StoreError{StoreError::Kind::NotFound, "history: no conversation " + *id});
      else if (command.json) out = text_output(json::serialize(json::object{{"deleted", *id}}) + "\n");
      else out = text_output("Deleted conversation " + *id + ".\n");
    }
  }
  out.err = notices + out.err;
  co_return out;
}

int run_history_cli(HistoryCommand command) {
  core::disable_logging();  // the store's notices are printed below, once
  command.color = !command.json && ::isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR");
  HistoryStore::Options options;
  options.path = command.db_path;
  const std::string path = command.db_path.empty() ? HistoryStore::default_path() : command.db_path;
  if (std::error_code ec; command.history_off && !std::filesystem::exists(path, ec)) {
    std::cerr << "yollayah: the history is off (--no-history, YOLLAYAH_NO_HISTORY or history = false in the config) "
                 "and nothing was ever stored: there is no "
              << path << "\n";
    const bool listing = command.verb == HistoryCommand::Verb::List || command.verb == HistoryCommand::Verb::Search;
    if (listing && command.json) std::cout << "[]\n";
    return listing ? 0 : 2;
  }
  const bool command_json = command.json;
  const bool searched = command.verb == HistoryCommand::Verb::Search;  // its own attributes, made safe in hits_text
  HistoryOutput output;
  {
    asio::io_context io(1);
    HistoryStore store(std::move(options));
    asio::co_spawn(io, run_history(store, std::move(command)), [&](std::exception_ptr e, HistoryOutput result) {
      if (e) {
        output.exit_code = 1;
        output.err = "yollayah: internal error in `history`\n";
      } else {
        output = std::move(result);
      }
    });
    io.run();
  }  // the store closes here: what it wrote is on disk before we report success

  std::cerr << output.err;
  if (output.exit_code != 0) return output.exit_code;
  if (!output.file.empty()) {
    std::ofstream file(output.file, std::ios::binary | std::ios::trunc);
    file << output.out;
    file.close();
    if (!file) {
      std::cerr << "yollayah: cannot write " << output.file << "\n";
      return 1;
    }
    return 0;
  }
  // On a terminal, what a model wrote is shown, never obeyed (`show`, `export` to stdout; search
  // snippets are made safe where they are cut).
  if (::isatty(STDOUT_FILENO) && !command_json && !searched) std::cout << core::terminal_safe(output.out) << std::flush;
  else std::cout << output.out << std::flush;
  return 0;
}

}  // namespace yollayah::store
