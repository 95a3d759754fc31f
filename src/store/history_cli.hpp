// `yollayah history list|show|search|export|delete`: the stored conversations from the command
// line, as text for people and as JSON (--json) for scripts. main() parses the flags into a
// HistoryCommand; everything else is here.
#pragma once

#include "store/history_store.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace yollayah::store {

struct HistoryCommand {
  enum class Verb : std::uint8_t { List, Show, Search, Export, Delete };
  Verb verb = Verb::List;
  std::string id;    // show, export, delete: an id, a unique prefix of one (4+ characters), or "last"
  std::vector<std::string> words;  // search: what to look for (joined with spaces)
  std::string file;  // export: where to write (empty: stdout)
  bool json = false;
  bool color = false;  // highlight search matches with terminal attributes (run_history_cli decides)
  std::size_t limit = 20;
  std::size_t offset = 0;
  std::string db_path;  // empty: HistoryStore::default_path()
  bool history_off = false;  // private mode: read an existing file, never create one
};

struct HistoryOutput {
  int exit_code = 0;  // 0 done, 1 the history could not be read or written, 2 bad input (no such id, …)
  std::string out;    // for stdout, or for `file`
  std::string err;    // for stderr
  std::string file;   // export: write `out` here instead of stdout
};

// A conversation id as typed: a whole id, "last", or a prefix (4+ characters) that names one.
boost::asio::awaitable<Result<ConversationId>> resolve_conversation(HistoryStore& store, std::string typed);

// Runs the command against `store` on the caller's loop; all the work happens on the store's thread.
boost::asio::awaitable<HistoryOutput> run_history(HistoryStore& store, HistoryCommand command);

// Opens the store, runs the command on a loop of its own, then prints the output (or writes the
// export file) and returns the exit code.
int run_history_cli(HistoryCommand command);

}  // namespace yollayah::store
