// Between the history store and the sessions (issue 11): the store an app opens, the journal each
// session writes through, the earlier conversation a session continues, and the store's events
// turned into one Notify for the surfaces.
#pragma once

#include "conductor/session.hpp"
#include "store/history_store.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace yollayah::conductor {

class HistoryService {
 public:
  // Opens the database at `path` (empty: HistoryStore::default_path()) on the store's own thread;
  // its events reach sessions' surfaces through `loop`.
  HistoryService(asio::any_io_executor loop, std::string path = {});
  // Closes the store, which waits for the disk: destroy it once the loop has stopped (after the
  // Conductor, before the io_context).
  ~HistoryService();
  HistoryService(const HistoryService&) = delete;
  HistoryService& operator=(const HistoryService&) = delete;

  store::HistoryStore& store() { return *store_; }

  // The most recently updated conversation (only those `surface` began, when given), its newest
  // branch read back whole; nothing when there is none or the history cannot be read.
  asio::awaitable<std::optional<store::Conversation>> last_conversation(std::string surface = {});

  // The conversation `typed` names (an id, 4+ of its first characters, or "last"), newest branch.
  asio::awaitable<store::Result<store::Conversation>> find_conversation(std::string typed);

  // Makes `session` write its turns here (call before its start()), continuing `resume` when given,
  // and sends it the store's events from now on (those that came before any session, too).
  void attach(Session& session, const std::string& surface, const SessionConfig& config,
              const store::Conversation* resume);

 private:
  struct Relay;

  std::shared_ptr<Relay> relay_;
  std::unique_ptr<store::HistoryStore> store_;
};

// A stored conversation as a session's history: the answers with their text and whether they were
// cut short; answers with no text (one that failed before its first word) are left out.
std::vector<HistoryMessage> restored_history(const store::Conversation& conversation);

// Start-up only, before the loop has other work to do: runs `io` until last_conversation() answers
// and returns it (the loop can be run again afterwards).
std::optional<store::Conversation> load_last_conversation(asio::io_context& io, HistoryService& history,
                                                          std::string surface = {});
// The same for find_conversation() (`yollayah --resume ID`).
store::Result<store::Conversation> load_conversation_at_start(asio::io_context& io, HistoryService& history,
                                                              std::string typed);

}  // namespace yollayah::conductor
