// A child process for the store's fault tests: it writes to a history database through a real
// HistoryStore and says on stdout what is committed, so the test can kill it at any moment and
// check that nothing committed was lost. Not a product binary.
//
//   store_test_writer churn DB         turns forever: user message, streaming answer, checkpoints, finish
//   store_test_writer count DB N CONV  N messages into conversation CONV and N into one of its own
#include "store/history_store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

namespace asio = boost::asio;
using namespace yollayah::store;

namespace {

void say(const std::string& line) {
  const std::string out = line + "\n";
  [[maybe_unused]] auto n = ::write(STDOUT_FILENO, out.data(), out.size());  // one write: lines stay whole
}

std::string answer_text(std::size_t words) {
  std::string out;
  for (std::size_t i = 0; i < words; ++i) out += "word" + std::to_string(i) + " ";
  return out;
}

asio::awaitable<void> churn(HistoryStore& store) {
  std::mt19937 random{static_cast<unsigned>(::getpid())};
  asio::steady_timer timer(co_await asio::this_coro::executor);
  ConversationId conversation;
  std::optional<MessageId> tip;
  for (int turn = 0;; ++turn) {
    if (turn % 5 == 0) {
      conversation = store.create_conversation({.title = "", .model = "sim", .surface = "test"});
      tip.reset();
    }
    NewMessage question;
    question.conversation = conversation;
    question.parent = tip;
    question.content = "question " + std::to_string(turn);
    const MessageId q = store.add_message(question);
    auto flushed = co_await store.flush();
    if (!flushed) std::exit(3);
    say("C " + q);

    NewMessage answer;
    answer.conversation = conversation;
    answer.parent = q;
    answer.role = Role::Assistant;
    answer.streaming = true;
    answer.model = "sim";
    const MessageId a = store.add_message(answer);
    const std::size_t words = 20 + random() % 180;
    for (std::size_t i = 1; i <= words; ++i) {
      store.checkpoint(a, answer_text(i));
      if (i % 25 == 0) {
        auto partial = co_await store.flush();
        if (!partial) std::exit(3);
        say("P " + a + " " + std::to_string(answer_text(i).size()));
      }
      timer.expires_after(std::chrono::microseconds(200 + random() % 800));
      co_await timer.async_wait(asio::use_awaitable);
    }
    AnswerMeta meta;
    meta.model = "sim";
    meta.elapsed_ms = words;
    meta.token_count = static_cast<std::uint32_t>(words);
    store.finish_answer(a, answer_text(words), meta);
    auto finished = co_await store.flush();
    if (!finished) std::exit(3);
    say("F " + a + " " + std::to_string(answer_text(words).size()));
    tip = a;
  }
}

asio::awaitable<void> count(HistoryStore& store, int n, ConversationId shared) {
  const ConversationId own = store.create_conversation({.title = "own", .surface = "test"});
  std::optional<MessageId> shared_tip, own_tip;
  for (int i = 0; i < n; ++i) {
    NewMessage m;
    m.conversation = shared;
    m.parent = shared_tip;
    m.content = "shared " + std::to_string(::getpid()) + " " + std::to_string(i);
    shared_tip = store.add_message(m);
    m.conversation = own;
    m.parent = own_tip;
    m.content = "own " + std::to_string(i);
    own_tip = store.add_message(m);
    // A transaction each: the two processes take turns at the write lock as often as possible.
    auto flushed = co_await store.flush();
    if (!flushed) {
      say("error " + flushed.error().message);
      std::exit(3);
    }
  }
  say("done " + std::to_string(n));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: store_test_writer churn DB | count DB N CONVERSATION\n");
    return 2;
  }
  const std::string mode = argv[1];
  asio::io_context io(1);
  HistoryStore::Options options;
  options.path = argv[2];
  options.checkpoint_interval = std::chrono::milliseconds(5);
  HistoryStore store(options);
  if (mode == "churn") {
    asio::co_spawn(io, churn(store), asio::detached);
  } else if (mode == "count" && argc == 5) {
    asio::co_spawn(io, count(store, std::atoi(argv[3]), argv[4]), asio::detached);
  } else {
    return 2;
  }
  io.run();
  return 0;
}
