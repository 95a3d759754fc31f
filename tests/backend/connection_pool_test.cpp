#include "backend/connection_pool.hpp"

#include "backend/connection.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

namespace yollayah::backend {
namespace {

using namespace std::chrono_literals;
using Clock = ConnectionPool::Clock;

// An open (unconnected) socket stands in for a live connection.
std::unique_ptr<Connection> open_stream(boost::asio::io_context& ioc) {
  auto s = std::make_unique<Connection>(Connection::Tcp(ioc));
  s->tcp().socket().open(boost::asio::ip::tcp::v4());
  return s;
}

TEST(ConnectionPool, HandsBackTheMostRecentlyParkedFirst) {
  boost::asio::io_context ioc;
  ConnectionPool pool(4, 30s);
  auto t = Clock::now();
  auto a = open_stream(ioc);
  auto b = open_stream(ioc);
  auto* pa = a.get();
  auto* pb = b.get();
  pool.put(std::move(a), t);
  pool.put(std::move(b), t + 1s);
  EXPECT_EQ(pool.idle(), 2u);
  EXPECT_EQ(pool.take(t + 2s).get(), pb);
  EXPECT_EQ(pool.take(t + 2s).get(), pa);
  EXPECT_EQ(pool.take(t + 2s), nullptr);
}

TEST(ConnectionPool, KeepsAtMostMaxIdleDroppingTheOldest) {
  boost::asio::io_context ioc;
  ConnectionPool pool(4, 30s);
  auto t = Clock::now();
  std::vector<Connection*> raw;
  for (int i = 0; i < 6; ++i) {
    auto s = open_stream(ioc);
    raw.push_back(s.get());
    pool.put(std::move(s), t + std::chrono::seconds(i));
  }
  EXPECT_EQ(pool.idle(), 4u);
  for (int i = 5; i >= 2; --i) EXPECT_EQ(pool.take(t + 6s).get(), raw[static_cast<std::size_t>(i)]);
  EXPECT_EQ(pool.take(t + 6s), nullptr);
}

TEST(ConnectionPool, DropsConnectionsIdleLongerThanMaxAgeWhenTaking) {
  boost::asio::io_context ioc;
  ConnectionPool pool(4, 30s);
  auto t = Clock::now();
  pool.put(open_stream(ioc), t);
  auto fresh = open_stream(ioc);
  auto* pf = fresh.get();
  pool.put(std::move(fresh), t + 20s);
  EXPECT_EQ(pool.take(t + 40s).get(), pf);  // the 40 s old one is closed on the way
  EXPECT_EQ(pool.idle(), 0u);
  pool.put(open_stream(ioc), t);
  EXPECT_EQ(pool.take(t + 31s), nullptr);
}

TEST(ConnectionPool, RefusesClosedConnections) {
  boost::asio::io_context ioc;
  ConnectionPool pool(4, 30s);
  pool.put(std::make_unique<Connection>(Connection::Tcp(ioc)));  // never opened
  EXPECT_EQ(pool.idle(), 0u);
}

}  // namespace
}  // namespace yollayah::backend
