// bench/gateway_chaos: does chaos on the HTTP port disturb a chat on the Unix socket? One Unix
// surface chats with a paced ollama-sim twice through the same conductor (Conductor + UnixServer +
// Gateway on one thread): once on a quiet gateway, once while a thread of hostile and careless HTTP
// clients hammers it: 1,000 connections opened at once (each asks /api/version and stays open),
// 30 slowloris half-headers, then rounds of an oversize body, bad JSON, a bad token, a WebSocket
// from a foreign Origin and a client that starts a streaming /api/chat and vanishes. Per-token
// delivery latency of the Unix chat (from the piece reaching the Conductor to the surface decoding
// it), p50/p99/max, in both runs; each chaos answer checked. Bounded in time.
//
//   build/bin/gateway_chaos [--tokens N] [--rate R] [--connections N] [--json FILE]
#include "gateway_host.hpp"

#include "core/log.hpp"
#include "transport/unix_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace yollayah;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kPrompt = "tell me something";
const std::string kChat = R"({"model":"sim","messages":[{"role":"user","content":"hi"}]})";

std::string post(std::string_view target, std::string_view token, std::string_view body) {
  return "POST " + std::string(target) + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(token) +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         std::string(body);
}

// A blocking client socket with a receive timeout (the chaos runs on a thread of its own).
std::unique_ptr<tcp::socket> connect(asio::io_context& io, std::uint16_t port) {
  auto s = std::make_unique<tcp::socket>(io);
  beast::error_code ec;
  s->connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return nullptr;
  struct timeval tv {10, 0};
  ::setsockopt(s->native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return s;
}

// Writes `raw` and reads the response's status (0: none).
unsigned status_after(tcp::socket& s, const std::string& raw) {
  beast::error_code ec;
  asio::write(s, asio::buffer(raw), ec);
  if (ec) return 0;
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(s, buffer, res, ec);
  return ec ? 0 : res.result_int();
}

unsigned status_of(asio::io_context& io, std::uint16_t port, const std::string& raw) {
  auto s = connect(io, port);
  return s ? status_after(*s, raw) : 0;
}

struct Chaos {
  std::atomic<bool> stop{false};
  std::atomic<bool> burst_done{false};
  std::size_t burst_ok = 0, rounds = 0, wrong = 0;
  std::string why;
};

void run_chaos(std::uint16_t port, std::size_t connections, Chaos& c) {
  asio::io_context io;
  const auto expect = [&](bool ok, const char* what) {
    if (!ok && ++c.wrong <= 5) c.why += std::string(what) + "; ";
  };
  std::vector<std::unique_ptr<tcp::socket>> held;
  for (std::size_t i = 0; i < connections; ++i)
    if (auto s = connect(io, port)) held.push_back(std::move(s));
  const std::string version = "GET /api/version HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + bench::kGatewayToken + "\r\n\r\n";
  for (auto& s : held) {
    beast::error_code ec;
    asio::write(*s, asio::buffer(version), ec);
  }
  for (auto& s : held) c.burst_ok += status_after(*s, "") == 200;  // the request went out above
  c.burst_done = true;
  std::vector<std::unique_ptr<tcp::socket>> slow;
  for (int i = 0; i < 30; ++i) {
    if (auto s = connect(io, port)) {
      beast::error_code ec;
      asio::write(*s, asio::buffer(std::string_view("GET /api/tags HTTP/1.1\r\nHost: x\r\n")), ec);
      slow.push_back(std::move(s));
    }
  }
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (!c.stop && Clock::now() < deadline) {
    expect(status_of(io, port, post("/api/chat", bench::kGatewayToken, std::string(8192, 'x'))) == 413, "oversize body not 413");
    expect(status_of(io, port, post("/api/chat", bench::kGatewayToken, "{\"model\":")) == 400, "bad JSON not 400");
    expect(status_of(io, port, post("/api/chat", "nope", kChat)) == 401, "bad token not 401");
    expect(status_of(io, port,
                     "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                     "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://evil.example\r\n\r\n") == 403,
           "foreign origin not 403");
    if (auto gone = connect(io, port)) {  // starts a streaming answer and vanishes after its first bytes
      beast::error_code ec;
      asio::write(*gone, asio::buffer(post("/api/chat", bench::kGatewayToken, kChat)), ec);
      char buf[256];
      gone->read_some(asio::buffer(buf), ec);
      expect(!ec, "vanishing client got nothing");
    }
    ++c.rounds;
  }
}

struct ChatFigures {
  bool complete = false;
  std::uint64_t tokens = 0;
  double seconds = 0, p50_us = 0, p99_us = 0, max_us = 0;
};

// One chat from the Unix surface, its pieces stamped; the surface is joined already.
ChatFigures chat(bench::ConductorHost& host, asio::io_context& io, transport::UnixLink& link, std::size_t expected) {
  bench::PieceStamps stamps(1 << 20);
  host.counting->stamps = &stamps;
  bench::Latencies latency;
  std::uint64_t bytes = 0;
  std::size_t next = 0;
  ChatFigures f;
  bool ended = false;
  const auto t0 = Clock::now();
  link.send(protocol::ev::UserMessage{"evt_chat", kPrompt});
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    std::vector<protocol::EnvelopePtr> batch;
    while (!ended) {
      batch.clear();
      if (!co_await link.receive(batch)) co_return;
      for (auto& e : batch) {
        if (const auto* t = std::get_if<protocol::msg::Token>(&e->message)) {
          bytes += t->text.size();
          latency.arrived(stamps, bytes, next);
        } else if (const auto* end = std::get_if<protocol::msg::StreamEnd>(&e->message)) {
          f.tokens = end->metadata.token_count;
          f.complete = end->final_content.size() == bytes && f.tokens == expected;
          ended = true;
        } else if (std::holds_alternative<protocol::msg::StreamError>(e->message)) {
          ended = true;
        }
      }
    }
  }, asio::detached);
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  io.restart();
  while (!ended && Clock::now() < deadline) io.run_one_for(deadline - Clock::now());
  f.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  f.p50_us = latency.percentile(0.5);
  f.p99_us = latency.percentile(0.99);
  f.max_us = latency.max();
  host.counting->stamps = nullptr;
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t tokens = 1000, connections = 1000;
  double rate = 500;
  std::string json_path;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--tokens") tokens = std::stoul(v);
    else if (a == "--rate") rate = std::stod(v);
    else if (a == "--connections") connections = std::stoul(v);
    else if (a == "--json") json_path = v;
    else {
      std::fprintf(stderr, "usage: gateway_chaos [--tokens N] [--rate R] [--connections N] [--json FILE]\n");
      return 2;
    }
  }
  ::signal(SIGPIPE, SIG_IGN);
  core::log().set_level(spdlog::level::err);
  bench::SimChild sim(bench::seeded_stream(tokens, static_cast<std::size_t>(rate)));
  gateway::GatewayOptions go;
  go.max_body_bytes = 1024;
  go.header_timeout = std::chrono::milliseconds(2000);
  go.max_connections = connections + 200;
  bench::ConductorHost host(sim.port(), 1, go);
  host.counting->stamp_prompt = kPrompt;

  asio::io_context io(1);
  transport::UnixLink link(io.get_executor());
  bool joined = false;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    if (co_await link.connect(host.socket_path)) co_return;
    link.send(bench::bench_hello(std::nullopt));
    std::vector<protocol::EnvelopePtr> batch;
    while (!joined) {
      batch.clear();
      if (!co_await link.receive(batch)) co_return;
      for (auto& e : batch) joined = joined || std::holds_alternative<protocol::msg::StateSnapshot>(e->message);
    }
  }, asio::detached);
  for (const auto deadline = Clock::now() + std::chrono::seconds(10); !joined && Clock::now() < deadline;)
    io.run_one_for(deadline - Clock::now());
  if (!joined) {
    std::fprintf(stderr, "the Unix surface did not join\n");
    return 1;
  }

  const auto quiet = chat(host, io, link, tokens);
  Chaos chaos;
  std::thread chaos_thread([&] { run_chaos(host.gw->port(), connections, chaos); });
  while (!chaos.burst_done && chaos_thread.joinable()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // The chat starts while the slowloris clients arrive and the rounds begin.
  const auto during = chat(host, io, link, tokens);
  chaos.stop = true;
  chaos_thread.join();

  for (const auto& [name, f] : {std::pair{"quiet", quiet}, std::pair{"chaos", during}})
    std::printf("%s: %s%llu tokens in %.3f s, delivery latency p50 %.0f us, p99 %.0f us, max %.0f us\n", name,
                f.complete ? "" : "INCOMPLETE ", static_cast<unsigned long long>(f.tokens), f.seconds, f.p50_us, f.p99_us,
                f.max_us);
  std::printf("chaos: %zu of %zu burst connections answered 200, %zu rounds, %zu wrong answers%s%s\n", chaos.burst_ok,
              connections, chaos.rounds, chaos.wrong, chaos.why.empty() ? "" : ": ", chaos.why.c_str());
  if (!json_path.empty()) {
    std::ofstream json(json_path);
    json << "{\"tokens\":" << tokens << ",\"rate\":" << rate;
    for (const auto& [name, f] : {std::pair{"quiet", quiet}, std::pair{"chaos", during}})
      json << ",\"" << name << "\":{\"complete\":" << (f.complete ? "true" : "false") << ",\"seconds\":" << f.seconds
           << ",\"latency_p50_us\":" << f.p50_us << ",\"latency_p99_us\":" << f.p99_us << ",\"latency_max_us\":" << f.max_us
           << "}";
    json << ",\"burst_connections\":" << connections << ",\"burst_ok\":" << chaos.burst_ok << ",\"rounds\":" << chaos.rounds
         << ",\"wrong\":" << chaos.wrong << "}\n";
  }
  link.close();
  return quiet.complete && during.complete && chaos.wrong == 0 && chaos.burst_ok == connections ? 0 : 1;
}
