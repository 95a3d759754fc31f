#include "conductor/ids.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>

namespace yollayah::conductor {
namespace {

std::atomic<std::uint64_t> g_message{0}, g_event{0}, g_session{0}, g_task{0};

std::string counted(const char* prefix, std::atomic<std::uint64_t>& counter) {
  return prefix + std::to_string(counter.fetch_add(1, std::memory_order_relaxed) + 1);
}

std::string stamped(const char* prefix, std::atomic<std::uint64_t>& counter) {
  return prefix + std::to_string(unix_millis()) + "_" +
         std::to_string(counter.fetch_add(1, std::memory_order_relaxed) + 1);
}

}  // namespace

std::uint64_t unix_millis() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

std::string next_message_id() { return counted("msg_", g_message); }
std::string next_event_id() { return counted("evt_", g_event); }
std::string next_session_id() { return stamped("session_", g_session); }
std::string next_task_id() { return stamped("task_", g_task); }

std::string next_connection_id() { return "conn-" + next_uuid(); }

std::string next_uuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  char buf[48];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

}  // namespace yollayah::conductor
