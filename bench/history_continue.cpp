// The history at scale through the Conductor (issue 11 §4), on a database of 10,000 conversations
// and 1,000,000 messages that bench/history_store generates (in a temporary directory unless
// --db names one to reuse; none is committed):
//   * "continue": what `yollayah --continue` does before its first frame, the TUI's own drawing
//     aside: open the store, read the last conversation, create the Conductor and its session,
//     hand the surface its StateSnapshot (a surface on the in-process link, as the TUI is);
//     the first run with the file evicted from the page cache, then warm runs;
//   * "/search WORDS" typed in the chat: the UserCommand to the system note with the matches,
//     words drawn from stored messages (common and rare ones, and pairs);
//   * "/history" and "/open N": the command to the list, and to the StateSnapshot of the
//     conversation opened;
//   * the database's size per million messages.
//
//   build/bin/history_continue [--db PATH] [--runs N] [--searches S] [--opens O] [--json FILE]
#include "bench_support.hpp"
#include "history_support.hpp"
#include "conductor/conductor.hpp"
#include "conductor/history_service.hpp"
#include "core/log.hpp"
#include "support/fake_backend.hpp"
#include "transport/inprocess.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <sqlite3.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace fs = std::filesystem;
namespace msg = yollayah::protocol::msg;
namespace ev = yollayah::protocol::ev;
using namespace yollayah;
using Clock = std::chrono::steady_clock;
using bench::evict;
using bench::ms_since;
using bench::stats_of;

namespace {

struct Args {
  std::string db;
  std::size_t runs = 20;
  std::size_t searches = 200;
  std::size_t opens = 20;
  std::string json;
};


conductor::SessionConfig session_config() {
  conductor::SessionConfig c;
  c.model = "llama3.2:3b";
  c.system_prompt = "You are a benchmark.";
  c.greet = false;
  c.input.max_per_minute = 0;  // a person's rate limit would hold back a benchmark's hundreds of commands
  return c;
}

// A surface on the in-process link, as the TUI is: it handshakes, sends, and waits on the loop
// for a message it wants.
class Surface {
 public:
  Surface(asio::io_context& io, conductor::Conductor& conductor)
      : io_(io), link_(std::make_unique<transport::InProcessLink>(conductor, io.get_executor())) {}
  ~Surface() { link_->close(); }

  void send(protocol::SurfaceEvent e) { link_->send(std::move(e)); }
  // Runs the loop until a received message satisfies `want` (at most 60 s).
  bool wait_for(const std::function<bool(const protocol::ConductorMessage&)>& want) {
    bool found = false;
    asio::co_spawn(io_, pump(want, found), [&](std::exception_ptr, bool) { io_.stop(); });
    io_.restart();
    io_.run_for(std::chrono::seconds(60));
    return found;
  }

 private:
  asio::awaitable<bool> pump(std::function<bool(const protocol::ConductorMessage&)> want, bool& found) {
    std::vector<protocol::EnvelopePtr> batch;
    while (!found) {
      batch.clear();
      if (!co_await link_->receive(batch)) co_return false;
      for (const auto& e : batch)
        if (want(e->message)) found = true;
    }
    co_return true;
  }

