// An outbound ConductorMessage shared, immutable, by every surface it fans out to. The frame is
// encoded once, by the sender, only when some recipient needs bytes (a socket); in-process
// surfaces read the message itself.
#pragma once

#include "protocol/messages.hpp"

#include <memory>
#include <string>

namespace yollayah::protocol {

struct Envelope {
  ConductorMessage message;
  std::string frame;  // the length+CRC frame of `message`, or empty when nobody needed it
};

using EnvelopePtr = std::shared_ptr<const Envelope>;

}  // namespace yollayah::protocol
