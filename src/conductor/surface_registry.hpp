// The surfaces attached to one session: who they are, what they can do, which protocol version
// they speak. Sends encode a message once and fan the same envelope out. Strand-confined.
#pragma once

#include "conductor/surface.hpp"
#include "protocol/messages.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace yollayah::conductor {

using SurfaceId = std::uint64_t;

struct SurfaceEntry {
  SurfaceId id = 0;
  std::string connection_id;  // "conn-<uuid>", reported in HandshakeAck
  std::shared_ptr<SurfaceSink> sink;
  protocol::SurfaceType type;
  protocol::SurfaceCapabilities capabilities;
  std::uint32_t protocol_version = protocol::kProtocolV1;
  bool joined = false;  // said Connected or an accepted Handshake; only joined surfaces get broadcasts
};

class SurfaceRegistry {
 public:
  // Called with each surface whose queue overflowed during a send.
  using BehindHandler = std::function<void(SurfaceId)>;

  void set_behind_handler(BehindHandler handler) { on_behind_ = std::move(handler); }

  SurfaceEntry& add(SurfaceId id, std::shared_ptr<SurfaceSink> sink);
  bool remove(SurfaceId id);
  SurfaceEntry* find(SurfaceId id);
  std::size_t size() const { return entries_.size(); }
  std::size_t joined_count() const;

  // To every joined surface that knows the message's protocol version.
  void broadcast(protocol::ConductorMessage message);
  // To every joined surface that said at least protocol `version` (agents' live text goes to
  // version-2 surfaces only, though its variants exist in version 1).
  void broadcast_since(std::uint32_t version, protocol::ConductorMessage message);
  // To every joined surface that said a protocol older than `version` (a message without the
  // later version's extensions).
  void broadcast_before(std::uint32_t version, protocol::ConductorMessage message);
  // To one surface, joined or not (handshake replies go out before it has joined).
  void send_to(SurfaceId id, protocol::ConductorMessage message);
  // To every joined surface whose capabilities satisfy `pred`.
  void send_to_capable(const std::function<bool(const protocol::SurfaceCapabilities&)>& pred,
                       protocol::ConductorMessage message);

 private:
  template <class Pred>
  void fan_out(protocol::ConductorMessage&& message, Pred&& include);

  std::vector<SurfaceEntry> entries_;  // a handful of surfaces: a vector beats a map
  std::vector<SurfaceEntry*> targets_; // scratch, reused per send
  BehindHandler on_behind_;
};

}  // namespace yollayah::conductor
