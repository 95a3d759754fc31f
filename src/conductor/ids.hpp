// Identifier formats of the original (anchor-core §1): msg_<n>, evt_<n>, session_<ms>_<n>,
// task_<ms>_<n>, conn-<uuid>. Counters are process-wide and thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace yollayah::conductor {

std::string next_message_id();
std::string next_event_id();
std::string next_session_id();
std::string next_task_id();
std::string next_connection_id();  // "conn-" + UUID v4
std::string next_uuid();           // a UUID v4, e.g. an agent's ConversationId
std::uint64_t unix_millis();

}  // namespace yollayah::conductor
