#include "conductor/surface_registry.hpp"

#include <gtest/gtest.h>

namespace yollayah::conductor {
namespace {

namespace msg = protocol::msg;

// A sink that records deliveries and can pretend its queue overflowed.
class FakeSink final : public SurfaceSink {
 public:
  explicit FakeSink(bool behind = false, bool frames = false) : behind_(behind), frames_(frames) {}
  Delivery deliver(const protocol::EnvelopePtr& e) override {
    got.push_back(e);
    return behind_ ? Delivery::FellBehind : Delivery::Ok;
  }
  bool wants_frames() const override { return frames_; }
  std::vector<protocol::EnvelopePtr> got;

 private:
  bool behind_;
  bool frames_;
};

TEST(SurfaceRegistry, BroadcastReachesOnlyJoinedSurfacesAndSharesOneEnvelope) {
  SurfaceRegistry r;
  auto a = std::make_shared<FakeSink>(), b = std::make_shared<FakeSink>(), c = std::make_shared<FakeSink>();
  r.add(1, a).joined = true;
  r.add(2, b).joined = true;
  r.add(3, c);  // not joined yet
  r.broadcast(msg::Token{"msg_1", "hi"});
  ASSERT_EQ(a->got.size(), 1u);
  ASSERT_EQ(b->got.size(), 1u);
  EXPECT_TRUE(c->got.empty());
  EXPECT_EQ(a->got[0].get(), b->got[0].get()) << "one immutable envelope fans out";
  EXPECT_TRUE(a->got[0]->frame.empty()) << "nobody asked for bytes";
}

TEST(SurfaceRegistry, EncodesTheFrameOnceWhenASurfaceWantsBytes) {
  SurfaceRegistry r;
  auto sock = std::make_shared<FakeSink>(false, true), local = std::make_shared<FakeSink>();
  r.add(1, sock).joined = true;
  r.add(2, local).joined = true;
  r.broadcast(msg::Ping{1});
  ASSERT_EQ(sock->got.size(), 1u);
  EXPECT_EQ(sock->got[0]->frame.size(), 8u + 18u);
  EXPECT_EQ(sock->got[0].get(), local->got[0].get());
}

TEST(SurfaceRegistry, VersionTwoMessagesSkipVersionOneSurfaces) {
  SurfaceRegistry r;
  auto v1 = std::make_shared<FakeSink>(), v2 = std::make_shared<FakeSink>();
  r.add(1, v1).joined = true;
  auto& e2 = r.add(2, v2);
  e2.joined = true;
  e2.protocol_version = 2;
  r.broadcast(msg::Resync{"behind"});
  EXPECT_TRUE(v1->got.empty());
  EXPECT_EQ(v2->got.size(), 1u);
}

TEST(SurfaceRegistry, EverySurfaceThatFellBehindIsReported) {
  SurfaceRegistry r;
  std::vector<std::shared_ptr<FakeSink>> sinks;
  for (SurfaceId id = 1; id <= 12; ++id) {
    sinks.push_back(std::make_shared<FakeSink>(true));
    r.add(id, sinks.back()).joined = true;
  }
  std::vector<SurfaceId> reported;
  r.set_behind_handler([&](SurfaceId id) { reported.push_back(id); });
  r.broadcast(msg::Token{"msg_1", "x"});
  EXPECT_EQ(reported.size(), 12u);
}

}  // namespace
}  // namespace yollayah::conductor
