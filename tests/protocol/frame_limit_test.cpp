// FrameDecoder with a smaller limit (a server before the Handshake): the limit is checked as soon
// as the 8 header bytes are in, raising it lets the next frames through, and wanted() lets a reader
// stop at the end of one frame.
#include "protocol/frame.hpp"

#include <gtest/gtest.h>

#include <string>

namespace yollayah::protocol {
namespace {

std::string header(std::uint32_t length) {
  std::string h(8, '\0');
  for (int i = 0; i < 4; ++i) h[i] = static_cast<char>(length >> (24 - 8 * i));
  return h;
}

TEST(FrameDecoderLimit, ASmallLimitRejectsALargerHeaderBeforeItsPayload) {
  FrameDecoder d(64 * 1024);
  d.feed(header(64 * 1024 + 1));
  EXPECT_TRUE(d.failed());
  d.feed(std::string(4096, 'x'));
  EXPECT_EQ(d.buffered(), 8u);  // nothing of the payload was kept
  auto next = d.next();
  ASSERT_FALSE(next);
  EXPECT_EQ(next.error().kind, ProtocolError::Kind::Oversize);
  EXPECT_NE(next.error().message.find("65536-byte maximum"), std::string::npos) << next.error().message;
}

TEST(FrameDecoderLimit, AFrameAtTheLimitPassesAndRaisingItAdmitsLargerOnes) {
  FrameDecoder d(16);
  d.feed(make_frame(std::string(16, 'a')));
  auto first = d.next();
  ASSERT_TRUE(first && *first);
  EXPECT_EQ((*first)->size(), 16u);
  d.set_max_payload(1 << 20);
  EXPECT_EQ(d.max_payload(), std::size_t{1} << 20);
  d.feed(make_frame(std::string(100'000, 'b')));
  auto second = d.next();
  ASSERT_TRUE(second && *second);
  EXPECT_EQ((*second)->size(), 100'000u);
  d.set_max_payload(kMaxFramePayload * 4);
  EXPECT_EQ(d.max_payload(), kMaxFramePayload);  // never above the protocol's maximum
}

TEST(FrameDecoderLimit, WantedCountsTheBytesMissingFromTheFrameAtTheReadPosition) {
  const std::string frame = make_frame("hello");  // 8 + 5 bytes
  FrameDecoder d;
  EXPECT_EQ(d.wanted(), 8u);
  d.feed(frame.substr(0, 3));
  EXPECT_EQ(d.wanted(), 5u);
  d.feed(frame.substr(3, 7));
  EXPECT_EQ(d.wanted(), 3u);
  d.feed(frame.substr(10));
  EXPECT_EQ(d.wanted(), 0u);  // complete: next() has it
  auto got = d.next();
  ASSERT_TRUE(got && *got);
  EXPECT_EQ(**got, "hello");
  EXPECT_EQ(d.wanted(), 8u);
  FrameDecoder small(4);
  small.feed(header(5));
  EXPECT_EQ(small.wanted(), 0u);  // failed: nothing more to read
}

}  // namespace
}  // namespace yollayah::protocol
