// Frame codec: the golden header, incremental decoding, and each way a stream goes bad.
#include "protocol/frame.hpp"
#include "protocol/json_codec.hpp"
#include "protocol/samples.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace yollayah::protocol {
namespace {

using ::testing::HasSubstr;
using Kind = ProtocolError::Kind;

std::string hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    if (!out.empty()) out += ' ';
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

std::string header(std::uint32_t length, std::uint32_t crc) {
  std::string h(8, '\0');
  for (int i = 0; i < 4; ++i) {
    h[i] = static_cast<char>(length >> (24 - 8 * i));
    h[4 + i] = static_cast<char>(crc >> (24 - 8 * i));
  }
  return h;
}

// Drains every complete payload; stops at nullopt or an error.
std::vector<std::string> drain(FrameDecoder& d, ProtocolError* error = nullptr) {
  std::vector<std::string> out;
  for (;;) {
    auto r = d.next();
    if (!r.has_value()) {
      if (error != nullptr) *error = r.error();
      return out;
    }
    if (!r->has_value()) return out;
    out.emplace_back(**r);
  }
}

TEST(Frame, PingFrameMatchesTheProtocolExample) {
  const std::string frame = make_frame(R"({"Ping":{"seq":1}})");
  ASSERT_EQ(frame.size(), 8u + 18u);
  EXPECT_EQ(hex(frame.substr(0, 8)), "00 00 00 12 73 bd 5e cd");
  EXPECT_EQ(frame.substr(8), R"({"Ping":{"seq":1}})");
}

TEST(Frame, EncodeFrameIntoEqualsFramingTheEncodedJson) {
  for (const auto& m : samples::sample_messages()) {
    std::string out = "xyz";
    encode_frame_into(out, m);
    EXPECT_EQ(out, "xyz" + make_frame(encode(m)));
  }
  for (const auto& e : samples::sample_events()) {
    std::string out;
    encode_frame_into(out, e);
    EXPECT_EQ(out, make_frame(encode(e)));
  }
}

TEST(Frame, EncodeFrameIntoPingGivesTheGoldenHeader) {
  std::string out;
  encode_frame_into(out, ConductorMessage{msg::Ping{1}});
  EXPECT_EQ(hex(out.substr(0, 8)), "00 00 00 12 73 bd 5e cd");
}

TEST(Frame, Crc32IsTheZlibPolynomial) {
  EXPECT_EQ(crc32_of("123456789"), 0xcbf43926u);
  EXPECT_EQ(crc32_of(""), 0u);
}

TEST(FrameDecoder, DecodesOneFrameFedWhole) {
  FrameDecoder d;
  d.feed(make_frame("hello"));
  auto r = d.next();
  ASSERT_TRUE(r.has_value());
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ(**r, "hello");
  EXPECT_EQ(d.offset(), 13u);
  EXPECT_EQ(d.buffered(), 0u);
  auto again = d.next();
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(again->has_value());
  EXPECT_TRUE(d.finish().has_value());
}

TEST(FrameDecoder, EmptyPayloadIsAFrame) {
  FrameDecoder d;
  d.feed(make_frame(""));
  EXPECT_EQ(drain(d), std::vector<std::string>{""});
}

TEST(FrameDecoder, WaitsForMoreBytesOnPartialHeaderAndPartialPayload) {
  const std::string frame = make_frame("payload");
  FrameDecoder d;
  d.feed(frame.substr(0, 5));
  EXPECT_TRUE(drain(d).empty());
  d.feed(frame.substr(5, 6));
  EXPECT_TRUE(drain(d).empty());
  EXPECT_EQ(d.buffered(), 11u);
  d.feed(frame.substr(11));
  EXPECT_EQ(drain(d), std::vector<std::string>{"payload"});
}

TEST(FrameDecoder, DecodesFramesFedOneByteAtATime) {
  std::string stream;
  std::vector<std::string> payloads;
  for (const auto& m : samples::sample_messages()) {
    payloads.push_back(encode(m));
    append_frame(stream, payloads.back());
  }
  FrameDecoder d;
  std::vector<std::string> got;
  std::vector<std::size_t> offsets;
  for (char c : stream) {
    d.feed(std::string_view(&c, 1));
    for (auto& p : drain(d)) {
      got.push_back(std::move(p));
      offsets.push_back(d.offset());
    }
  }
  EXPECT_EQ(got, payloads);
  std::size_t expected_offset = 0;
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    expected_offset += 8 + payloads[i].size();
    EXPECT_EQ(offsets[i], expected_offset);
  }
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(FrameDecoder, DecodesManyFramesFromOneFeed) {
  std::string stream;
  for (int i = 0; i < 1000; ++i) append_frame(stream, "frame " + std::to_string(i));
  FrameDecoder d;
  d.feed(stream);
  const auto got = drain(d);
  ASSERT_EQ(got.size(), 1000u);
  EXPECT_EQ(got.front(), "frame 0");
  EXPECT_EQ(got.back(), "frame 999");
  EXPECT_EQ(d.offset(), stream.size());
}

TEST(FrameDecoder, PayloadViewsStayValidUntilTheNextFeed) {
  std::string stream = make_frame("one") + make_frame("two");
  FrameDecoder d;
  d.feed(stream);
  const auto a = d.next();
  const auto b = d.next();
  ASSERT_TRUE(a.has_value() && a->has_value() && b.has_value() && b->has_value());
  EXPECT_EQ(**a, "one");
  EXPECT_EQ(**b, "two");
}

TEST(FrameDecoder, KeepsPayloadsAndOffsetsRightAcrossCompactionsInOddChunks) {
  std::string stream;
  constexpr int kFrames = 20000;
  for (int i = 0; i < kFrames; ++i) append_frame(stream, std::string(static_cast<std::size_t>(i % 50), 'x'));
  FrameDecoder d;
  int frames = 0;
  std::size_t expected_offset = 0;
  std::size_t most_buffered = 0;
  for (std::size_t pos = 0; pos < stream.size(); pos += 7) {
    d.feed(std::string_view(stream).substr(pos, 7));
    most_buffered = std::max(most_buffered, d.buffered());
    for (const auto& p : drain(d)) {
      ASSERT_EQ(p.size(), static_cast<std::size_t>(frames % 50));
      expected_offset += 8 + p.size();
      ++frames;
    }
    ASSERT_EQ(d.offset(), expected_offset);
  }
  EXPECT_EQ(frames, kFrames);
  EXPECT_LT(most_buffered, 8u + 50u + 7u);
  EXPECT_EQ(d.offset(), stream.size());
}

TEST(FrameDecoder, AcceptsAPayloadOfExactlyTheMaximum) {
  const std::string payload(kMaxFramePayload, 'a');
  FrameDecoder d;
  d.feed(make_frame(payload));
  const auto got = drain(d);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].size(), kMaxFramePayload);
}

