// The version-2 extensions of branches and the history picker (issue 11): an answer's and a
// message's place among its versions, a snapshot's meta lines and focus, an edited user message,
// HistoryList and SearchResults. Absent, they leave version 1's bytes exactly as they were.
#include "protocol/json_codec.hpp"

#include <gtest/gtest.h>

namespace yollayah::protocol {
namespace {

template <class T>
T round_trip_message(const T& value) {
  auto decoded = decode_message(encode(ConductorMessage{value}));
  EXPECT_TRUE(decoded.has_value()) << decoded.error().message;
  return decoded ? std::get<T>(*decoded) : T{};
}

TEST(BranchExtensions, StreamEndCarriesTheAnswersPositionAfterEveryOtherField) {
  ResponseMetadata m;
  m.model_id = "llama3.2";
  m.branch = BranchPosition{2, 3};
  const msg::StreamEnd end{"msg_4", "again", m};
  const std::string json = encode(ConductorMessage{end});
  EXPECT_NE(json.find(R"("context_hint":null,"branch":{"index":2,"count":3}}}})"), std::string::npos) << json;
  EXPECT_EQ(round_trip_message(end), end);
}

TEST(BranchExtensions, WithoutAPositionStreamEndKeepsTheVersion1Bytes) {
  ResponseMetadata m;
  m.model_id = "llama3.2";
  EXPECT_EQ(encode(ConductorMessage{msg::StreamEnd{"m", "x", m}}),
            R"({"StreamEnd":{"message_id":"m","final_content":"x","metadata":{"model_id":"llama3.2",)"
            R"("elapsed_ms":0,"token_count":0,"tokens_per_second":null,"agent_tasks_spawned":0,)"
            R"("files_processed":0,"bytes_processed":0,"network_involved":false,"context_hint":null}}})");
}

TEST(BranchExtensions, ABranchWithoutItsCountIsRejected) {
  const auto decoded = decode_message(
      R"({"StreamEnd":{"message_id":"m","final_content":"","metadata":{"branch":{"index":2}}}})");
  ASSERT_FALSE(decoded.has_value());
  EXPECT_NE(decoded.error().message.find("count"), std::string::npos) << decoded.error().message;
}

TEST(BranchExtensions, SnapshotMessagesCarryTheirVersionAndMetaLineOnlyWhenGiven) {
  msg::StateSnapshot s;
  SnapshotMessage plain{"m1", MessageRole::User, "hi", {}, 17};
  SnapshotMessage answer{"m2", MessageRole::Assistant, "yo", {}, 18};
  answer.branch = BranchPosition{1, 2};
  answer.metadata = ResponseMetadata{};
  answer.metadata->model_id = "qwen";
  answer.metadata->elapsed_ms = 900;
  s.conversation_history = {plain, answer};
  const std::string json = encode(ConductorMessage{s});
  EXPECT_NE(json.find(R"({"id":"m1","role":"User","content":"hi","content_type":"Plain","timestamp":17},)"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("timestamp":18,"branch":{"index":1,"count":2},"metadata":{"model_id":"qwen","elapsed_ms":900,)"),
            std::string::npos)
      << json;
  EXPECT_EQ(round_trip_message(s), s);
}

TEST(BranchExtensions, AnEditedUserMessageNamesTheMessageItEditsAndAPlainOneKeepsItsBytes) {
  ev::UserMessage edit{"evt_3", "better question"};
  edit.edits = "msg_1";
  const std::string json = encode(SurfaceEvent{edit});
  EXPECT_EQ(json, R"({"UserMessage":{"event_id":"evt_3","content":"better question","edits":"msg_1"}})");
  auto decoded = decode_event(json);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(std::get<ev::UserMessage>(*decoded), edit);
  EXPECT_EQ(encode(SurfaceEvent{ev::UserMessage{"evt_3", "q"}}), R"({"UserMessage":{"event_id":"evt_3","content":"q"}})");
}

TEST(BranchExtensions, HistoryListIsAVersion2MessageWithOneObjectPerConversation) {
  msg::HistoryList list;
  list.entries = {{"c-1", "Salt", 10, 20, "llama3.2", 4, "what goes with salt?", true}};
  EXPECT_EQ(msg::HistoryList::kSince, kProtocolV2);
  const std::string json = encode(ConductorMessage{list});
  EXPECT_EQ(json, R"({"HistoryList":{"entries":[{"id":"c-1","title":"Salt","created_ms":10,"updated_ms":20,)"
                  R"("model":"llama3.2","message_count":4,"first_line":"what goes with salt?","current":true}]}})");
  EXPECT_EQ(round_trip_message(list), list);
}

TEST(BranchExtensions, SearchResultsIsAVersion2MessageWithTheQueryAndOneObjectPerMatch) {
  msg::SearchResults found;
  found.query = "salt";
  found.entries = {{"c-1", "m-7", "Salt", MessageRole::User, 30, "…a pinch of «salt»…"}};
  EXPECT_EQ(msg::SearchResults::kSince, kProtocolV2);
  const std::string json = encode(ConductorMessage{found});
  EXPECT_EQ(json, R"({"SearchResults":{"query":"salt","entries":[{"conversation_id":"c-1","message_id":"m-7",)"
                  R"("conversation_title":"Salt","role":"User","created_ms":30,"snippet":"…a pinch of «salt»…"}]}})");
  EXPECT_EQ(round_trip_message(found), found);
  EXPECT_EQ(encode(ConductorMessage{msg::SearchResults{"nowhere", {}}}), R"({"SearchResults":{"query":"nowhere","entries":[]}})");
}

TEST(BranchExtensions, ASnapshotNamesItsFocusLastAndWithoutOneKeepsTheVersion1Bytes) {
  msg::StateSnapshot s;
  s.conversation_history = {SnapshotMessage{"m1", MessageRole::User, "hi", {}, 17}};
  const std::string plain = encode(ConductorMessage{s});
  EXPECT_EQ(plain.find("focus"), std::string::npos) << plain;
  EXPECT_EQ(plain.substr(plain.size() - 3), "}}}") << plain;  // session_info closes it, as in version 1
  s.focus = "m1";
  const std::string json = encode(ConductorMessage{s});
  ASSERT_GT(json.size(), plain.size());
  EXPECT_EQ(json.substr(0, plain.size() - 2), plain.substr(0, plain.size() - 2)) << json;
  EXPECT_EQ(json.substr(plain.size() - 2), R"(,"focus":"m1"}})") << json;
  EXPECT_EQ(round_trip_message(s), s);
  auto old = decode_message(plain);
  ASSERT_TRUE(old.has_value()) << old.error().message;
  EXPECT_FALSE(std::get<msg::StateSnapshot>(*old).focus.has_value());
}

}  // namespace
}  // namespace yollayah::protocol
