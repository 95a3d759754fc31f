// The history store at scale (issue 11): generates its own database of 10,000 conversations and
// 1,000,000 messages in a temporary directory (never kept), then measures through HistoryStore,
// as the program uses it:
//   * "continue": opening the file and loading the last conversation (the store's part of the first
//     frame of `yollayah --continue`), warm and with the file evicted from the page cache;
//   * search p50/p99 over everything, by kind of query, and a page of the /history list;
//   * the database size per million messages;
//   * the cost of the writes of one answer (user message, answer start, checkpoints, finish) on the
//     store's thread, and of a checkpoint() call on the caller's (the token path).
//
//   build/bin/history_store [--conversations N] [--messages-per M] [--answer-words W]
//                           [--searches S] [--opens O] [--db PATH] [--json FILE]
//
// --db PATH reuses (or keeps) a generated database there instead of a temporary one.
#include "bench_support.hpp"
#include "history_support.hpp"
#include "core/log.hpp"
#include "store/history_store.hpp"
#include "store/ids.hpp"

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
#include <optional>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace yollayah;
using Clock = std::chrono::steady_clock;
using bench::evict;
using bench::ms_since;
using bench::Stats;
using bench::stats_of;

namespace {

struct Args {
  std::size_t conversations = 10000;
  std::size_t messages_per = 100;  // 50 turns
  std::size_t answer_words = 60;   // mean; user messages have a fifth of it
  std::size_t searches = 300;
  std::size_t opens = 20;
  std::size_t answers = 100;  // for the write cost
  std::string db;
  std::string json;
};


template <class T>
T run(asio::io_context& io, asio::awaitable<T> task) {
  std::optional<T> result;
  asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T v) {
    if (e) std::rethrow_exception(e);
    result.emplace(std::move(v));
  });
  io.restart();
  io.run();
  return std::move(*result);
}

// A vocabulary of pseudo-words whose frequencies follow Zipf's law, like words in prose: a few
// very common ones, a long tail of rare ones. Deterministic.
class Vocabulary {
 public:
  explicit Vocabulary(std::size_t size) {
    static const char* syllables[] = {"ka", "lo", "mi", "ne", "to", "ra", "su", "vi", "de", "po",
                                      "an", "el", "in", "or", "us", "ba", "chi", "fo", "gu", "he"};
    std::mt19937 random(7);
    std::unordered_set<std::string> seen;
    while (words_.size() < size) {
      std::string w;
      const int n = 1 + static_cast<int>(random() % 4);
      for (int i = 0; i < n; ++i) w += syllables[random() % 20];
      if (seen.insert(w).second) words_.push_back(w);
    }
    double total = 0;
    for (std::size_t r = 1; r <= size; ++r) cdf_.push_back(total += 1.0 / static_cast<double>(r));
    for (auto& c : cdf_) c /= total;
  }
  const std::string& pick(std::mt19937& random) const {
    const double u = std::uniform_real_distribution<double>(0, 1)(random);
    const auto it = std::lower_bound(cdf_.begin(), cdf_.end(), u);
    return words_[std::min(words_.size() - 1, static_cast<std::size_t>(it - cdf_.begin()))];
  }
  const std::string& at_rank(std::size_t rank) const { return words_[rank]; }
  std::size_t size() const { return words_.size(); }

 private:
  std::vector<std::string> words_;
  std::vector<double> cdf_;
};

std::string sentence(const Vocabulary& v, std::mt19937& random, std::size_t mean_words) {
  const std::size_t n = 1 + std::uniform_int_distribution<std::size_t>(0, 2 * mean_words)(random);
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    if (i) s += (i % 12 == 0) ? ". " : " ";
    s += v.pick(random);
  }
  return s + ".";
}

void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "history_store: %s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}

// One transaction, prepared statements, no journal and no sync (nothing to lose: a failed run starts
// over), then back to WAL as the store left it.
// The FTS5 index is filled by the schema's own triggers, as in use.
struct Generated {
  double seconds = 0;
  std::uint64_t messages = 0;
  std::uint64_t content_bytes = 0;
};