TEST(FrameDecoder, RejectsOversizeHeaderBeforePayload) {
  FrameDecoder d;
  d.feed(header(kMaxFramePayload + 1, 0));
  ProtocolError error;
  EXPECT_TRUE(drain(d, &error).empty());
  EXPECT_EQ(error.kind, Kind::Oversize);
  EXPECT_EQ(error.offset, 0u);
  EXPECT_THAT(error.message, HasSubstr("10485761"));
  EXPECT_TRUE(d.failed());
}

TEST(FrameDecoder, StopsBufferingAfterAnOversizeHeader) {
  FrameDecoder d;
  const std::string good = make_frame("ok");
  d.feed(good + header(0xffffffffu, 0) + std::string(4096, 'z'));
  EXPECT_EQ(d.buffered(), good.size() + 8u);  // nothing past the bad header was kept
  d.feed(std::string(1 << 16, 'z'));
  EXPECT_EQ(d.buffered(), good.size() + 8u);

  // Frames before the bad header are still delivered, then the error at its offset.
  ProtocolError error;
  EXPECT_EQ(drain(d, &error), std::vector<std::string>{"ok"});
  EXPECT_EQ(error.kind, Kind::Oversize);
  EXPECT_EQ(error.offset, good.size());
}

TEST(FrameDecoder, RejectsCrcMismatchNamingBothChecksumsAndTheOffset) {
  std::string stream = make_frame("first");
  const std::size_t second_at = stream.size();
  std::string bad = make_frame(R"({"Ping":{"seq":1}})");
  bad[8 + 3] ^= 0x20;  // flip a payload bit
  stream += bad;
  FrameDecoder d;
  d.feed(stream);
  ProtocolError error;
  EXPECT_EQ(drain(d, &error), std::vector<std::string>{"first"});
  EXPECT_EQ(error.kind, Kind::CrcMismatch);
  EXPECT_EQ(error.offset, second_at);
  EXPECT_THAT(error.message, HasSubstr("0x73bd5ecd"));  // what the header says
  EXPECT_THAT(error.message, HasSubstr("byte 13"));
}

