// What the tests of the history's chat commands share: a session with a store over ollama-sim,
// surfaces that have joined it, and helpers that ask, run a command and wait for its answer.
#pragma once

#include "conductor/history_service.hpp"
#include "integration/harness.hpp"
#include "integration/history_support.hpp"
#include "support/sim_process.hpp"

#include <ranges>
#include <string>
#include <string_view>
#include <vector>

namespace yollayah::test::history_commands {

// "alpha question" anywhere in the context makes the sim answer "Remembered alpha"; anything else
// gets "Plain answer".
inline std::vector<std::string> sim_args() {
  return {"--script", write_temp_file("Plain\n answer\n"), "--route",
          "alpha question=" + write_temp_file("Remembered\n alpha\n")};
}

inline ev::UserCommand command(std::string name, std::vector<std::string> args = {}) {
  return ev::UserCommand{"evt_cmd", std::move(name), std::move(args)};
}

inline std::size_t notes_with(const RecordingSurface& s, std::string_view needle) {
  std::size_t n = 0;
  for (const auto& m : s.all<msg::Message>())
    if (m.role == protocol::MessageRole::System && m.content.find(needle) != std::string::npos) ++n;
  return n;
}

inline std::string last_note(const RecordingSurface& s) {
  for (const auto& m : s.all<msg::Message>() | std::views::reverse)
    if (m.role == protocol::MessageRole::System) return m.content;
  return {};
}

inline bool notified(const RecordingSurface& s, std::string_view needle) {
  for (const auto& n : s.all<msg::Notify>())
    if (n.message.find(needle) != std::string::npos) return true;
  return false;
}

// Sends `text` and waits for its answer; returns the answer's text.
inline std::string ask(RecordingSurface& s, std::string text) {
  const auto before = s.count<msg::StreamEnd>();
  s.send(ev::UserMessage{"evt_msg", std::move(text)});
  EXPECT_TRUE(s.run_until_count<msg::StreamEnd>(before + 1));
  const auto ends = s.all<msg::StreamEnd>();
  return ends.empty() ? std::string() : ends.back().final_content;
}

// Sends a command and waits for one more system note containing `needle`.
inline bool run_command(RecordingSurface& s, ev::UserCommand c, std::string_view needle) {
  const auto before = notes_with(s, needle);
  s.send(std::move(c));
  return s.run_until([&](const RecordingSurface& r) { return notes_with(r, needle) > before; });
}

// /new, and its answer.
inline void start_new(RecordingSurface& s) {
  s.send(command("new"));
  ASSERT_TRUE(s.run_until([](const RecordingSurface& r) { return notified(r, "New conversation"); }));
}

// Asks `text`, then /retry, and waits for the second answer: two versions of one answer.
inline void ask_and_retry(RecordingSurface& s, const std::string& text) {
  ask(s, text);
  const auto ends = s.count<msg::StreamEnd>();
  s.send(command("retry"));
  ASSERT_TRUE(s.run_until_count<msg::StreamEnd>(ends + 1));
}

struct Fixture {
  explicit Fixture(std::vector<std::string> args = sim_args())
      : sim(std::move(args)), history(io.get_executor(), dir.file("history.db")), cut(io, sim.url()) {
    cut.conductor.set_history(&history, "test");
  }
  std::vector<store::ConversationSummary> list() {
    EXPECT_TRUE(await(io, history.store().flush()).has_value());
    auto l = await(io, history.store().list_conversations(50));
    return l ? *l : std::vector<store::ConversationSummary>{};
  }

  SimProcess sim;
  TempDir dir;
  asio::io_context io;
  conductor::HistoryService history;
  ConductorUnderTest cut;  // after the history: destroyed first
};

// A store, a session and a version-2 surface that has joined.
struct Joined : Fixture {
  Joined() { EXPECT_TRUE(s.join()); }
  RecordingSurface s{io, cut.conductor};
};

// The same with a version-1 surface beside it.
struct TwoVersions : Fixture {
  TwoVersions() {
    EXPECT_TRUE(v2.join(2));
    EXPECT_TRUE(v1.join(1));
  }
  RecordingSurface v2{io, cut.conductor};
  RecordingSurface v1{io, cut.conductor};
};

// The id the session gave the last user message (what a surface edits).
inline std::string last_user_id(const RecordingSurface& s) {
  for (const auto& m : s.all<msg::Message>() | std::views::reverse)
    if (m.role == protocol::MessageRole::User) return m.id;
  return {};
}

// Sends `text` as an edit of the last user message and waits for its answer.
inline std::string edit_last(RecordingSurface& s, std::string text) {
  ev::UserMessage m{"evt_edit", std::move(text)};
  m.edits = last_user_id(s);
  const auto before = s.count<msg::StreamEnd>();
  s.send(std::move(m));
  EXPECT_TRUE(s.run_until_count<msg::StreamEnd>(before + 1));
  const auto ends = s.all<msg::StreamEnd>();
  return ends.empty() ? std::string() : ends.back().final_content;
}

// The id of the last answer the surface saw end.
inline std::string last_answer_id(const RecordingSurface& s) {
  const auto ends = s.all<msg::StreamEnd>();
  return ends.empty() ? std::string() : ends.back().message_id;
}

}  // namespace yollayah::test::history_commands