Generated generate(const std::string& path, const Args& a, const Vocabulary& vocab) {
  {
    asio::io_context io;
    store::HistoryStore::Options o;
    o.path = path;
    store::HistoryStore s(o);
    run(io, s.opened());  // creates schema v1
  }
  const auto start = Clock::now();
  sqlite3* db = nullptr;
  check(sqlite3_open(path.c_str(), &db), db, "open");
  check(sqlite3_exec(db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; BEGIN", nullptr, nullptr, nullptr), db,
        "begin");
  sqlite3_stmt* conv = nullptr;
  sqlite3_stmt* msg = nullptr;
  check(sqlite3_prepare_v2(db,
                           "INSERT INTO conversations (cid, id, title, created_ms, updated_ms, model, surface) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, 'llama3.2:3b', 'tui')",
                           -1, &conv, nullptr),
        db, "prepare");
  check(sqlite3_prepare_v2(db,
                           "INSERT INTO messages (mid, id, conversation, parent, role, content, created_ms, model, "
                           "elapsed_ms, token_count, tokens_per_s, finished_ms) VALUES "
                           "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                           -1, &msg, nullptr),
        db, "prepare");
  std::mt19937 random(42);
  Generated g;
  std::int64_t mid = 0;
  const std::uint64_t year_ago = store::now_ms() - 365ull * 24 * 3600 * 1000;
  for (std::size_t c = 1; c <= a.conversations; ++c) {
    std::uint64_t t = year_ago + c * (365ull * 24 * 3600 * 1000 / a.conversations);
    std::int64_t parent = 0, branch_point = 0;
    const std::string first = sentence(vocab, random, a.answer_words / 5);
    sqlite3_bind_int64(conv, 1, static_cast<std::int64_t>(c));
    sqlite3_bind_text(conv, 2, store::new_id().c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(conv, 3, first.substr(0, 60).c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(conv, 4, static_cast<std::int64_t>(t));
    sqlite3_bind_int64(conv, 5, static_cast<std::int64_t>(t + a.messages_per * 20000));
    check(sqlite3_step(conv), db, "insert conversation");
    sqlite3_reset(conv);
    for (std::size_t m = 0; m < a.messages_per; ++m) {
      const bool user = m % 2 == 0;
      const std::string text = m == 0 ? first : sentence(vocab, random, user ? a.answer_words / 5 : a.answer_words);
      // Every tenth conversation has a retried answer: a branch.
      const bool retry = !user && c % 10 == 0 && m == 5;
      sqlite3_bind_int64(msg, 1, ++mid);
      sqlite3_bind_text(msg, 2, store::new_id().c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(msg, 3, static_cast<std::int64_t>(c));
      if (retry) sqlite3_bind_int64(msg, 4, branch_point);
      else if (parent) sqlite3_bind_int64(msg, 4, parent);
      else sqlite3_bind_null(msg, 4);
      sqlite3_bind_text(msg, 5, user ? "user" : "assistant", -1, SQLITE_STATIC);
      sqlite3_bind_text(msg, 6, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
      sqlite3_bind_int64(msg, 7, static_cast<std::int64_t>(t += 20000));
      if (!user) {
        sqlite3_bind_text(msg, 8, "llama3.2:3b", -1, SQLITE_STATIC);
        sqlite3_bind_int64(msg, 9, 4000);
        sqlite3_bind_int64(msg, 10, static_cast<std::int64_t>(text.size() / 4));
        sqlite3_bind_double(msg, 11, 31.5);
        sqlite3_bind_int64(msg, 12, static_cast<std::int64_t>(t + 4000));
      }
      check(sqlite3_step(msg), db, "insert message");
      sqlite3_reset(msg);
      sqlite3_clear_bindings(msg);
      if (user) branch_point = mid;
      parent = mid;
      ++g.messages;
      g.content_bytes += text.size();
    }
  }
  sqlite3_finalize(conv);
  sqlite3_finalize(msg);
  check(sqlite3_exec(db, "COMMIT; PRAGMA journal_mode = WAL;", nullptr, nullptr, nullptr), db, "commit");
  sqlite3_close(db);
  g.seconds = ms_since(start) / 1000.0;
  return g;
}

struct OpenTimes {
  double open_ms = 0;   // thread start, probe, WAL, schema check, crash recovery
  double last_ms = 0;   // last_conversation()
  double load_ms = 0;   // load_conversation(): the branch shown
  double total_ms = 0;  // construction → loaded
  double close_ms = 0;
  std::size_t messages = 0;
};

OpenTimes continue_once(const std::string& path) {
  OpenTimes t;
  asio::io_context io;
  const auto start = Clock::now();
  std::optional<store::HistoryStore> s;
  store::HistoryStore::Options o;
  o.path = path;
  s.emplace(o);
  run(io, s->opened());
  t.open_ms = ms_since(start);
  auto mark = Clock::now();
  auto last = run(io, s->last_conversation());
  t.last_ms = ms_since(mark);
  mark = Clock::now();
  auto c = run(io, s->load_conversation((*last)->id));
  t.load_ms = ms_since(mark);
  t.total_ms = ms_since(start);
  t.messages = c ? c->messages.size() : 0;
  mark = Clock::now();
  s.reset();
  t.close_ms = ms_since(mark);
  return t;
}

void print_stats(const char* name, const Stats& s, const char* unit = "ms") {
  std::printf("  %-34s p50 %8.3f  p99 %8.3f  max %8.3f  mean %8.3f %s\n", name, s.p50, s.p99, s.max, s.mean, unit);
}

void json_stats(std::FILE* f, const char* name, const Stats& s, bool last = false) {
  std::fprintf(f, "    \"%s\": {\"min\": %.4f, \"p50\": %.4f, \"p99\": %.4f, \"max\": %.4f, \"mean\": %.4f}%s\n", name,
               s.min, s.p50, s.p99, s.max, s.mean, last ? "" : ",");
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--conversations") a.conversations = std::stoul(next());
    else if (arg == "--messages-per") a.messages_per = std::stoul(next());
    else if (arg == "--answer-words") a.answer_words = std::stoul(next());
    else if (arg == "--searches") a.searches = std::stoul(next());
    else if (arg == "--opens") a.opens = std::stoul(next());
    else if (arg == "--db") a.db = next();
    else if (arg == "--json") a.json = next();
    else {
      std::fprintf(stderr,
                   "usage: %s [--conversations N] [--messages-per M] [--answer-words W] [--searches S] [--opens O] "
                   "[--db PATH] [--json FILE]\n",
                   argv[0]);
      return 2;
    }
  }
  core::disable_logging();
  std::optional<bench::TempDir> tmp;
  std::string path = a.db;
  if (path.empty()) {
    tmp.emplace();
    path = tmp->path + "/history.db";
  }
  const Vocabulary vocab(20000);

  Generated g;
  if (!fs::exists(path)) {
    std::printf("generating %zu conversations x %zu messages in %s ...\n", a.conversations, a.messages_per,
                path.c_str());
    std::fflush(stdout);
    g = generate(path, a, vocab);
    std::printf("generated %llu messages (%.1f MB of text) in %.1f s (%.0f messages/s)\n",
                static_cast<unsigned long long>(g.messages), static_cast<double>(g.content_bytes) / 1e6, g.seconds,
                static_cast<double>(g.messages) / g.seconds);
  }
  std::uint64_t total_messages = 0;
  {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM messages", -1, &s, nullptr);
    if (sqlite3_step(s) == SQLITE_ROW) total_messages = static_cast<std::uint64_t>(sqlite3_column_int64(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(db);
  }
  const auto file_bytes = fs::file_size(path) + (fs::exists(path + "-wal") ? fs::file_size(path + "-wal") : 0);
  const double mb_per_million = static_cast<double>(file_bytes) / 1e6 / (static_cast<double>(total_messages) / 1e6);

  // ---- yollayah --continue: open and load the last conversation.
  evict(path);
  const OpenTimes cold = continue_once(path);
  std::vector<double> open_ms, load_ms, total_ms, close_ms;
  for (std::size_t i = 0; i < a.opens; ++i) {
    const OpenTimes t = continue_once(path);
    open_ms.push_back(t.open_ms);
    load_ms.push_back(t.last_ms + t.load_ms);
    total_ms.push_back(t.total_ms);
    close_ms.push_back(t.close_ms);
  }

  // ---- Search and list, through one store.
  asio::io_context io;
  store::HistoryStore::Options o;
  o.path = path;
  store::HistoryStore s(o);
  run(io, s.opened());
  struct Kind {
    const char* name;
    std::vector<double> ms;
    std::size_t hits = 0;
  };
  std::vector<Kind> kinds = {{"common word (rank 1-10)", {}}, {"middle word (rank 100-1000)", {}},
                             {"rare word (rank 5000-20000)", {}}, {"two words", {}},
                             {"prefix, 3 letters and * (opt-in)", {}}, {"no match", {}}};
  std::mt19937 random(99);
  std::vector<double> all_ms, words_ms;  // words: every query but the prefixes
  for (std::size_t i = 0; i < a.searches; ++i) {
    Kind& k = kinds[i % kinds.size()];
    std::string q;
    switch (i % kinds.size()) {
      case 0: q = vocab.at_rank(random() % 10) + " "; break;
      case 1: q = vocab.at_rank(100 + random() % 900) + " "; break;
      case 2: q = vocab.at_rank(5000 + random() % 15000) + " "; break;
      case 3: q = vocab.at_rank(random() % 200) + " " + vocab.at_rank(random() % 2000) + " "; break;
      case 4: q = vocab.at_rank(random() % 2000).substr(0, 3) + "*"; break;
      default: q = "zzqx" + std::to_string(i) + " "; break;
    }
    const auto start = Clock::now();
    auto hits = run(io, s.search(q, 20));
    const double ms = ms_since(start);
    k.ms.push_back(ms);
    all_ms.push_back(ms);
    if (i % kinds.size() != 4) words_ms.push_back(ms);
    if (hits) k.hits += hits->size();
  }
  std::vector<double> list_ms;
  for (int i = 0; i < 50; ++i) {
    const auto start = Clock::now();
    auto list = run(io, s.list_conversations(50, static_cast<std::size_t>(i) * 50));
    list_ms.push_back(ms_since(start));
  }

  // ---- The writes of one answer: user message (durable), answer start, ten checkpoints (each its
  // own transaction, as the one-per-second timer makes them), finish (durable).
  auto last = run(io, s.last_conversation());
  const store::ConversationId c = (*last)->id;
  struct Phase {
    std::vector<double> round_trip_ms;
    std::uint64_t sqlite_us = 0;
    std::uint64_t transactions = 0;
  };
  Phase start_phase, checkpoint_phase, finish_phase;
  auto timed = [&](Phase& p, auto&& queue) {
    const auto before = s.stats();
    const auto t0 = Clock::now();
    queue();
    run(io, s.flush());
    p.round_trip_ms.push_back(ms_since(t0));
    const auto after = s.stats();
    p.sqlite_us += after.write_us - before.write_us;
    p.transactions += after.transactions - before.transactions;
  };
  std::optional<store::MessageId> tip;
  for (std::size_t i = 0; i < a.answers; ++i) {
    store::MessageId ans;
    timed(start_phase, [&] {
      tip = s.add_message({.conversation = c, .parent = tip, .content = sentence(vocab, random, 12)});
      ans = s.add_message({.conversation = c, .parent = tip, .role = store::Role::Assistant, .streaming = true});
    });
    const std::string text = sentence(vocab, random, 300);  // ~2 KB
    for (int k = 1; k <= 10; ++k)
      timed(checkpoint_phase, [&] { s.checkpoint(ans, std::string_view(text).substr(0, text.size() * k / 10)); });
    timed(finish_phase, [&] {
      store::AnswerMeta meta;
      meta.model = "llama3.2:3b";
      meta.elapsed_ms = 10000;
      s.finish_answer(ans, text, meta);
    });
    tip = ans;
  }
  const double n_answers = static_cast<double>(a.answers);
  const double sqlite_us_per_answer =
      static_cast<double>(start_phase.sqlite_us + checkpoint_phase.sqlite_us + finish_phase.sqlite_us) / n_answers;
  const double tx_per_answer =
      static_cast<double>(start_phase.transactions + checkpoint_phase.transactions + finish_phase.transactions) /
      n_answers;
  auto per_tx = [](const Phase& p) {
    return p.transactions ? static_cast<double>(p.sqlite_us) / static_cast<double>(p.transactions) : 0.0;
  };

  // The caller's side of checkpoint(): a lock and a copy of the text, on the token path.
  const store::MessageId streaming =
      s.add_message({.conversation = c, .parent = tip, .role = store::Role::Assistant, .streaming = true});
  const std::string text4k = sentence(vocab, random, 700).substr(0, 4096);
  const std::size_t calls = 200000;
  const auto call_start = Clock::now();
  for (std::size_t i = 0; i < calls; ++i) s.checkpoint(streaming, text4k);
  const double ns_per_call = ms_since(call_start) * 1e6 / static_cast<double>(calls);
  s.finish_answer(streaming, text4k, {});
  run(io, s.flush());

  // ---- Report.
  const Stats search = stats_of(all_ms);
  std::printf("\ndatabase: %llu messages, %.1f MB on disk: %.1f MB per million messages\n",
              static_cast<unsigned long long>(total_messages), static_cast<double>(file_bytes) / 1e6, mb_per_million);
  std::printf("\nyollayah --continue (open + last conversation + load its branch of %zu messages):\n", cold.messages);
  std::printf("  cold (file evicted from the page cache): open %.2f ms, find last %.2f ms, load %.2f ms, total %.2f ms\n",
              cold.open_ms, cold.last_ms, cold.load_ms, cold.total_ms);
  print_stats("warm: open", stats_of(open_ms));
  print_stats("warm: last + load", stats_of(load_ms));
  print_stats("warm: total", stats_of(total_ms));
  print_stats("close (optimize, join)", stats_of(close_ms));
  std::printf("\nsearch, 20 newest hits, through the store (%zu queries):\n", a.searches);
  print_stats("words (every kind but prefixes)", stats_of(words_ms));
  print_stats("all", search);
  for (const auto& k : kinds) {
    char name[64];
    std::snprintf(name, sizeof name, "%s [%zu hits]", k.name, k.hits);
    print_stats(name, stats_of(k.ms));
  }
  print_stats("list, a page of 50", stats_of(list_ms));
  std::printf("\nwrites of one answer (user message, answer start, 10 checkpoints, finish; %zu answers):\n", a.answers);
  std::printf("  on the store's thread: %.0f us in %.1f transactions per answer\n", sqlite_us_per_answer, tx_per_answer);
  std::printf("    user message + answer start (durable): %.0f us per transaction\n", per_tx(start_phase));
  std::printf("    checkpoint (not durable):              %.0f us per transaction\n", per_tx(checkpoint_phase));
  std::printf("    finish (durable):                      %.0f us per transaction\n", per_tx(finish_phase));
  print_stats("round trip: user + answer start", stats_of(start_phase.round_trip_ms));
  print_stats("round trip: one checkpoint", stats_of(checkpoint_phase.round_trip_ms));
  print_stats("round trip: finish", stats_of(finish_phase.round_trip_ms));
  std::printf("  checkpoint() call on the caller's thread, 4 KB text: %.0f ns\n", ns_per_call);

  if (!a.json.empty()) {
    std::FILE* f = std::fopen(a.json.c_str(), "w");
    if (!f) return 1;
    std::fprintf(f, "{\n  \"messages\": %llu, \"file_bytes\": %llu, \"mb_per_million_messages\": %.2f,\n",
                 static_cast<unsigned long long>(total_messages), static_cast<unsigned long long>(file_bytes),
                 mb_per_million);
    std::fprintf(f, "  \"generate_seconds\": %.2f, \"content_bytes\": %llu,\n", g.seconds,
                 static_cast<unsigned long long>(g.content_bytes));
    std::fprintf(f, "  \"continue_cold_ms\": {\"open\": %.3f, \"last\": %.3f, \"load\": %.3f, \"total\": %.3f},\n",
                 cold.open_ms, cold.last_ms, cold.load_ms, cold.total_ms);
    std::fprintf(f, "  \"continue_warm_ms\": {\n");
    json_stats(f, "open", stats_of(open_ms));
    json_stats(f, "last_and_load", stats_of(load_ms));
    json_stats(f, "total", stats_of(total_ms));
    json_stats(f, "close", stats_of(close_ms), true);
    std::fprintf(f, "  },\n  \"search_ms\": {\n");
    json_stats(f, "words", stats_of(words_ms));
    json_stats(f, "all", search);
    for (std::size_t i = 0; i < kinds.size(); ++i) json_stats(f, kinds[i].name, stats_of(kinds[i].ms));
    json_stats(f, "list_page_50", stats_of(list_ms), true);
    std::fprintf(f, "  },\n  \"answer_write_us_on_store_thread\": %.1f, \"transactions_per_answer\": %.2f,\n",
                 sqlite_us_per_answer, tx_per_answer);
    std::fprintf(f, "  \"transaction_us\": {\"start\": %.1f, \"checkpoint\": %.1f, \"finish\": %.1f},\n",
                 per_tx(start_phase), per_tx(checkpoint_phase), per_tx(finish_phase));
    std::fprintf(f, "  \"checkpoint_call_ns\": %.1f\n}\n", ns_per_call);
    std::fclose(f);
  }
  return 0;
}