  asio::io_context& io_;
  std::unique_ptr<transport::InProcessLink> link_;
};

bool is_snapshot(const protocol::ConductorMessage& m) { return std::holds_alternative<msg::StateSnapshot>(m); }

std::function<bool(const protocol::ConductorMessage&)> note_with(std::string needle) {
  return [needle = std::move(needle)](const protocol::ConductorMessage& m) {
    const auto* n = std::get_if<msg::Message>(&m);
    return n && n->role == protocol::MessageRole::System && n->content.find(needle) != std::string::npos;
  };
}

ev::Handshake hello() {
  return ev::Handshake{"evt_hello", protocol::kProtocolV2, {protocol::SurfaceType::Kind::Tui, {}},
                       protocol::SurfaceCapabilities::tui(), std::nullopt};
}

struct ContinueRun {
  double load_ms = 0;      // open + last conversation read back
  double snapshot_ms = 0;  // Conductor, session and surface: Handshake → StateSnapshot
  double total_ms = 0;
  std::size_t messages = 0;
};

// One `yollayah --continue`, up to the StateSnapshot its TUI draws from.
ContinueRun continue_once(const std::string& path, std::shared_ptr<backend::Backend> backend) {
  ContinueRun r;
  asio::io_context io(1);
  const auto start = Clock::now();
  conductor::HistoryService history(io.get_executor(), path);
  auto resume = conductor::load_last_conversation(io, history);  // as `yollayah --continue` does
  r.load_ms = ms_since(start);
  r.messages = resume ? resume->messages.size() : 0;
  const auto mid = Clock::now();
  {
    conductor::Conductor conductor(io.get_executor(), backend, session_config());
    conductor.set_history(&history, "tui", std::move(resume));
    Surface surface(io, conductor);
    surface.send(hello());
    if (!surface.wait_for(is_snapshot)) std::fprintf(stderr, "history_continue: no StateSnapshot\n");
    r.snapshot_ms = ms_since(mid);
    r.total_ms = ms_since(start);
    conductor.stop(std::nullopt);
    io.restart();
    io.run_for(std::chrono::milliseconds(50));
  }
  return r;
}

// Words to search for, read from stored messages spread over the database: single words (the
// Zipf vocabulary makes most of them common) and pairs from the same message.
std::vector<std::string> queries(const std::string& path, std::size_t count) {
  std::vector<std::string> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return out;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT content FROM messages WHERE mid = ?1", -1, &st, nullptr);
  sqlite3_int64 total = 0;
  sqlite3_stmt* cnt = nullptr;
  sqlite3_prepare_v2(db, "SELECT max(mid) FROM messages", -1, &cnt, nullptr);
  if (sqlite3_step(cnt) == SQLITE_ROW) total = sqlite3_column_int64(cnt, 0);
  sqlite3_finalize(cnt);
  std::mt19937 random(11);
  while (total > 0 && out.size() < count) {
    sqlite3_bind_int64(st, 1, 1 + static_cast<sqlite3_int64>(random() % static_cast<std::uint64_t>(total)));
    if (sqlite3_step(st) == SQLITE_ROW) {
      std::string text(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
      std::vector<std::string> words;
      std::string w;
      for (char c : text + " ") {
        if (std::isalpha(static_cast<unsigned char>(c))) w += c;
        else if (!w.empty()) words.push_back(std::exchange(w, {}));
      }
      if (!words.empty()) {
        const auto& a = words[random() % words.size()];
        if (out.size() % 4 == 3 && words.size() > 1) out.push_back(a + " " + words[random() % words.size()]);
        else out.push_back(a);
      }
    }
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

std::uint64_t count_messages(const std::string& path) {
  sqlite3* db = nullptr;
  std::uint64_t n = 0;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM messages", -1, &st, nullptr);
    if (sqlite3_step(st) == SQLITE_ROW) n = static_cast<std::uint64_t>(sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return n;
}

std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> out;
  std::string w;
  for (char c : s + " ") {
    if (c != ' ') w += c;
    else if (!w.empty()) out.push_back(std::exchange(w, {}));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--db") a.db = v;
    else if (k == "--runs") a.runs = std::stoul(v);
    else if (k == "--searches") a.searches = std::stoul(v);
    else if (k == "--opens") a.opens = std::stoul(v);
    else if (k == "--json") a.json = v;
    else {
      std::fprintf(stderr, "history_continue: unknown option %s\n", k.c_str());
      return 2;
    }
  }
  core::disable_logging();
  std::optional<bench::TempDir> tmp;
  if (a.db.empty()) {
    tmp.emplace();
    a.db = tmp->path + "/history.db";
  }
  if (!fs::exists(a.db)) {
    // bench/history_store's generator: 10,000 conversations × 100 messages, in one transaction.
    const std::string cmd = std::string(YOLLAYAH_BIN_DIR) + "/history_store --db " + a.db +
                            " --searches 1 --opens 1 > /dev/null";
    std::fprintf(stderr, "generating %s with history_store…\n", a.db.c_str());
    if (std::system(cmd.c_str()) != 0 || !fs::exists(a.db)) {
      std::fprintf(stderr, "history_continue: history_store could not generate %s\n", a.db.c_str());
      return 1;
    }
  }
  const std::uint64_t messages = count_messages(a.db);
  std::uintmax_t bytes = fs::file_size(a.db);
  if (fs::exists(a.db + "-wal")) bytes += fs::file_size(a.db + "-wal");
  std::printf("database: %s, %llu messages, %.1f MB (%.1f MB per million messages)\n", a.db.c_str(),
              static_cast<unsigned long long>(messages), static_cast<double>(bytes) / 1e6,
              messages ? static_cast<double>(bytes) / 1e6 / (static_cast<double>(messages) / 1e6) : 0.0);

  auto backend = std::make_shared<test::FakeBackend>("fake");

  // --continue: cold once, then warm.
  evict(a.db);
  const ContinueRun cold = continue_once(a.db, backend);
  std::vector<double> warm_total, warm_load, warm_snap;
  for (std::size_t i = 0; i < a.runs; ++i) {
    const auto r = continue_once(a.db, backend);
    warm_total.push_back(r.total_ms);
    warm_load.push_back(r.load_ms);
    warm_snap.push_back(r.snapshot_ms);
  }
  const auto wt = stats_of(warm_total), wl = stats_of(warm_load), ws = stats_of(warm_snap);
  std::printf("continue, cold: %.1f ms (store open + last conversation %.1f, Conductor to StateSnapshot %.1f; %zu messages)\n",
              cold.total_ms, cold.load_ms, cold.snapshot_ms, cold.messages);
  std::printf("continue, warm (%zu runs): p50 %.1f ms, p99 %.1f ms, max %.1f (load p50 %.1f, snapshot p50 %.1f)\n",
              a.runs, wt.p50, wt.p99, wt.max, wl.p50, ws.p50);

  // Chat commands in one session.
  std::vector<double> search_ms, history_ms, open_ms;
  {
    asio::io_context io(1);
    conductor::HistoryService history(io.get_executor(), a.db);
    {
      conductor::Conductor conductor(io.get_executor(), backend, session_config());
      conductor.set_history(&history, "tui");
      Surface surface(io, conductor);
      surface.send(hello());
      surface.wait_for(is_snapshot);
      for (const auto& q : queries(a.db, a.searches)) {
        const auto t = Clock::now();
        surface.send(ev::UserCommand{"evt_search", "search", split_words(q)});
        if (!surface.wait_for(note_with("\"" + q + "\""))) {
          std::fprintf(stderr, "history_continue: no answer to /search %s\n", q.c_str());
          return 1;
        }
        search_ms.push_back(ms_since(t));
      }
      for (std::size_t i = 0; i < a.opens; ++i) {
        auto t = Clock::now();
        surface.send(ev::UserCommand{"evt_history", "history", {}});
        surface.wait_for(note_with("Recent conversations"));
        history_ms.push_back(ms_since(t));
        t = Clock::now();
        surface.send(ev::UserCommand{"evt_open", "open", {std::to_string(2 + i % 18)}});
        surface.wait_for(is_snapshot);
        open_ms.push_back(ms_since(t));
      }
      conductor.stop(std::nullopt);
      io.restart();
      io.run_for(std::chrono::milliseconds(50));
    }
  }
  const auto ss = stats_of(search_ms), hs = stats_of(history_ms), os = stats_of(open_ms);
  std::printf("/search (%zu queries): p50 %.1f ms, p99 %.1f ms, max %.1f\n", search_ms.size(), ss.p50, ss.p99, ss.max);
  std::printf("/history (%zu): p50 %.1f ms, p99 %.1f ms\n", history_ms.size(), hs.p50, hs.p99);
  std::printf("/open N to StateSnapshot (%zu): p50 %.1f ms, p99 %.1f ms\n", open_ms.size(), os.p50, os.p99);

  if (!a.json.empty()) {
    std::ofstream out(a.json);
    out << "{\"messages\":" << messages << ",\"bytes\":" << bytes << ",\"continue_cold_ms\":" << cold.total_ms
        << ",\"continue_warm_p50_ms\":" << wt.p50 << ",\"continue_warm_p99_ms\":" << wt.p99
        << ",\"search_p50_ms\":" << ss.p50 << ",\"search_p99_ms\":" << ss.p99 << ",\"history_p50_ms\":" << hs.p50
        << ",\"open_p50_ms\":" << os.p50 << ",\"open_p99_ms\":" << os.p99 << "}\n";
  }
  return 0;
}