TEST(FrameDecoder, StaysFailedAfterAnError) {
  std::string bad = make_frame("payload");
  bad[4] ^= 1;  // corrupt the CRC field
  FrameDecoder d;
  d.feed(bad);
  const auto first = d.next();
  ASSERT_FALSE(first.has_value());
  d.feed(make_frame("good"));
  const auto second = d.next();
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error(), first.error());
  EXPECT_FALSE(d.finish().has_value());
  EXPECT_EQ(d.buffered(), bad.size());
}

TEST(FrameDecoder, FinishReportsTruncatedFrame) {
  const std::string frame = make_frame("payload");
  FrameDecoder d;
  d.feed(make_frame("a") + frame.substr(0, 10));
  EXPECT_EQ(drain(d), std::vector<std::string>{"a"});
  const auto end = d.finish();
  ASSERT_FALSE(end.has_value());
  EXPECT_EQ(end.error().kind, Kind::Truncated);
  EXPECT_EQ(end.error().offset, 9u);
  EXPECT_THAT(end.error().message, HasSubstr("byte 9"));

  FrameDecoder h;
  h.feed(frame.substr(0, 3));
  EXPECT_EQ(h.finish().error().kind, Kind::Truncated);
}

TEST(FrameDecoder, WellFramedBadJsonLeavesTheDecoderUsable) {
  FrameDecoder d;
  d.feed(make_frame("{not json") + make_frame(R"({"Ping":{"seq":2}})"));
  const auto frames = drain(d);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(decode_message(frames[0]).error().kind, Kind::InvalidJson);
  const auto ping = decode_message(frames[1]);
  ASSERT_TRUE(ping.has_value());
  EXPECT_EQ(std::get<msg::Ping>(*ping).seq, 2u);
}

TEST(FrameDecoder, RoundTripsEveryMessageThroughFramesAndJson) {
  std::string stream;
  for (const auto& m : samples::sample_messages()) encode_frame_into(stream, m);
  FrameDecoder d;
  d.feed(stream);
  const auto payloads = drain(d);
  const auto expected = samples::sample_messages();
  ASSERT_EQ(payloads.size(), expected.size());
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    const auto m = decode_message(payloads[i]);
    ASSERT_TRUE(m.has_value()) << m.error().message;
    EXPECT_EQ(*m, expected[i]);
  }
}

TEST(ProtocolError, OnlyFramingErrorsCloseTheConnection) {
  EXPECT_TRUE(closes_connection(Kind::CrcMismatch));
  EXPECT_TRUE(closes_connection(Kind::Oversize));
  EXPECT_TRUE(closes_connection(Kind::Truncated));
  EXPECT_FALSE(closes_connection(Kind::InvalidJson));
  EXPECT_FALSE(closes_connection(Kind::InvalidUtf8));
  EXPECT_FALSE(closes_connection(Kind::UnknownVariant));
  EXPECT_FALSE(closes_connection(Kind::WrongType));
  EXPECT_FALSE(closes_connection(Kind::MissingField));
}

TEST(ProtocolError, DescribeNamesKindOffsetAndMessage) {
  EXPECT_EQ(describe(ProtocolError{Kind::CrcMismatch, "bad", 42}), "CrcMismatch at byte 42: bad");
}

}  // namespace
}  // namespace yollayah::protocol
