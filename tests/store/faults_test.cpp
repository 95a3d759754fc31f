// What can go wrong with a history file, and what the store does about it: files that are not a
// usable history are moved aside (never deleted) with a message naming them; a full disk or a
// read-only directory is one Degraded event, writes kept in memory, and a Recovered event when
// writing works again; two writers never lose a write; kill -9 never loses a committed message.
#include "store/schema.hpp"
#include "store_support.hpp"

#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

namespace yollayah::store::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Root ignores permission bits: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from this thread's
// effective set, so a read-only directory is read-only to it and to the threads it starts (the
// store's). Capabilities are per thread; the permitted set is kept, so the destructor restores them.
class WithoutDacOverride {
 public:
  WithoutDacOverride() {
    if (::geteuid() != 0) return;
    ::syscall(SYS_capget, &header_, saved_);
    __user_cap_data_struct lowered[2] = {saved_[0], saved_[1]};
    lowered[0].effective &= ~((1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH));
    active_ = ::syscall(SYS_capset, &header_, lowered) == 0;
  }
  ~WithoutDacOverride() {
    if (active_) ::syscall(SYS_capset, &header_, saved_);
  }

 private:
  __user_cap_header_struct header_{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct saved_[2]{};
  bool active_ = false;
};

std::size_t count(const std::vector<StoreEvent>& events, StoreEvent::Kind kind) {
  return static_cast<std::size_t>(
      std::count_if(events.begin(), events.end(), [kind](const StoreEvent& e) { return e.kind == kind; }));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Opens `path`, expects it to be moved aside with a message containing `why`, and a working new
// history in its place. Returns the event (moved_to: where the old file went).
StoreEvent expect_moved_aside(const std::string& path, const std::string& why) {
  asio::io_context io;
  std::vector<StoreEvent> events;
  HistoryStore store(options_for(path, io, &events));
  const OpenReport report = run(io, store.opened());
  EXPECT_TRUE(report.available) << report.error;
  EXPECT_TRUE(report.created);
  EXPECT_TRUE(run_until(io, [&] { return !events.empty(); }));
  EXPECT_EQ(count(events, StoreEvent::Kind::MovedAside), 1u);
  EXPECT_EQ(count(events, StoreEvent::Kind::Degraded), 0u);
  if (events.empty()) return {};
  const StoreEvent e = events.front();
  EXPECT_EQ(e.path, path);
  EXPECT_NE(e.message.find(path), std::string::npos) << e.message;
  EXPECT_NE(e.message.find(e.moved_to), std::string::npos) << e.message;
  EXPECT_NE(e.message.find(why), std::string::npos) << e.message;
  EXPECT_EQ(e.moved_to.rfind(path + ".broken-", 0), 0u) << e.moved_to;
  EXPECT_TRUE(fs::exists(e.moved_to));
  // The chat goes on: the new history takes writes and reads them back.
  const ConversationId c = store.create_conversation({});
  store.add_message({.conversation = c, .content = "after the fault"});
  auto loaded = run(io, store.load_conversation(c));
  EXPECT_TRUE(loaded && loaded->messages.size() == 1);
  return e;
}

// A store on a new file in a directory of its own, its events recorded: where the disk tests start.
struct FreshStore {
  TempDir dir;
  std::string path = dir.file("history.db");
  asio::io_context io;
  std::vector<StoreEvent> events;
  HistoryStore store{options_for(path, io, &events)};
  std::tuple<const std::string&, asio::io_context&, std::vector<StoreEvent>&, HistoryStore&> parts() {
    return {path, io, events, store};
  }
};

TEST(StoreFaults, AFileThatIsNotSqliteIsMovedAsideWithItsWal) {
  TempDir dir;
  const std::string path = dir.file("history.db");
  std::string junk;
  for (int i = 0; i < 200; ++i) junk += "this is not a database, it is a shopping list\n";
  std::ofstream(path) << junk;
  std::ofstream(path + "-wal") << "a stray write-ahead log";
  const std::string moved = expect_moved_aside(path, "is not a SQLite database").moved_to;
  EXPECT_EQ(read_file(moved), junk);  // never deleted, never changed
  EXPECT_EQ(read_file(moved + "-wal"), "a stray write-ahead log");  // not replayed into the new file
}

TEST(StoreFaults, ATruncatedDatabaseIsMovedAside) {
  TempDir dir;
  const std::string path = dir.file("history.db");
  {
    asio::io_context io;
    HistoryStore store(options_for(path, io, nullptr));
    const ConversationId c = store.create_conversation({});
    for (int i = 0; i < 200; ++i) store.add_message({.conversation = c, .content = std::string(1000, 'a' + i % 26)});
    ASSERT_TRUE(run(io, store.flush()));
  }  // closed: the WAL is folded into the file
  const auto size = fs::file_size(path);
  ASSERT_GT(size, 100000u);
  fs::resize_file(path, size / 2);
  const std::string moved = expect_moved_aside(path, "damaged").moved_to;
  EXPECT_EQ(fs::file_size(moved), size / 2);
}

TEST(StoreFaults, ADatabaseFromANewerSchemaIsMovedAsideWithHowToGetItBack) {
  TempDir dir;
  const std::string path = dir.file("history.db");
  EXPECT_EQ(sqlite3_cli(path, "PRAGMA application_id = " + std::to_string(schema::kApplicationId) +
                                  "; CREATE TABLE conversations (x); PRAGMA user_version = 99;"),
            "");
  const StoreEvent e = expect_moved_aside(path, "newer Yollayah (schema version 99");
  EXPECT_EQ(sqlite3_cli(e.moved_to, "PRAGMA user_version;"), "99\n");
  EXPECT_NE(e.message.find("run the newer Yollayah and move " + e.moved_to + " back to " + path), std::string::npos)
      << e.message;
}

TEST(StoreFaults, AnotherProgramsSqliteFileIsMovedAside) {
  TempDir dir;
  const std::string path = dir.file("history.db");
  sqlite3_cli(path, "CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('pancakes');");
  const std::string moved = expect_moved_aside(path, "not a Yollayah history").moved_to;
  EXPECT_EQ(sqlite3_cli(moved, "SELECT name FROM recipes;"), "pancakes\n");
}

// A full disk (max_page_count): one Degraded event, writes kept in memory (a streaming answer's
// checkpoints coalesced there too), reads still served, and everything saved when space returns.
TEST(StoreFaults, AFullDiskKeepsWritesInMemoryAndSavesThemWhenSpaceReturns) {
  FreshStore w;
  ASSERT_TRUE(run(w.io, w.store.opened()).available);
  auto [path, io, events, store] = w.parts();  // references
  const ConversationId c = store.create_conversation({});
  MessageId tip = store.add_message({.conversation = c, .content = "before the disk filled"});
  ASSERT_TRUE(run(io, store.flush()));

  run(io, store.set_page_limit(1));  // SQLite raises it to the current size: no room to grow
  for (int i = 0; i < 40; ++i)
    tip = store.add_message({.conversation = c, .parent = tip, .content = std::string(8000, 'a' + i % 26)});
  const MessageId a = store.add_message({.conversation = c, .parent = tip, .role = Role::Assistant, .streaming = true});
  std::string text;
  for (int i = 0; i < 100; ++i) {
    text += "word" + std::to_string(i) + " ";
    store.checkpoint(a, text);
  }
  auto flushed = run(io, store.flush());
  ASSERT_FALSE(flushed);
  EXPECT_NE(flushed.error().message.find("full"), std::string::npos) << flushed.error().message;
  EXPECT_EQ(store.health(), Health::Degraded);
  EXPECT_LE(store.stats().backlog, 43u);  // 40 messages, the answer, one checkpoint: not 100
  ASSERT_TRUE(run_until(io, [&] { return count(events, StoreEvent::Kind::Degraded) == 1; }));
  EXPECT_NE(events[0].message.find(path), std::string::npos) << events[0].message;

  // More writes while full, and retries meanwhile: still one event.
  store.add_message({.conversation = c, .content = std::string(8000, 'z')});
  run_until(io, [] { return false; }, 300ms);
  EXPECT_EQ(count(events, StoreEvent::Kind::Degraded), 1u);
  auto during = run(io, store.load_conversation(c));
  ASSERT_TRUE(during);  // reads go on
  EXPECT_EQ(during->messages.size(), 1u);

  run(io, store.set_page_limit(0));
  ASSERT_TRUE(run_until(io, [&] { return count(events, StoreEvent::Kind::Recovered) == 1; }));
  EXPECT_EQ(store.health(), Health::Ok);
  ASSERT_TRUE(run(io, store.flush()));
  auto after = run(io, store.load_conversation(c, a));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->messages.size(), 42u);
  EXPECT_EQ(after->messages.back().content, text);
  EXPECT_EQ(after->summary.message_count, 43u);
  EXPECT_EQ(sqlite3_cli(path, "PRAGMA integrity_check;"), "ok\n");
}

// Appended text kept in memory while the disk is full waits as one write per answer, in order, and
// the answer is whole on disk once space returns.
TEST(StoreFaults, TextAppendedWhileTheDiskIsFullIsSavedWholeWhenSpaceReturns) {
  FreshStore w;
  ASSERT_TRUE(run(w.io, w.store.opened()).available);
  auto [path, io, events, store] = w.parts();  // references
  const ConversationId c = store.create_conversation({});
  const MessageId a = store.add_message({.conversation = c, .role = Role::Assistant, .streaming = true});
  store.append_text(a, "before ");
  ASSERT_TRUE(run(io, store.flush()));

  run(io, store.set_page_limit(1));
  store.add_message({.conversation = c, .content = std::string(8000, 'x')});  // fills the "disk"
  std::string text = "before ";
  for (int i = 0; i < 20; ++i) {
    const std::string word = "word" + std::to_string(i) + " ";
    text += word;
    store.append_text(a, word);
    EXPECT_FALSE(run(io, store.flush()));  // each one a checkpoint that cannot be written
  }
  store.finish_appended(a, "end.", {});
  text += "end.";
  EXPECT_FALSE(run(io, store.flush()));
  EXPECT_EQ(store.stats().backlog, 2u);  // the message, and the answer's text folded into its finish

  run(io, store.set_page_limit(0));
  ASSERT_TRUE(run_until(io, [&] { return count(events, StoreEvent::Kind::Recovered) == 1; }));
  ASSERT_TRUE(run(io, store.flush()));
  auto after = run(io, store.load_conversation(c, a));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->messages.back().content, text);
  EXPECT_FALSE(after->messages.back().streaming);
}

