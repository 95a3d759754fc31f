// What the Conductor sees of a surface: somewhere to deliver outbound envelopes. Transports
// implement it (an in-process queue, a socket writer). Everything here runs on the session strand.
#pragma once

#include "protocol/envelope.hpp"

namespace yollayah::conductor {

class SurfaceSink {
 public:
  enum class Delivery : std::uint8_t { Ok, FellBehind, Gone };

  virtual ~SurfaceSink() = default;

  // Hands one envelope to the surface. Must never block. FellBehind means the surface's queue
  // overflowed and was dropped: the session then sends it a fresh snapshot.
  virtual Delivery deliver(const protocol::EnvelopePtr& envelope) = 0;

  // True when the surface needs the encoded frame (a socket), so the sender encodes once.
  virtual bool wants_frames() const { return false; }

  // The session has finished with this surface (after Quit, or when it left).
  virtual void close() {}
};

}  // namespace yollayah::conductor
