// Turn: one answer's own state, fed chunk by chunk; and the summaries agents report.
#include "conductor/turn.hpp"

#include <gtest/gtest.h>

namespace yollayah::conductor {
namespace {

Turn make(std::size_t cap = 1024 * 1024, TurnKind kind = TurnKind::Chat) {
  Turn::Options o;
  o.kind = kind;
  o.id = "msg_1";
  o.agents = Agents::builtin();
  o.max_answer_bytes = cap;
  return Turn(std::move(o));
}

TEST(Turn, FeedsCleanTextAndCollectsTagsAcrossChunks) {
  Turn t = make();
  EXPECT_FALSE(t.feed("Hello [yolla:wa"));
  EXPECT_FALSE(t.feed("ve] world"));
  t.finish();
  EXPECT_EQ(t.take_pending(), "Hello  world");
  EXPECT_EQ(t.text(), "") << "a main turn's text is kept by the history, not a second time by the turn";
  ASSERT_EQ(t.commands().size(), 1u);
  EXPECT_EQ(t.chunks(), 2u);
}

TEST(Turn, AnAgentsTurnKeepsTheTextItSent) {
  Turn t = make(1024 * 1024, TurnKind::Agent);
  EXPECT_FALSE(t.feed("Found [yolla:wa"));
  EXPECT_FALSE(t.feed("ve] two"));
  EXPECT_EQ(t.take_pending(), "Found  two");
  EXPECT_FALSE(t.feed(" bugs"));
  t.finish();
  EXPECT_EQ(t.take_pending(), " bugs");
  EXPECT_EQ(t.text(), "Found  two bugs");
}

TEST(Turn, ReachingTheCapKeepsWhatFitsAndAddsTheNoteWhenCut) {
  Turn t = make(1024);
  EXPECT_FALSE(t.feed(std::string(1000, 'a')));
  EXPECT_TRUE(t.feed(std::string(100, 'b')));
  t.stop(TurnStop::Cut);
  EXPECT_FALSE(t.feed("more"));  // ignored once cut
  t.finish();
  const std::string text = t.take_pending();
  EXPECT_EQ(text.substr(0, 1024), std::string(1000, 'a') + std::string(24, 'b'));
  EXPECT_NE(text.find("The answer was cut here: it reached 1 KiB"), std::string::npos);
  EXPECT_TRUE(t.cut());
}

TEST(Turn, TheFirstStopReasonIsKept) {
  Turn t = make();
  t.stop(TurnStop::TimedOut);
  t.stop(TurnStop::Cancelled);
  EXPECT_EQ(t.stop_reason(), TurnStop::TimedOut);
}

TEST(Turn, FlushIsDueAfterManyChunks) {
  Turn t = make();
  for (std::uint32_t i = 0; i + 1 < Turn::kMaxLinesPerFlush; ++i) t.feed("x");
  EXPECT_FALSE(t.flush_due());
  t.feed("x");
  EXPECT_TRUE(t.flush_due());
  t.take_pending();
  EXPECT_FALSE(t.flush_due());
}

TEST(Turn, ATagStormCountsTheTaskStartsPastTheLimit) {
  Turn t = make();
  std::string storm;
  for (int i = 0; i < 1000; ++i) storm += "[yolla:task start qa-engineer t" + std::to_string(i) + "]";
  t.feed(storm);
  EXPECT_EQ(t.commands().size(), TagParser::kMaxCommands);
  EXPECT_EQ(t.task_starts_over_limit(), 1000u - TagParser::kMaxCommands);
}

TEST(Summarise, TakesTheFirstParagraphOnOneLine) {
  EXPECT_EQ(summarise("## Findings\nThe schema\nis fine.\n\nMore detail."), "Findings The schema is fine. …");
  EXPECT_EQ(summarise("Short."), "Short.");
  const std::string longer(300, 'x');
  EXPECT_EQ(summarise(longer, 10), "xxxxxxxxxx…");
  EXPECT_EQ(summarise("ñññññ", 5), "ññ…");  // cut on a character boundary
}

TEST(LastLine, IsTheLastNonEmptyLineEndingWithWhatIsWrittenNow) {
  EXPECT_EQ(last_line("one\ntwo\n\n"), "two");
  EXPECT_EQ(last_line("single"), "single");
  EXPECT_EQ(last_line("a\n" + std::string(10, 'x') + "yz", 4), "…xxyz");
  EXPECT_EQ(last_line("é" + std::string(2, 'x'), 3), "…xx");  // never starts inside a character
}

}  // namespace
}  // namespace yollayah::conductor
