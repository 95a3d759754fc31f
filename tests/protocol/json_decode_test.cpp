// JSON decoding: serde's leniencies (unknown fields, missing optionals and defaults) and every way
// bad input fails, each with the right kind and a message that names the place.
#include "protocol/json_codec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace yollayah::protocol {
namespace {

using ::testing::HasSubstr;
using Kind = ProtocolError::Kind;

template <class T>
const T& as(const ConductorMessage& m) {
  return std::get<T>(m);
}

ProtocolError message_error(std::string_view json) {
  const auto r = decode_message(json);
  EXPECT_FALSE(r.has_value()) << json;
  return r.has_value() ? ProtocolError{} : r.error();
}

ProtocolError event_error(std::string_view json) {
  const auto r = decode_event(json);
  EXPECT_FALSE(r.has_value()) << json;
  return r.has_value() ? ProtocolError{} : r.error();
}

// --- What decoding accepts. ---

TEST(JsonDecode, IgnoresUnknownFieldsAtEveryLevel) {
  const auto r = decode_message(
      R"({"Token":{"extra":{"deep":[1,2,{"x":null}]},"message_id":"m","text":"t","more":true}})");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(as<msg::Token>(*r), (msg::Token{"m", "t"}));
}

TEST(JsonDecode, AcceptsFieldsInAnyOrderAndWhitespace) {
  const auto r = decode_message(" {\n \"Token\" : { \"text\" : \"t\" ,\t\"message_id\":\"m\" } }\r\n");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(as<msg::Token>(*r), (msg::Token{"m", "t"}));
}

TEST(JsonDecode, MissingOptionalFieldMeansAbsent) {
  const auto r = decode_message(R"({"Notify":{"level":"Info","message":"x"}})");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(as<msg::Notify>(*r).title, std::nullopt);
  const auto n = decode_message(R"({"Notify":{"level":"Info","title":null,"message":"x"}})");
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(as<msg::Notify>(*n).title, std::nullopt);
}

TEST(JsonDecode, MissingContentTypeMeansPlain) {
  const auto r = decode_message(R"({"Message":{"id":"m","role":"User","content":"hi"}})");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(as<msg::Message>(*r).content_type.kind, ContentType::Kind::Plain);
}

TEST(JsonDecode, EveryMissingMetadataFieldTakesItsDefault) {
  const auto r = decode_message(R"({"StreamEnd":{"message_id":"m","final_content":"x","metadata":{}}})");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(as<msg::StreamEnd>(*r).metadata, ResponseMetadata{});
  const auto p = decode_message(
      R"({"StreamEnd":{"message_id":"m","final_content":"x","metadata":{"token_count":5,"tokens_per_second":12}}})");
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(as<msg::StreamEnd>(*p).metadata.token_count, 5u);
  EXPECT_EQ(as<msg::StreamEnd>(*p).metadata.tokens_per_second, 12.0f);
  EXPECT_EQ(as<msg::StreamEnd>(*p).metadata.elapsed_ms, 0u);
}

TEST(JsonDecode, UnitVariantAlsoAcceptsTheNullPayloadForm) {
  const auto r = decode_message(R"({"QueryCapabilities":null})");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(std::holds_alternative<msg::QueryCapabilities>(*r));
  const auto s = decode_message(R"({"State":{"state":{"Ready":null}}})");
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(as<msg::State>(*s).state, ConductorState::Ready);
}

TEST(JsonDecode, UnicodeEscapesBecomeRawUtf8) {
  const auto r = decode_message(R"({"Token":{"message_id":"m","text":"\u00e9\ud83e\udd8e\n\/"}})");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(as<msg::Token>(*r).text, "é🦎\n/");
  EXPECT_EQ(encode(*r), "{\"Token\":{\"message_id\":\"m\",\"text\":\"é🦎\\n/\"}}");
}

TEST(JsonDecode, IntegersAcceptTheirFullRange) {
  const auto r = decode_message(R"({"AvatarPointAt":{"x_percent":255,"y_percent":0}})");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(as<msg::AvatarPointAt>(*r).x_percent, 255);
  const auto p = decode_message(R"({"Ping":{"seq":18446744073709551615}})");
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(as<msg::Ping>(*p).seq, 18446744073709551615ULL);
  const auto e = decode_event(R"({"Resized":{"event_id":"e","width":4294967295,"height":0}})");
  ASSERT_TRUE(e.has_value()) << e.error().message;
  EXPECT_EQ(std::get<ev::Resized>(*e).width, 4294967295u);
}

TEST(JsonDecode, F32ReadsAnyJsonNumber) {
  const auto r = decode_message(
      R"({"StreamEnd":{"message_id":"m","final_content":"","metadata":{"tokens_per_second":1.5e-7}}})");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(as<msg::StreamEnd>(*r).metadata.tokens_per_second, 1.5e-7f);
  EXPECT_THAT(encode(*r), HasSubstr(R"("tokens_per_second":1.5e-7,)"));
}

// --- What decoding rejects. ---

TEST(JsonDecode, F32OutOfRangeIsWrongTypeRatherThanInfinity) {
  const auto e = message_error(
      R"({"StreamEnd":{"message_id":"m","final_content":"","metadata":{"tokens_per_second":1e39}}})");
  EXPECT_EQ(e.kind, Kind::WrongType);
  EXPECT_EQ(e.message, "StreamEnd.metadata.tokens_per_second: expected f32, got 1e+39");
}

TEST(JsonDecode, MissingRequiredFieldIsMissingFieldNamingIt) {
  const auto e = message_error(R"({"Token":{"message_id":"m"}})");
  EXPECT_EQ(e.kind, Kind::MissingField);
  EXPECT_EQ(e.message, R"(Token: missing field "text")");
}

TEST(JsonDecode, MissingNestedFieldNamesTheFullPath) {
  const auto e = message_error(
      R"({"StateSnapshot":{"conversation_history":[{"id":"m","role":"User","content":"c","timestamp":1},)"
      R"({"id":"m2","role":"User","content":"c"}],"avatar_state":{},"session_info":{}}})");
  EXPECT_EQ(e.kind, Kind::MissingField);
  EXPECT_EQ(e.message, R"(StateSnapshot.conversation_history[1]: missing field "timestamp")");
}

TEST(JsonDecode, MissingMetadataObjectItselfIsMissingField) {
  const auto e = message_error(R"({"StreamEnd":{"message_id":"m","final_content":"x"}})");
  EXPECT_EQ(e.kind, Kind::MissingField);
  EXPECT_THAT(e.message, HasSubstr("metadata"));
}

TEST(JsonDecode, OutOfRangeU8IsWrongTypeNamingFieldAndValue) {
  const auto e = message_error(R"({"AvatarPointAt":{"x_percent":300,"y_percent":1}})");
  EXPECT_EQ(e.kind, Kind::WrongType);
  EXPECT_EQ(e.message, "AvatarPointAt.x_percent: expected u8, got 300");
}

TEST(JsonDecode, NegativeForUnsignedIsWrongType) {
  const auto e = message_error(R"({"Ping":{"seq":-1}})");
  EXPECT_EQ(e.kind, Kind::WrongType);
  EXPECT_EQ(e.message, "Ping.seq: expected u64, got -1");
}

TEST(JsonDecode, U32OverflowIsWrongType) {
  const auto e = event_error(R"({"Resized":{"event_id":"e","width":4294967296,"height":1}})");
  EXPECT_EQ(e.kind, Kind::WrongType);
  EXPECT_EQ(e.message, "Resized.width: expected u32, got 4294967296");
}

TEST(JsonDecode, U64OverflowIsWrongType) {
  const auto e = message_error(R"({"Ping":{"seq":18446744073709551616}})");
  EXPECT_EQ(e.kind, Kind::WrongType);
  EXPECT_THAT(e.message, HasSubstr("Ping.seq: expected u64"));
}

TEST(JsonDecode, FractionForIntegerIsWrongType) {
  const auto e = message_error(R"({"TaskUpdated":{"task_id":"t","progress":1.5}})");
  EXPECT_EQ(e.kind, Kind::WrongType);
  EXPECT_EQ(e.message, "TaskUpdated.progress: expected u8, got 1.5");
}

TEST(JsonDecode, WrongJsonTypesAreWrongTypeNamingWhatCame) {
  struct Case {
    const char* json;
    const char* message;
  };
  const Case cases[] = {
      {R"({"Token":{"message_id":5,"text":"t"}})", "Token.message_id: expected string, got 5"},
      {R"({"Token":{"message_id":null,"text":"t"}})", "Token.message_id: expected string, got null"},
      {R"({"AvatarVisibility":{"visible":"yes"}})", "AvatarVisibility.visible: expected bool, got string"},
      {R"({"SummaryReady":{"conversation_id":"c","summary":"s","sub_conversations":"c1"}})",
       "SummaryReady.sub_conversations: expected array, got string"},
      {R"({"StreamEnd":{"message_id":"m","final_content":"","metadata":[]}})",
       "StreamEnd.metadata: expected object, got array"},
      {R"({"StreamEnd":{"message_id":"m","final_content":"","metadata":{"tokens_per_second":"fast"}}})",
       "StreamEnd.metadata.tokens_per_second: expected f32, got string"},
      {R"({"Token":[1,2]})", "Token: expected object, got array"},
      {R"("Token")", "Token: expected an object of fields, got a bare variant name"},
      {R"({"AvatarMoveTo":{"position":{"Percent":{"x":1,"y":256}}}})",
       "AvatarMoveTo.position.Percent.y: expected u8, got 256"},
      {R"({"AvatarMoveTo":{"position":{"Center":{"x":1}}}})",
       "AvatarMoveTo.position.Center: expected null (a unit variant), got object"},
      {R"({"AvatarMoveTo":{"position":{"Center":1,"Follow":2}}})",
       "AvatarMoveTo.position: expected a variant name or an object with one key, got object"},
      {R"({"AvatarGesture":{"gesture":"Peek","duration_ms":1}})",
       R"(AvatarGesture.gesture: variant "Peek" needs a value)"},
      {R"({"Message":{"id":"m","role":"User","content":"c","content_type":"Code"}})",
       R"(Message.content_type: variant "Code" needs an object)"},
      {R"({"QueryCapabilities":{"x":1}})",
       "ConductorMessage.QueryCapabilities: expected null (a unit variant), got object"},
      {R"([])", "ConductorMessage: expected a variant name or an object with one key, got array"},
      {R"(42)", "ConductorMessage: expected a variant name or an object with one key, got 42"},
      {R"({"Ping":{"seq":1},"Pong":{"seq":2}})",
       "ConductorMessage: expected a variant name or an object with one key, got object"},
  };
  for (const auto& c : cases) {
    const auto e = message_error(c.json);
    EXPECT_EQ(e.kind, Kind::WrongType) << c.json;
    EXPECT_EQ(e.message, c.message) << c.json;
  }
}

TEST(JsonDecode, WrongTypeInsideAnArrayNamesTheIndex) {
  const auto e = event_error(R"({"UserCommand":{"event_id":"e","command":"c","args":["a",5]}})");
  EXPECT_EQ(e.kind, Kind::WrongType);
  EXPECT_EQ(e.message, "UserCommand.args[1]: expected string, got 5");
}

TEST(JsonDecode, UnknownTopLevelVariantIsUnknownVariantNamingIt) {
  const auto e = message_error(R"({"Frobnicate":{"x":1}})");
  EXPECT_EQ(e.kind, Kind::UnknownVariant);
  EXPECT_EQ(e.message, R"(ConductorMessage: unknown variant "Frobnicate")");
  const auto u = event_error(R"("Explode")");
  EXPECT_EQ(u.kind, Kind::UnknownVariant);
  EXPECT_EQ(u.message, R"(SurfaceEvent: unknown variant "Explode")");
}

TEST(JsonDecode, AMessageIsNotAnEvent) {
  EXPECT_EQ(event_error(R"({"Token":{"message_id":"m","text":"t"}})").kind, Kind::UnknownVariant);
  EXPECT_EQ(message_error(R"({"Pong":{"seq":1}})").kind, Kind::UnknownVariant);
}

TEST(JsonDecode, UnknownNestedEnumValueIsUnknownVariantWithPath) {
  const auto e = message_error(R"({"Message":{"id":"m","role":"Robot","content":"c"}})");
  EXPECT_EQ(e.kind, Kind::UnknownVariant);
  EXPECT_EQ(e.message, R"(Message.role: unknown variant "Robot")");
  const auto g = message_error(R"({"AvatarGesture":{"gesture":{"Peek":"Sideways"},"duration_ms":1}})");
  EXPECT_EQ(g.kind, Kind::UnknownVariant);
  EXPECT_EQ(g.message, R"(AvatarGesture.gesture.Peek: unknown variant "Sideways")");
}

TEST(JsonDecode, VariantNamesAreCaseSensitive) {
  EXPECT_EQ(message_error(R"("querycapabilities")").kind, Kind::UnknownVariant);
}

TEST(JsonDecode, LongUnknownVariantNameIsCutShortInTheMessage) {
  const std::string name(5000, 'x');
  const auto e = message_error("\"" + name + "\"");
  EXPECT_EQ(e.kind, Kind::UnknownVariant);
  EXPECT_LT(e.message.size(), 200u);
}

TEST(JsonDecode, ControlCharactersInAnUnknownNameDoNotReachTheMessage) {
  const auto e = message_error(R"("Bad\nName\u001b[2J")");
  EXPECT_EQ(e.kind, Kind::UnknownVariant);
  EXPECT_EQ(e.message, R"(ConductorMessage: unknown variant "Bad?Name?[2J")");
}

TEST(JsonDecode, SyntaxErrorIsInvalidJsonWithByteOffset) {
  const auto e = message_error(R"({"Ping":{"seq":1,}})");
  EXPECT_EQ(e.kind, Kind::InvalidJson);
  EXPECT_EQ(e.offset, 17u);  // the '}' after the comma
  EXPECT_THAT(e.message, HasSubstr("at byte 17"));
}

TEST(JsonDecode, TruncatedOrEmptyOrTrailingTextIsInvalidJson) {
  EXPECT_EQ(message_error(R"({"Ping":{"seq":1})").kind, Kind::InvalidJson);
  EXPECT_EQ(message_error("").kind, Kind::InvalidJson);
  EXPECT_EQ(message_error("   ").kind, Kind::InvalidJson);
  const auto trailing = message_error(R"({"Ping":{"seq":1}} {})");
  EXPECT_EQ(trailing.kind, Kind::InvalidJson);
  EXPECT_EQ(trailing.offset, 19u);
  EXPECT_EQ(message_error(R"({"Ping":{"seq":01}})").kind, Kind::InvalidJson);
  EXPECT_EQ(message_error(R"({'Ping':{}})").kind, Kind::InvalidJson);
}

TEST(JsonDecode, LoneSurrogateEscapeIsInvalidJson) {
  EXPECT_EQ(message_error(R"({"Token":{"message_id":"m","text":"\ud800"}})").kind, Kind::InvalidJson);
  EXPECT_EQ(message_error(R"({"Token":{"message_id":"m","text":"\udc00x"}})").kind, Kind::InvalidJson);
}

TEST(JsonDecode, DeepNestingIsRejectedWithoutCrashing) {
  const std::string deep = R"({"Token":{"message_id":"m","text":"t","x":)" + std::string(100000, '[') +
                           std::string(100000, ']') + "}}";
  EXPECT_EQ(message_error(deep).kind, Kind::InvalidJson);
}

TEST(JsonDecode, InvalidUtf8IsRejectedUpFrontWithItsOffset) {
  struct Case {
    std::string json;
    std::size_t offset;
  };
  const std::string prefix = R"({"Token":{"message_id":"m","text":")";  // 35 bytes
  const Case cases[] = {
      {prefix + "\xff" + R"("}})", 35},            // never valid
      {prefix + "ok\xc3" + R"("}})", 37},          // truncated sequence
      {prefix + "\xc0\xaf" + R"("}})", 35},        // overlong '/'
      {prefix + "\xe0\x80\xaf" + R"("}})", 35},    // overlong, three bytes
      {prefix + "\xed\xa0\x80" + R"("}})", 35},    // UTF-16 surrogate
      {prefix + "\xf4\x90\x80\x80" + R"("}})", 35},  // above U+10FFFF
      {prefix + "\x80" + R"("}})", 35},            // lone continuation
      {prefix + "abcdefghij\xe2\x82" + R"("}})", 45},
      {"\xef\xbb\xbf" + prefix.substr(0, 3) + "\xfe", 6},
  };
  for (const auto& c : cases) {
    const auto e = message_error(c.json);
    EXPECT_EQ(e.kind, Kind::InvalidUtf8) << c.json;
    EXPECT_EQ(e.offset, c.offset) << c.json;
    EXPECT_THAT(e.message, HasSubstr("byte " + std::to_string(c.offset)));
  }
}

TEST(JsonDecode, ValidMultibyteUtf8IsAccepted) {
  const std::string json = "{\"Token\":{\"message_id\":\"m\",\"text\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\xa6\x8e"
                           "\xf4\x8f\xbf\xbf\xee\x80\x80\"}}";
  const auto r = decode_message(json);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(encode(*r), json);
}

TEST(JsonDecode, ValueOnAFailedResultThrowsProtocolException) {
  const auto r = decode_message("nope");
  ASSERT_FALSE(r.has_value());
  try {
    (void)r.value();
    FAIL() << "value() did not throw";
  } catch (const ProtocolException& e) {
    EXPECT_EQ(e.error().kind, Kind::InvalidJson);
    EXPECT_THAT(e.what(), HasSubstr("InvalidJson"));
  }
}

}  // namespace
}  // namespace yollayah::protocol
