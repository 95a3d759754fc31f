// Opening the history database: the faults a file on disk can have, each turned into a fresh start
// that keeps the old file (moved aside), or into "unavailable for now" when the disk is the problem.
#include "store/database.hpp"
#include "store/schema.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

namespace yollayah::store {

namespace fs = std::filesystem;

namespace {

// Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot. With the PID it
// names one process, even after the PID is reused.
std::string start_time_of(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!in || !std::getline(in, stat)) return {};
  const auto close = stat.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos) return {};
  std::size_t pos = close + 2;  // field 3
  for (int field = 3; field < 22 && pos < stat.size(); ++field) {
    pos = stat.find(' ', pos);
    if (pos == std::string::npos) return {};
    ++pos;
  }
  const auto end = stat.find(' ', pos);
  return stat.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
}

enum class Verdict { Usable, Empty, NotSqlite, Damaged, Foreign, Newer, Unavailable };

struct Probe {
  Verdict verdict = Verdict::Unavailable;
  int version = 0;
  sql::Error error;
};

// The first 16 bytes of every SQLite file. A file without them is told apart before SQLite opens it:
// SQLite would take a stray -wal beside it for its own, and delete it when the connection closes.
bool looks_like_sqlite(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return true;  // no file yet: SQLite creates it
  char header[16] = {};
  in.read(header, sizeof header);
  if (in.gcount() == 0) return true;  // empty: a new database
  return in.gcount() == sizeof header && std::memcmp(header, "SQLite format 3", 16) == 0;
}

// Reads the header fields and the schema list: cheap (no table scan), and enough to tell the faults
// apart. SQLite checks the page count in the header against the file size on its first read, so a
// truncated file reports SQLITE_CORRUPT here. The three reads are one read transaction: another
// process creating the schema at the same moment must be seen wholly before or wholly after, or a
// new history would read as someone else's (tables, but no application id yet) and be moved aside.
Probe probe(sql::Connection& db) {
  Probe p;
  auto classify = [&p, &db](const sql::Error& e) {
    if (db.in_transaction()) db.exec("ROLLBACK");
    p.error = e;
    if (e.primary() == SQLITE_NOTADB) p.verdict = Verdict::NotSqlite;
    else if (e.primary() == SQLITE_CORRUPT) p.verdict = Verdict::Damaged;
    else p.verdict = Verdict::Unavailable;
    return p;
  };
  sql::Error e = db.exec("BEGIN");
  if (e) return classify(e);
  const auto app = db.query_int("PRAGMA application_id", e);
  if (!app) return classify(e);
  const auto version = db.query_int("PRAGMA user_version", e);
  if (!version) return classify(e);
  const auto objects = db.query_int("SELECT count(*) FROM sqlite_schema", e);
  if (!objects) return classify(e);
  if ((e = db.exec("COMMIT"))) return classify(e);
  p.version = static_cast<int>(*version);
  if (*app == 0 && *objects == 0 && *version == 0) p.verdict = Verdict::Empty;
  else if (*app != schema::kApplicationId) p.verdict = Verdict::Foreign;
  else if (*version > schema::latest_version()) p.verdict = Verdict::Newer;
  else p.verdict = Verdict::Usable;
  return p;
}

std::string why_moved(const Probe& p, const std::string& path) {
  switch (p.verdict) {
    case Verdict::NotSqlite:
      return path + " is not a SQLite database (" + p.error.message + ")";
    case Verdict::Damaged:
      return path + " is damaged, perhaps truncated (" + p.error.message + ")";
    case Verdict::Foreign:
      return path + " is a SQLite database, but not a Yollayah history";
    case Verdict::Newer:
      return path + " was written by a newer Yollayah (schema version " + std::to_string(p.version) +
             "; this one reads up to " + std::to_string(schema::latest_version()) + ")";
    default:
      return path + " cannot be used";
  }
}

std::string what_to_do(const Probe& p, const std::string& path, const std::string& moved_to) {
  if (p.verdict == Verdict::Newer)
    return " To use it again, run the newer Yollayah and move " + moved_to + " back to " + path + ".";
  if (p.verdict == Verdict::Foreign) return " If another program needs it, move it back from there.";
  return " If it holds conversations you need, `sqlite3 " + moved_to + " .recover` may save them.";
}