TEST(StoreFaults, AReadOnlyDirectoryKeepsWritesInMemoryUntilItIsWritable) {
  TempDir dir;
  const std::string sub = dir.file("ro");
  ASSERT_EQ(::mkdir(sub.c_str(), 0500), 0);
  const std::string path = sub + "/history.db";
  asio::io_context io;
  std::vector<StoreEvent> events;
  std::optional<HistoryStore> store;
  {
    WithoutDacOverride guard;  // the store's thread starts without it, and keeps it so
    store.emplace(options_for(path, io, &events));
  }
  const OpenReport report = run(io, store->opened());
  EXPECT_FALSE(report.available);
  EXPECT_NE(report.error, "");
  const ConversationId c = store->create_conversation({});
  store->add_message({.conversation = c, .content = "kept in memory"});
  EXPECT_FALSE(run(io, store->flush()));
  auto list = run(io, store->list_conversations(5));
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().kind, StoreError::Kind::Unavailable);
  ASSERT_TRUE(run_until(io, [&] { return !events.empty(); }));
  EXPECT_EQ(events[0].kind, StoreEvent::Kind::Degraded);
  EXPECT_NE(events[0].message.find(path), std::string::npos) << events[0].message;
  run_until(io, [] { return false; }, 300ms);  // retries fail meanwhile: still one event
  EXPECT_EQ(count(events, StoreEvent::Kind::Degraded), 1u);

  ASSERT_EQ(::chmod(sub.c_str(), 0700), 0);
  ASSERT_TRUE(run_until(io, [&] { return count(events, StoreEvent::Kind::Recovered) == 1; }));
  auto loaded = run(io, store->load_conversation(c));
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_EQ(loaded->messages.size(), 1u);
  EXPECT_EQ(loaded->messages[0].content, "kept in memory");
}

