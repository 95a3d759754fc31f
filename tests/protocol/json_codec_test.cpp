// JSON codec: round trips of every variant, and golden bytes as Rust serde_json writes them.
#include "protocol/json_codec.hpp"
#include "protocol/json_writer.hpp"
#include "protocol/samples.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <set>

namespace yollayah::protocol {
namespace {

template <class Variant>
std::set<std::size_t> indices_of(const std::vector<Variant>& values) {
  std::set<std::size_t> seen;
  for (const auto& v : values) seen.insert(v.index());
  return seen;
}

TEST(JsonCodec, SamplesCoverEveryVariantOfBothFamilies) {
  EXPECT_EQ(indices_of(samples::sample_messages()).size(), std::variant_size_v<ConductorMessage>);
  EXPECT_EQ(indices_of(samples::sample_events()).size(), std::variant_size_v<SurfaceEvent>);
}

TEST(JsonCodec, EveryConductorMessageRoundTripsAndReencodesByteEqual) {
  for (const auto& message : samples::sample_messages()) {
    SCOPED_TRACE(std::string(variant_name(message)));
    const std::string json = encode(message);
    const auto decoded = decode_message(json);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message << "\n" << json;
    EXPECT_EQ(*decoded, message) << json;
    EXPECT_EQ(encode(*decoded), json);
  }
}

TEST(JsonCodec, EverySurfaceEventRoundTripsAndReencodesByteEqual) {
  for (const auto& event : samples::sample_events()) {
    SCOPED_TRACE(std::string(variant_name(event)));
    const std::string json = encode(event);
    const auto decoded = decode_event(json);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message << "\n" << json;
    EXPECT_EQ(*decoded, event) << json;
    EXPECT_EQ(encode(*decoded), json);
  }
}

TEST(JsonCodec, EveryKindOfTheDataCarryingEnumsRoundTrips) {
  std::vector<ConductorMessage> messages;
  for (int k = 0; k <= static_cast<int>(ContentType::Kind::Quote); ++k) {
    messages.push_back(msg::Message{"m", MessageRole::User, "c",
                                    {static_cast<ContentType::Kind>(k), k == 2 ? "rust" : ""}});
  }
  for (int k = 0; k <= static_cast<int>(AvatarPosition::Kind::Percent); ++k) {
    const auto kind = static_cast<AvatarPosition::Kind>(k);
    const bool percent = kind == AvatarPosition::Kind::Percent;
    messages.push_back(msg::AvatarMoveTo{{kind, std::uint8_t(percent ? 3 : 0), std::uint8_t(percent ? 4 : 0)}});
  }
  for (int k = 0; k <= static_cast<int>(AvatarGesture::Kind::Wiggle); ++k) {
    messages.push_back(msg::AvatarGesture{{static_cast<AvatarGesture::Kind>(k), PeekDirection::Right}, 9});
  }
  for (PeekDirection d : {PeekDirection::Left, PeekDirection::Right, PeekDirection::Top, PeekDirection::Bottom}) {
    messages.push_back(msg::AvatarGesture{{AvatarGesture::Kind::Peek, d}, 1});
  }
  const ConversationState states[] = {{ConversationState::Kind::Idle, ""},
                                      {ConversationState::Kind::Streaming, "m1"},
                                      {ConversationState::Kind::WaitingForAgent, ""},
                                      {ConversationState::Kind::Completed, "sum"},
                                      {ConversationState::Kind::Error, "boom"}};
  for (const auto& s : states) messages.push_back(msg::ConversationStateChanged{"c", s});
  const LayoutDirective directives[] = {{LayoutDirective::Kind::ShowPanel, PanelId::Developer, ""},
                                        {LayoutDirective::Kind::HidePanel, PanelId::Settings, ""},
                                        {LayoutDirective::Kind::FocusInput, PanelId::Tasks, ""},
                                        {LayoutDirective::Kind::ScrollToMessage, PanelId::Tasks, "m"},
                                        {LayoutDirective::Kind::ScrollToTask, PanelId::Tasks, "t"},
                                        {LayoutDirective::Kind::ToggleDeveloperMode, PanelId::Tasks, ""}};
  for (const auto& d : directives) messages.push_back(msg::LayoutHint{d});
  for (const auto& m : messages) {
    const std::string json = encode(m);
    const auto decoded = decode_message(json);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message << "\n" << json;
    EXPECT_EQ(*decoded, m) << json;
  }

  for (int k = 0; k <= static_cast<int>(SurfaceType::Kind::Custom); ++k) {
    const auto kind = static_cast<SurfaceType::Kind>(k);
    const SurfaceEvent e = ev::Connected{"e", {kind, kind == SurfaceType::Kind::Custom ? "x" : ""}, {}};
    const auto decoded = decode_event(encode(e));
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
    EXPECT_EQ(*decoded, e) << encode(e);
  }
}

// --- Golden bytes, exactly as serde_json writes the Rust enums. ---

TEST(JsonCodec, TokenIsAStructVariantWithFieldsInDeclarationOrder) {
  EXPECT_EQ(encode(ConductorMessage{msg::Token{"msg_7", "Hi"}}),
            R"({"Token":{"message_id":"msg_7","text":"Hi"}})");
}

TEST(JsonCodec, UnitVariantIsABareString) {
  EXPECT_EQ(encode(ConductorMessage{msg::QueryCapabilities{}}), R"("QueryCapabilities")");
}

TEST(JsonCodec, PingIsEighteenBytes) {
  EXPECT_EQ(encode(ConductorMessage{msg::Ping{1}}), R"({"Ping":{"seq":1}})");
}

TEST(JsonCodec, StreamEndWritesEveryMetadataFieldWithNullForAbsentOptionals) {
  ResponseMetadata m;
  m.model_id = "llama3.2";
  m.elapsed_ms = 1234;
  m.token_count = 52;
  m.tokens_per_second = 42.0f;
  EXPECT_EQ(encode(ConductorMessage{msg::StreamEnd{"msg_7", "Done.", m}}),
            R"({"StreamEnd":{"message_id":"msg_7","final_content":"Done.","metadata":{)"
            R"("model_id":"llama3.2","elapsed_ms":1234,"token_count":52,"tokens_per_second":42.0,)"
            R"("agent_tasks_spawned":0,"files_processed":0,"bytes_processed":0,)"
            R"("network_involved":false,"context_hint":null}}})");
}

TEST(JsonCodec, StreamEndWritesExtensionFieldsOnlyWhenPresent) {
  ResponseMetadata m;
  m.model_id = "llama3.2";
  m.backend = "gpu-box";
  m.first_token_ms = 812;
  const std::string json = encode(ConductorMessage{msg::StreamEnd{"m", "", m}});
  EXPECT_NE(json.find(R"("context_hint":null,"backend":"gpu-box","first_token_ms":812}}})"), std::string::npos) << json;
  EXPECT_EQ(json.find("load_ms"), std::string::npos) << json;  // absent: not written at all

  auto decoded = decode_message(json);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  const auto& meta = std::get<msg::StreamEnd>(*decoded).metadata;
  EXPECT_EQ(meta.backend, Extension<std::string>("gpu-box"));
  EXPECT_EQ(meta.first_token_ms, Extension<std::uint64_t>(812));
  EXPECT_FALSE(meta.load_ms);
  EXPECT_EQ(meta, m);
}

TEST(JsonCodec, StreamEndWritesNonIntegralTokensPerSecondAsShortestF32) {
  ResponseMetadata m;
  m.tokens_per_second = 33.333332f;
  m.network_involved = true;
  m.context_hint = "cancelled";
  EXPECT_EQ(encode(ConductorMessage{msg::StreamEnd{"m", "", m}}),
            R"({"StreamEnd":{"message_id":"m","final_content":"","metadata":{)"
            R"("model_id":null,"elapsed_ms":0,"token_count":0,"tokens_per_second":33.333332,)"
            R"("agent_tasks_spawned":0,"files_processed":0,"bytes_processed":0,)"
            R"("network_involved":true,"context_hint":"cancelled"}}})");
}

TEST(JsonCodec, NonFiniteTokensPerSecondIsWrittenAsNull) {
  ResponseMetadata m;
  m.tokens_per_second = std::numeric_limits<float>::infinity();
  EXPECT_NE(encode(ConductorMessage{msg::StreamEnd{"m", "", m}}).find(R"("tokens_per_second":null)"),
            std::string::npos);
  m.tokens_per_second = std::nanf("");
  EXPECT_NE(encode(ConductorMessage{msg::StreamEnd{"m", "", m}}).find(R"("tokens_per_second":null)"),
            std::string::npos);
}

TEST(JsonCodec, NewtypeVariantsAreSingleKeyObjects) {
  const SurfaceEvent e = ev::Connected{"e1", {SurfaceType::Kind::Custom, "my-surface"}, SurfaceCapabilities::tui()};
  EXPECT_EQ(encode(e),
            R"({"Connected":{"event_id":"e1","surface_type":{"Custom":"my-surface"},"capabilities":{)"
            R"("color":true,"avatar":true,"avatar_animations":true,"tasks":true,"streaming":true,)"
            R"("images":false,"audio":false,"rich_text":false,"pointer_input":true,"keyboard_input":true,)"
            R"("clipboard":false,"max_width":0,"max_height":0}}})");
  EXPECT_EQ(encode(ConductorMessage{msg::AvatarGesture{{AvatarGesture::Kind::Peek, PeekDirection::Left}, 1000}}),
            R"({"AvatarGesture":{"gesture":{"Peek":"Left"},"duration_ms":1000}})");
}

TEST(JsonCodec, EnumsWithDataWriteTheirPayloadAsAStruct) {
  EXPECT_EQ(encode(ConductorMessage{msg::AvatarMoveTo{{AvatarPosition::Kind::Percent, 50, 75}}}),
            R"({"AvatarMoveTo":{"position":{"Percent":{"x":50,"y":75}}}})");
  EXPECT_EQ(encode(ConductorMessage{msg::AvatarMoveTo{{AvatarPosition::Kind::Center, 0, 0}}}),
            R"({"AvatarMoveTo":{"position":"Center"}})");
  EXPECT_EQ(encode(ConductorMessage{
                msg::Message{"m", MessageRole::Assistant, "x", {ContentType::Kind::Code, "cpp"}}}),
            R"({"Message":{"id":"m","role":"Assistant","content":"x","content_type":{"Code":{"language":"cpp"}}}})");
  EXPECT_EQ(encode(ConductorMessage{msg::Message{"m", MessageRole::User, "x", {}}}),
            R"({"Message":{"id":"m","role":"User","content":"x","content_type":"Plain"}})");
  EXPECT_EQ(encode(ConductorMessage{
                msg::ConversationStateChanged{"c", {ConversationState::Kind::Streaming, "m"}}}),
            R"({"ConversationStateChanged":{"conversation_id":"c","state":{"Streaming":{"message_id":"m"}}}})");
  EXPECT_EQ(encode(ConductorMessage{msg::ConversationStateChanged{"c", {ConversationState::Kind::Completed, "s"}}}),
            R"({"ConversationStateChanged":{"conversation_id":"c","state":{"Completed":{"summary":"s"}}}})");
  EXPECT_EQ(encode(ConductorMessage{msg::ConversationStateChanged{"c", {ConversationState::Kind::Error, "e"}}}),
            R"({"ConversationStateChanged":{"conversation_id":"c","state":{"Error":{"message":"e"}}}})");
  EXPECT_EQ(encode(ConductorMessage{msg::ConversationStateChanged{"c", {}}}),
            R"({"ConversationStateChanged":{"conversation_id":"c","state":"Idle"}})");
  EXPECT_EQ(encode(ConductorMessage{msg::LayoutHint{{LayoutDirective::Kind::ShowPanel, PanelId::Tasks, ""}}}),
            R"({"LayoutHint":{"directive":{"ShowPanel":{"panel":"Tasks"}}}})");
  EXPECT_EQ(encode(ConductorMessage{msg::LayoutHint{{LayoutDirective::Kind::ScrollToTask, PanelId::Tasks, "t1"}}}),
            R"({"LayoutHint":{"directive":{"ScrollToTask":{"task_id":"t1"}}}})");
  EXPECT_EQ(encode(ConductorMessage{msg::LayoutHint{{LayoutDirective::Kind::ScrollToMessage, PanelId::Tasks, "m1"}}}),
            R"({"LayoutHint":{"directive":{"ScrollToMessage":{"message_id":"m1"}}}})");
  EXPECT_EQ(encode(ConductorMessage{msg::LayoutHint{{LayoutDirective::Kind::FocusInput, PanelId::Tasks, ""}}}),
            R"({"LayoutHint":{"directive":"FocusInput"}})");
}

TEST(JsonCodec, OptionalsAreValueOrNullAndVectorsAreArrays) {
  EXPECT_EQ(encode(ConductorMessage{msg::Notify{NotifyLevel::Warning, std::nullopt, "dropped"}}),
            R"({"Notify":{"level":"Warning","title":null,"message":"dropped"}})");
  EXPECT_EQ(encode(ConductorMessage{msg::TaskUpdated{"t", 42, "half"}}),
            R"({"TaskUpdated":{"task_id":"t","progress":42,"status_message":"half"}})");
  EXPECT_EQ(encode(SurfaceEvent{ev::UserCommand{"e", "model", {"a", "b c"}}}),
            R"({"UserCommand":{"event_id":"e","command":"model","args":["a","b c"]}})");
  EXPECT_EQ(encode(SurfaceEvent{ev::UserCommand{"e", "help", {}}}),
            R"({"UserCommand":{"event_id":"e","command":"help","args":[]}})");
  EXPECT_EQ(encode(ConductorMessage{msg::HandshakeAck{true, "c1", std::nullopt, 2}}),
            R"({"HandshakeAck":{"accepted":true,"connection_id":"c1","rejection_reason":null,"protocol_version":2}})");
  EXPECT_EQ(encode(SurfaceEvent{ev::Pong{18446744073709551615ULL}}), R"({"Pong":{"seq":18446744073709551615}})");
}

TEST(JsonCodec, StateSnapshotNestsStructsInWireOrder) {
  msg::StateSnapshot s;
  s.conversation_history = {{"m1", MessageRole::User, "hi", {}, 17}};
  s.avatar_state.current_gesture = AvatarGesture{AvatarGesture::Kind::Wave, PeekDirection::Right};
  s.session_info = {"s1", "yollayah", true, ConductorState::Ready, 16, 1};
  EXPECT_EQ(encode(ConductorMessage{s}),
            R"({"StateSnapshot":{"conversation_history":[{"id":"m1","role":"User","content":"hi",)"
            R"("content_type":"Plain","timestamp":17}],"avatar_state":{"position":"BottomRight",)"
            R"("mood":"Happy","size":"Medium","visible":true,"wandering":true,"current_gesture":"Wave",)"
            R"("current_reaction":null},"session_info":{"session_id":"s1","model":"yollayah",)"
            R"("ready":true,"state":"Ready","created_at":16,"message_count":1}}})");
}

TEST(JsonCodec, EncodeIntoAppendsToExistingContent) {
  std::string out = "prefix|";
  encode_into(out, ConductorMessage{msg::Ping{7}});
  encode_into(out, SurfaceEvent{ev::Pong{7}});
  EXPECT_EQ(out, R"(prefix|{"Ping":{"seq":7}}{"Pong":{"seq":7}})");
}

// --- String escaping, as serde_json does it. ---

std::string escaped(std::string_view s) {
  std::string out;
  json::write_string(out, s);
  return out;
}

TEST(JsonWriter, EscapesQuoteBackslashAndShortFormControls) {
  EXPECT_EQ(escaped("\""), R"("\"")");
  EXPECT_EQ(escaped("\\"), R"("\\")");
  EXPECT_EQ(escaped("\n"), R"("\n")");
  EXPECT_EQ(escaped("\r"), R"("\r")");
  EXPECT_EQ(escaped("\t"), R"("\t")");
  EXPECT_EQ(escaped("\b"), R"("\b")");
  EXPECT_EQ(escaped("\f"), R"("\f")");
}

TEST(JsonWriter, EscapesOtherControlsAsLowercaseU00XX) {
  EXPECT_EQ(escaped(std::string_view("\0", 1)), R"("\u0000")");
  EXPECT_EQ(escaped("\x01"), R"("\u0001")");
  EXPECT_EQ(escaped("\x0b"), R"("\u000b")");
  EXPECT_EQ(escaped("\x1b[31m"), R"("\u001b[31m")");
  EXPECT_EQ(escaped("\x1f"), R"("\u001f")");
}

TEST(JsonWriter, EveryControlCharacterIsEscaped) {
  for (int c = 0; c < 0x20; ++c) {
    const std::string out = escaped(std::string(1, static_cast<char>(c)));
    EXPECT_EQ(out[1], '\\') << c;
    EXPECT_TRUE(out.size() == 4 || out.size() == 8) << c;
  }
}

TEST(JsonWriter, LeavesSlashDelAndNonAsciiRaw) {
  EXPECT_EQ(escaped("a/b"), R"("a/b")");
  EXPECT_EQ(escaped("\x7f"), "\"\x7f\"");
  EXPECT_EQ(escaped("é 🦎 \u2028"), "\"é 🦎 \u2028\"");
  EXPECT_EQ(escaped("plain text"), R"("plain text")");
  EXPECT_EQ(escaped(""), R"("")");
}

TEST(JsonWriter, EscapesInTheMiddleOfLongRuns) {
  EXPECT_EQ(escaped("line one\nline \"two\"\ttail"), R"("line one\nline \"two\"\ttail")");
}

// --- f32 as serde_json (ryu format32) writes it. ---

std::string f32(float v) {
  std::string out;
  json::write_f32(out, v);
  return out;
}

TEST(JsonWriter, F32IntegralValuesKeepADotZero) {
  EXPECT_EQ(f32(42.0f), "42.0");
  EXPECT_EQ(f32(1.0f), "1.0");
  EXPECT_EQ(f32(100.0f), "100.0");
  EXPECT_EQ(f32(0.0f), "0.0");
  EXPECT_EQ(f32(-0.0f), "-0.0");
  EXPECT_EQ(f32(16777216.0f), "16777216.0");
  EXPECT_EQ(f32(123456789.0f), "123456790.0");
  EXPECT_EQ(f32(1e12f), "1000000000000.0");
}

TEST(JsonWriter, F32UsesShortestRoundTripDigits) {
  EXPECT_EQ(f32(33.333332f), "33.333332");
  EXPECT_EQ(f32(0.1f), "0.1");
  EXPECT_EQ(f32(0.3f), "0.3");
  EXPECT_EQ(f32(-1.5f), "-1.5");
  EXPECT_EQ(f32(3.14159265f), "3.1415927");
  EXPECT_EQ(f32(1234.5677f), "1234.5677");
  EXPECT_EQ(f32(0.00001f), "0.00001");
  EXPECT_EQ(f32(1e-6f), "0.000001");
  EXPECT_EQ(f32(1.25e-6f), "0.00000125");
}

TEST(JsonWriter, F32UsesRyuExponentFormOutsideItsDecimalRange) {
  EXPECT_EQ(f32(1e13f), "1e13");
  EXPECT_EQ(f32(1e20f), "1e20");
  EXPECT_EQ(f32(1.5e-7f), "1.5e-7");
  EXPECT_EQ(f32(1e-7f), "1e-7");
  EXPECT_EQ(f32(-2.5e15f), "-2.5e15");
  EXPECT_EQ(f32(std::numeric_limits<float>::max()), "3.4028235e38");
  EXPECT_EQ(f32(std::numeric_limits<float>::min()), "1.1754944e-38");
  EXPECT_EQ(f32(std::numeric_limits<float>::denorm_min()), "1e-45");
}

TEST(JsonWriter, F32NonFiniteIsNull) {
  EXPECT_EQ(f32(std::numeric_limits<float>::infinity()), "null");
  EXPECT_EQ(f32(-std::numeric_limits<float>::infinity()), "null");
  EXPECT_EQ(f32(std::numeric_limits<float>::quiet_NaN()), "null");
}

TEST(JsonWriter, F32OutputReadsBackToTheSameFloat) {
  // Walk a spread of bit patterns over the whole finite range.
  for (std::uint32_t bits = 1; bits < 0x7f800000u; bits += 0x00012345u) {
    float v;
    std::memcpy(&v, &bits, sizeof v);
    const std::string s = f32(v);
    EXPECT_EQ(std::strtof(s.c_str(), nullptr), v) << s;
  }
}

}  // namespace
}  // namespace yollayah::protocol