StoreEvent unavailable_event(const std::string& path, const std::string& why) {
  StoreEvent e;
  e.kind = StoreEvent::Kind::Degraded;
  e.path = path;
  e.message = "history: cannot use " + path + " (" + why +
              "). Conversations are kept in memory for now and written there as soon as it works again; "
              "check that the directory is writable and the disk has space.";
  return e;
}

bool ensure_directory(const std::string& path, std::string& error) {
  const fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) return true;
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return true;
  fs::create_directories(dir, ec);
  if (ec) {
    error = "cannot create " + dir.string() + ": " + ec.message();
    return false;
  }
  ::chmod(dir.c_str(), 0700);  // conversations are private
  return true;
}

}  // namespace

std::string writer_tag() {
  static std::mt19937_64 random{std::random_device{}()};
  const long pid = static_cast<long>(::getpid());
  return std::to_string(pid) + ":" + start_time_of(pid) + ":" + std::to_string(random() & 0xffffffff);
}

bool writer_alive(std::string_view tag) {
  const auto first = tag.find(':');
  if (first == std::string_view::npos) return false;
  const auto second = tag.find(':', first + 1);
  long pid = 0;
  try {
    pid = std::stol(std::string(tag.substr(0, first)));
  } catch (...) {
    return false;
  }
  if (pid <= 0) return false;
  const std::string start(tag.substr(first + 1, second == std::string_view::npos ? std::string_view::npos
                                                                                 : second - first - 1));
  if (!start.empty()) {
    const std::string now = start_time_of(pid);
    if (!now.empty()) return now == start;
  }
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

std::optional<std::string> move_aside(const std::string& path, std::string& error) {
  char stamp[32];
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  std::string target = path + ".broken-" + stamp;
  std::error_code ec;
  for (int n = 2; fs::exists(target, ec) || fs::exists(target + "-wal", ec); ++n)
    target = path + ".broken-" + stamp + "-" + std::to_string(n);
  if (::rename(path.c_str(), target.c_str()) != 0) {
    error = "cannot rename it to " + target + ": " + std::strerror(errno);
    return std::nullopt;
  }
  // A -wal left beside a new file would be replayed into it: it goes with the file it belongs to.
  for (const char* extra : {"-wal", "-shm", "-journal"}) {
    const std::string from = path + extra;
    if (fs::exists(from, ec)) ::rename(from.c_str(), (target + extra).c_str());
  }
  return target;
}

std::unique_ptr<Database> Database::open(const Options& options, OpenReport& report) {
  report = {};
  report.path = options.path;
  const std::string& path = options.path;
  std::string why;
  if (!ensure_directory(path, why)) {
    report.error = why;
    report.events.push_back(unavailable_event(path, why));
    return nullptr;
  }

  for (int attempt = 0; attempt < 2; ++attempt) {
    sql::Error error;
    std::unique_ptr<sql::Connection> conn;
    Probe p;
    if (!looks_like_sqlite(path)) {
      p.verdict = Verdict::NotSqlite;
      p.error = {SQLITE_NOTADB, "it does not begin with the SQLite header"};
    } else {
      conn = sql::Connection::open(path, true, error);
      if (!conn) {
        report.error = error.message;
        report.events.push_back(unavailable_event(path, error.message));
        return nullptr;
      }
      sqlite3_busy_timeout(conn->get(), static_cast<int>(options.busy_timeout.count()));
      p = probe(*conn);
    }
    if (p.verdict == Verdict::Unavailable) {
      report.error = p.error.message;
      report.events.push_back(unavailable_event(path, p.error.message));
      return nullptr;
    }
    if (p.verdict != Verdict::Usable && p.verdict != Verdict::Empty) {
      conn.reset();  // close before the rename
      const std::string what = why_moved(p, path);
      std::string rename_error;
      auto moved = attempt == 0 ? move_aside(path, rename_error) : std::nullopt;
      if (!moved) {
        if (rename_error.empty()) rename_error = "it is still unusable after starting anew";
        report.error = what + "; " + rename_error;
        report.events.push_back(unavailable_event(path, report.error));
        return nullptr;
      }
      StoreEvent e;
      e.kind = StoreEvent::Kind::MovedAside;
      e.path = path;
      e.moved_to = *moved;
      e.message = "history: " + what + ". It was moved to " + *moved +
                  " (nothing was deleted) and a new history started." + what_to_do(p, path, *moved);
      report.events.push_back(std::move(e));
      continue;
    }

    std::unique_ptr<Database> db(new Database(std::move(conn), options));
    if (auto e = db->set_up(report)) {
      report.error = e.message;
      report.events.push_back(unavailable_event(path, e.message));
      return nullptr;
    }
    report.created = p.verdict == Verdict::Empty;
    if (report.created) ::chmod(path.c_str(), 0600);  // SQLite gives -wal and -shm the same mode
    report.available = true;
    if (db->read_only()) {
      report.events.push_back(unavailable_event(path, "the file is read-only"));
    } else {
      report.interrupted_recovered = db->recover_interrupted();
    }
    return db;
  }
  return nullptr;
}

// Two connections setting up one new file at once (two processes starting together) can each hold
// a shared lock and want the exclusive one that switching to WAL or migrating needs: SQLite reports
// that deadlock as SQLITE_BUSY at once, without waiting busy_timeout. The loser tries again (each
// step is a transaction of its own, rolled back on failure) until busy_timeout has passed. This
// runs on the store's own thread, where waiting is allowed.
sql::Error Database::set_up(OpenReport& report) {
  const auto give_up = std::chrono::steady_clock::now() + options_.busy_timeout;
  for (;;) {
    sql::Error e = configure();
    if (!e) e = schema::migrate(*db_, schema::migrations(), report.schema_before, report.schema_after);
    const bool busy = e.primary() == SQLITE_BUSY || e.primary() == SQLITE_LOCKED;
    if (!e || !busy || std::chrono::steady_clock::now() >= give_up) return e;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Database::Database(std::unique_ptr<sql::Connection> db, Options options)
    : db_(std::move(db)), options_(std::move(options)), path_(options_.path) {}

Database::~Database() {
  if (db_ && !read_only()) db_->exec("PRAGMA optimize");
}

bool Database::read_only() const { return sqlite3_db_readonly(db_->get(), "main") == 1; }

// WAL: readers never wait for the writer, and a crash cannot corrupt the file. synchronous=NORMAL
// by default (durable against a crash of the process; begin(durable) raises it per transaction).
sql::Error Database::configure() {
  sql::Error e;
  const auto mode = db_->query_text("PRAGMA journal_mode = WAL", e);
  if (!mode) return e;
  if (*mode != "wal" && !read_only()) return {SQLITE_ERROR, "cannot switch to WAL mode (journal_mode is " + *mode + ")"};
  // analysis_limit: PRAGMA optimize at close samples instead of reading every index (0.3 s over a
  // million messages, 10 ms with the limit).
  if ((e = db_->exec("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA journal_size_limit = 16777216; "
                     "PRAGMA analysis_limit = 400;")))
    return e;
  synchronous_ = 1;
  if (options_.page_limit > 0) return set_page_limit(options_.page_limit);
  return {};
}

sql::Error Database::set_page_limit(std::uint32_t pages) {
  sql::Error e;
  db_->query_int(pages > 0 ? ("PRAGMA max_page_count = " + std::to_string(pages)).c_str()
                           : "PRAGMA max_page_count = 4294967294",
                 e);
  return e;
}

// Answers left streaming by a process that is gone (kill -9, a crash, a power cut) end here: the
// text up to their last checkpoint stays, marked interrupted, and enters the search index.
std::uint32_t Database::recover_interrupted() {
  std::vector<std::string> dead;
  {
    sql::Error e;
    auto q = db_->cached("SELECT DISTINCT writer FROM messages WHERE streaming = 1", e);
    if (!q) return 0;
    while (q->step() == SQLITE_ROW) {
      std::string tag = q->text(0);
      if (!writer_alive(tag)) dead.push_back(std::move(tag));
    }
  }
  std::uint32_t count = 0;
  for (const auto& tag : dead) {
    sql::Error e;
    auto u = db_->cached(
        "UPDATE messages SET streaming = 0, interrupted = 1, writer = NULL WHERE streaming = 1 AND writer IS ?1", e);
    if (!u) continue;
    if (tag.empty()) u->bind_null(1);
    else u->bind(1, tag);
    if (u->step() == SQLITE_DONE) count += static_cast<std::uint32_t>(db_->changes());
  }
  return count;
}

sql::Error Database::interrupt_own_answers() {
  sql::Error e;
  auto u = db_->cached(
      "UPDATE messages SET streaming = 0, interrupted = 1, writer = NULL WHERE streaming = 1 AND writer = ?1", e);
  if (!u) return e;
  u->bind(1, options_.writer);
  if (u->step() != SQLITE_DONE) return db_->last_error();
  return {};
}

}  // namespace yollayah::store