TEST(StoreFaults, AReadOnlyDatabaseFileIsDegradedThenRecovers) {
  TempDir dir;
  const std::string sub = dir.file("data");
  const std::string path = sub + "/history.db";
  ConversationId old;
  {
    asio::io_context io;
    HistoryStore store(options_for(path, io, nullptr));
    old = store.create_conversation({});
    store.add_message({.conversation = old, .content = "written before"});
    ASSERT_TRUE(run(io, store.flush()));
  }
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  ASSERT_EQ(::chmod(sub.c_str(), 0500), 0);
  asio::io_context io;
  std::vector<StoreEvent> events;
  std::optional<HistoryStore> store;
  {
    WithoutDacOverride guard;
    store.emplace(options_for(path, io, &events));
  }
  run(io, store->opened());
  const ConversationId c = store->create_conversation({});
  store->add_message({.conversation = c, .content = "written while read-only"});
  EXPECT_FALSE(run(io, store->flush()));
  ASSERT_TRUE(run_until(io, [&] { return !events.empty(); }));
  EXPECT_EQ(count(events, StoreEvent::Kind::Degraded), 1u);
  EXPECT_EQ(count(events, StoreEvent::Kind::MovedAside), 0u);  // read-only is not broken

  ASSERT_EQ(::chmod(sub.c_str(), 0700), 0);
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  ASSERT_TRUE(run_until(io, [&] { return count(events, StoreEvent::Kind::Recovered) == 1; }));
  auto list = run(io, store->list_conversations(10));
  ASSERT_TRUE(list);
  EXPECT_EQ(list->size(), 2u);
  EXPECT_EQ(count(events, StoreEvent::Kind::Degraded), 1u);
}

