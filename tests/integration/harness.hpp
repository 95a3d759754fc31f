// Runs a real Conductor (Ollama backend → session → in-process transport) on a test io_context,
// with one surface that records every message it receives.
#pragma once

#include "support/received.hpp"
#include "backend/ollama_backend.hpp"
#include "conductor/conductor.hpp"
#include "support/stall_budget.hpp"
#include "transport/inprocess.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace yollayah::test {

namespace asio = boost::asio;
namespace msg = protocol::msg;
namespace ev = protocol::ev;

inline conductor::SessionConfig quiet_config() {
  conductor::SessionConfig c;
  c.model = "sim";
  c.system_prompt = "You are a test.";
  c.greet = false;
  return c;
}

inline backend::OllamaConfig backend_config(const std::string& url) {
  backend::OllamaConfig c;
  c.endpoint = backend::parse_ollama_host(url);
  c.connect_timeout = std::chrono::milliseconds(2000);
  c.idle_timeout = std::chrono::milliseconds(2000);
  return c;
}

// A surface attached to a conductor, recording what it receives.
class RecordingSurface {
 public:
  RecordingSurface(asio::io_context& io, conductor::Conductor& conductor)
      : io_(io), link_(std::make_unique<transport::InProcessLink>(conductor, io.get_executor())) {
    asio::co_spawn(io_, pump(), asio::detached);
  }
  // A surface on a session of its own.
  RecordingSurface(asio::io_context& io, conductor::Conductor& conductor, std::shared_ptr<conductor::Session> session)
      : io_(io), link_(std::make_unique<transport::InProcessLink>(conductor, std::move(session), io.get_executor())) {
    asio::co_spawn(io_, pump(), asio::detached);
  }

  void send(protocol::SurfaceEvent e) { link_->send(std::move(e)); }
  transport::InProcessLink& link() { return *link_; }
  const std::vector<protocol::ConductorMessage>& received() const { return received_; }

  template <class T>
  std::vector<T> all() const { return all_of<T>(received_); }
  template <class T>
  std::size_t count() const { return all<T>().size(); }

  std::string tokens_text() const { return tokens_text_of(received_); }

  // Runs the loop until `done` holds or `timeout` passes; returns whether it held.
  // Every surface's pump checks the condition, so it may look at other surfaces too.
  bool run_until(const std::function<bool(const RecordingSurface&)>& done,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::function<bool()> condition = [&] { return done(*this); };
    if (condition()) return true;
    active_condition() = &condition;
    io_.restart();
    io_.run_for(timeout);
    active_condition() = nullptr;
    return condition();
  }

  // Runs until `n` messages of type T have arrived.
  template <class T>
  bool run_until_count(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return run_until([n](const RecordingSurface& s) { return s.count<T>() >= n; }, timeout);
  }

  // Says hello (Handshake v2 as a TUI unless told otherwise) and waits for the session to be Ready.
  bool join(std::uint32_t version = 2, protocol::SurfaceType::Kind kind = protocol::SurfaceType::Kind::Tui) {
    link_->send(protocol::ev::Handshake{"evt_hello", version, {kind, {}}, protocol::SurfaceCapabilities::tui(), std::nullopt});
    return run_until([](const RecordingSurface& s) {
      for (const auto& m : s.received())
        if (auto* st = std::get_if<msg::State>(&m); st && st->state == protocol::ConductorState::Ready) return true;
      return false;
    });
  }

  void close() { link_->close(); }

 private:
  asio::awaitable<void> pump() {
    std::vector<protocol::EnvelopePtr> batch;
    while (true) {
      batch.clear();
      if (!co_await link_->receive(batch)) co_return;
      for (auto& e : batch) received_.push_back(e->message);
      if (active_condition() && (*active_condition())()) io_.stop();
    }
  }

  asio::io_context& io_;
  std::unique_ptr<transport::InProcessLink> link_;
  std::vector<protocol::ConductorMessage> received_;
  // The condition the running run_until() waits for (tests run one loop on one thread).
  static std::function<bool()>*& active_condition() {
    static std::function<bool()>* condition = nullptr;
    return condition;
  }
};

// A conductor on `io` talking to the Ollama-protocol server at `url`.
struct ConductorUnderTest {
  ConductorUnderTest(asio::io_context& io, const std::string& url, conductor::SessionConfig config = quiet_config(),
                     std::optional<backend::OllamaConfig> backend = std::nullopt)
      : backend_(std::make_shared<backend::OllamaBackend>(io.get_executor(), backend ? *backend : backend_config(url))),
        conductor(io.get_executor(), backend_, std::move(config)) {}

  // Every scenario must keep the Conductor's loop within the stall budget. Scenarios shorter than
  // one probe interval may have no samples; the long ones assert that they were measured.
  ~ConductorUnderTest() { expect_stall_budget(conductor.stall_monitor(), stall_budget, /*require_samples=*/false); }

  // A scenario that runs a heavy child beside the loop (a browser) measures the preemption it
  // causes, not blocking: it may raise this.
  std::chrono::milliseconds stall_budget = kStallBudget;
  std::shared_ptr<backend::OllamaBackend> backend_;
  conductor::Conductor conductor;
};

inline ev::Handshake handshake(std::uint32_t version = 2,
                               protocol::SurfaceType::Kind kind = protocol::SurfaceType::Kind::Tui) {
  return ev::Handshake{"evt_hello", version, {kind, {}}, protocol::SurfaceCapabilities::tui(), std::nullopt};
}

}  // namespace yollayah::test