// Two stores creating one new file at the same moment (a TUI and conductord started together):
// neither takes the other's half-made history for a foreign database and moves it aside. Before the
// probe read in one transaction, about one pair in eight did (tables seen, application id not yet).
TEST(StoreFaults, TwoStoresCreatingOneNewFileAtOnceNeverMoveItAside) {
  for (int round = 0; round < 40; ++round) {
    TempDir dir;
    const std::string path = dir.file("history.db");
    asio::io_context io;
    std::vector<StoreEvent> events;
    HistoryStore first(options_for(path, io, &events));
    HistoryStore second(options_for(path, io, &events));
    const OpenReport a = run(io, first.opened());
    const OpenReport b = run(io, second.opened());
    io.restart();
    io.poll();  // the events posted while opening
    ASSERT_TRUE(a.available && b.available) << "round " << round << ": " << a.error << b.error;
    ASSERT_EQ(count(events, StoreEvent::Kind::MovedAside), 0u)
        << "round " << round << ": " << (events.empty() ? "" : events.front().message);
    std::size_t files = 0;
    for (const auto& f : fs::directory_iterator(dir.path()))
      files += f.path().filename().string().find(".broken-") != std::string::npos;
    ASSERT_EQ(files, 0u) << "round " << round;
  }
}

// Two connections in one process, both writing at once: every write lands (busy_timeout, WAL,
// BEGIN IMMEDIATE), the file stays sound.
// Two stores on one file, as two processes would have.
struct TwoStores {
  TempDir dir;
  const std::string path = dir.file("history.db");
  asio::io_context io;
  HistoryStore first{options_for(path, io, nullptr)};
  HistoryStore second{options_for(path, io, nullptr)};
};

TEST(StoreFaults, TwoStoresOnOneFileLoseNoWrite) {
  TwoStores f;
  auto& [dir, path, io, first, second] = f;
  run(io, first.opened());
  run(io, second.opened());
  int done = 0;
  auto writer = [&](HistoryStore& store, std::string name) -> asio::awaitable<void> {
    const ConversationId c = store.create_conversation({.title = name});
    std::optional<MessageId> tip;
    for (int i = 0; i < 300; ++i) {
      tip = store.add_message({.conversation = c, .parent = tip, .content = name + " " + std::to_string(i)});
      if (i % 5 == 0) {
        auto flushed = co_await store.flush();
        EXPECT_TRUE(flushed);
      }
    }
    auto flushed = co_await store.flush();
    EXPECT_TRUE(flushed);
    ++done;
  };
  asio::co_spawn(io, writer(first, "first"), asio::detached);
  asio::co_spawn(io, writer(second, "second"), asio::detached);
  ASSERT_TRUE(run_until(io, [&] { return done == 2; }, 60s));
  Peek peek(path);
  EXPECT_EQ(peek.integer("SELECT count(*) FROM messages"), 600);
  EXPECT_EQ(peek.integer("SELECT count(DISTINCT content) FROM messages"), 600);
  EXPECT_EQ(first.health(), Health::Ok);
  EXPECT_EQ(second.health(), Health::Ok);
  EXPECT_EQ(sqlite3_cli(path, "PRAGMA integrity_check;"), "ok\n");
}

// `yollayah history delete` in one process while a session in another (conductord, a TUI) goes on
// in that conversation: what is said after the delete is kept, in a conversation of the same id
// that begins there, never dropped as writes to a conversation that is gone.
TEST(StoreFaults, MessagesAfterAnotherProcessDeletedTheirConversationAreKept) {
  TwoStores f;
  auto& [dir, path, io, session, cli] = f;
  const ConversationId c = session.create_conversation({.model = "sim", .surface = "daemon"});
  const MessageId q = session.add_message({.conversation = c, .content = "before the delete"});
  const MessageId a = session.add_message({.conversation = c, .parent = q, .role = Role::Assistant, .content = "old answer"});
  ASSERT_TRUE(run(io, session.flush()));
  auto deleted = run(io, cli.delete_conversation(c));
  ASSERT_TRUE(deleted);
  ASSERT_TRUE(*deleted);

  const MessageId after = session.add_message({.conversation = c, .parent = a, .content = "after the delete"});
  session.add_message({.conversation = c, .parent = after, .role = Role::Assistant, .content = "new answer"});
  ASSERT_TRUE(run(io, session.flush()));
  auto loaded = run(io, cli.load_conversation(c));
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_EQ(loaded->messages.size(), 2u);
  EXPECT_EQ(loaded->messages[0].content, "after the delete");
  EXPECT_FALSE(loaded->messages[0].parent.has_value());
  EXPECT_EQ(loaded->messages[1].content, "new answer");
  EXPECT_EQ(loaded->summary.title, "after the delete");
  Peek peek(path);
  EXPECT_EQ(peek.integer("SELECT count(*) FROM messages"), 2);  // the deleted ones stay deleted
  EXPECT_EQ(session.health(), Health::Ok);
}

// Two processes writing into the same conversation and their own, a transaction per message.
TEST(StoreFaults, TwoProcessesOnOneFileLoseNoWrite) {
  TempDir dir;
  const std::string path = dir.file("history.db");
  ConversationId shared;
  {
    asio::io_context io;
    HistoryStore store(options_for(path, io, nullptr));
    shared = store.create_conversation({.title = "shared"});
    ASSERT_TRUE(run(io, store.flush()));
  }
  Child a({writer_binary(), "count", path, "150", shared});
  Child b({writer_binary(), "count", path, "150", shared});
  EXPECT_EQ(a.wait(), 0) << a.output();
  EXPECT_EQ(b.wait(), 0) << b.output();
  EXPECT_EQ(a.output(), "done 150\n");
  EXPECT_EQ(b.output(), "done 150\n");
  Peek peek(path);
  EXPECT_EQ(peek.integer("SELECT count(*) FROM messages WHERE conversation = 1"), 300);
  EXPECT_EQ(peek.integer("SELECT count(*) FROM messages"), 600);
  EXPECT_EQ(peek.integer("SELECT count(*) FROM conversations"), 3);
  // Each process's chain is whole: every message but its first has a parent.
  EXPECT_EQ(peek.integer("SELECT count(*) FROM messages WHERE parent IS NULL"), 4);
  EXPECT_EQ(sqlite3_cli(path, "PRAGMA integrity_check;"), "ok\n");
}

struct Committed {
  std::set<MessageId> messages;                  // C: a user message, flushed
  std::map<MessageId, std::size_t> partial;      // P: an answer's text flushed up to this length
  std::map<MessageId, std::size_t> finished;     // F: a finished answer and its length
};

// Complete lines only: the child may die in the middle of one.
void parse(const std::string& out, Committed& c) {
  std::size_t start = 0, end;
  while ((end = out.find('\n', start)) != std::string::npos) {
    std::istringstream line(out.substr(start, end - start));
    start = end + 1;
    std::string kind, id;
    std::size_t len = 0;
    line >> kind >> id >> len;
    if (kind == "C") c.messages.insert(id);
    else if (kind == "P") c.partial[id] = std::max(c.partial[id], len);
    else if (kind == "F") c.finished[id] = len;
  }
}

// A child writes turns (user message, streaming answer with checkpoints, finish) and is killed with
// SIGKILL at a random moment, a hundred times (bounded to a minute). After each: the file passes
// integrity_check (and the full-text index its own), every message the child had seen committed is
// there, every partial answer holds at least its last committed checkpoint, and the next open marks
// the cut answer interrupted.
TEST(StoreFaults, Kill9InTheMiddleOfWritesLosesNothingCommitted) {
  TempDir dir;
  const std::string path = dir.file("history.db");
  const std::string full = answer_text(200);
  std::mt19937 random{12345};
  Committed all;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  int cycles = 0, recovered = 0;
  for (; cycles < 100 && std::chrono::steady_clock::now() < deadline; ++cycles) {
    SCOPED_TRACE("cycle " + std::to_string(cycles));
    Child child({writer_binary(), "churn", path});
    std::this_thread::sleep_for(std::chrono::milliseconds(15 + random() % 150));
    child.kill9();
    EXPECT_EQ(child.wait(), -SIGKILL) << child.output();
    Committed now;
    parse(child.output(), now);
    parse(child.output(), all);
    if (!fs::exists(path)) continue;  // killed before it even opened the file

    ASSERT_EQ(sqlite3_cli(path, "PRAGMA integrity_check; INSERT INTO messages_fts(messages_fts) "
                                "VALUES('integrity-check');"),
              "ok\n");
    {
      Peek peek(path);
      for (const auto& id : now.messages)
        ASSERT_EQ(peek.integer("SELECT count(*) FROM messages WHERE id = '" + id + "'"), 1) << id;
      for (const auto& [id, len] : now.partial) {
        const std::string content = peek.text("SELECT content FROM messages WHERE id = '" + id + "'");
        EXPECT_GE(content.size(), len) << id;
        EXPECT_EQ(full.rfind(content, 0), 0u) << "not a prefix of the answer: " << content;
      }
    }
    asio::io_context io;
    HistoryStore store(options_for(path, io, nullptr));
    const OpenReport report = run(io, store.opened());
    ASSERT_TRUE(report.available) << report.error;
    EXPECT_LE(report.interrupted_recovered, 1u);
    recovered += static_cast<int>(report.interrupted_recovered);
    Peek peek(path);
    EXPECT_EQ(peek.integer("SELECT count(*) FROM messages WHERE streaming = 1"), 0);
  }
  EXPECT_GE(cycles, 20);
  EXPECT_GT(recovered, 0) << "no cycle cut an answer short: the test proved little";
  EXPECT_FALSE(all.messages.empty());

  // At the end, everything any child saw committed is still there, as it was.
  Peek peek(path);
  for (const auto& id : all.messages)
    EXPECT_EQ(peek.integer("SELECT count(*) FROM messages WHERE id = '" + id + "'"), 1) << id;
  for (const auto& [id, len] : all.finished) {
    EXPECT_EQ(peek.integer("SELECT length(content) FROM messages WHERE id = '" + id + "'"),
              static_cast<std::int64_t>(len));
    EXPECT_EQ(peek.integer("SELECT interrupted FROM messages WHERE id = '" + id + "'"), 0);
  }
  for (const auto& [id, len] : all.partial) {
    if (all.finished.count(id)) continue;
    EXPECT_GE(peek.integer("SELECT length(content) FROM messages WHERE id = '" + id + "'"),
              static_cast<std::int64_t>(len));
    // Cut short (interrupted), or finished just before the kill, before the child could say so.
    EXPECT_EQ(peek.integer("SELECT interrupted = 1 OR finished_ms IS NOT NULL FROM messages WHERE id = '" + id + "'"),
              1)
        << id;
  }
  EXPECT_EQ(peek.integer("SELECT count(*) FROM messages WHERE role = 'assistant' AND streaming = 0 AND "
                         "interrupted = 0 AND finished_ms IS NULL"),
            0);
}

}  // namespace
}  // namespace yollayah::store::test
