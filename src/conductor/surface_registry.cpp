#include "conductor/surface_registry.hpp"

#include "protocol/frame.hpp"

#include <algorithm>

namespace yollayah::conductor {

SurfaceEntry& SurfaceRegistry::add(SurfaceId id, std::shared_ptr<SurfaceSink> sink) {
  remove(id);
  SurfaceEntry entry;
  entry.id = id;
  entry.sink = std::move(sink);
  entries_.push_back(std::move(entry));
  return entries_.back();
}

bool SurfaceRegistry::remove(SurfaceId id) {
  auto it = std::find_if(entries_.begin(), entries_.end(), [id](const SurfaceEntry& e) { return e.id == id; });
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

SurfaceEntry* SurfaceRegistry::find(SurfaceId id) {
  auto it = std::find_if(entries_.begin(), entries_.end(), [id](const SurfaceEntry& e) { return e.id == id; });
  return it == entries_.end() ? nullptr : &*it;
}

std::size_t SurfaceRegistry::joined_count() const {
  return static_cast<std::size_t>(std::count_if(entries_.begin(), entries_.end(), [](const SurfaceEntry& e) { return e.joined; }));
}

template <class Pred>
void SurfaceRegistry::fan_out(protocol::ConductorMessage&& message, Pred&& include) {
  const std::uint32_t since = protocol::variant_since(message);
  targets_.clear();
  bool needs_frame = false;
  for (auto& e : entries_) {
    if (e.protocol_version < since || !include(e)) continue;
    targets_.push_back(&e);
    needs_frame = needs_frame || e.sink->wants_frames();
  }
  if (targets_.empty()) return;

  auto envelope = std::make_shared<protocol::Envelope>();
  envelope->message = std::move(message);
  if (needs_frame) protocol::encode_frame_into(envelope->frame, envelope->message);
  protocol::EnvelopePtr shared = std::move(envelope);

  // Collect the ids first: a behind-handler sends again, which reuses targets_. Falling behind is
  // rare, so the vector costs nothing on the hot path.
  std::vector<SurfaceId> behind;
  for (SurfaceEntry* e : targets_) {
    if (e->sink->deliver(shared) == SurfaceSink::Delivery::FellBehind) behind.push_back(e->id);
  }
  if (on_behind_)
    for (SurfaceId id : behind) on_behind_(id);
}

void SurfaceRegistry::broadcast(protocol::ConductorMessage message) {
  fan_out(std::move(message), [](const SurfaceEntry& e) { return e.joined; });
}

void SurfaceRegistry::broadcast_since(std::uint32_t version, protocol::ConductorMessage message) {
  fan_out(std::move(message), [version](const SurfaceEntry& e) { return e.joined && e.protocol_version >= version; });
}

void SurfaceRegistry::broadcast_before(std::uint32_t version, protocol::ConductorMessage message) {
  fan_out(std::move(message), [version](const SurfaceEntry& e) { return e.joined && e.protocol_version < version; });
}

void SurfaceRegistry::send_to(SurfaceId id, protocol::ConductorMessage message) {
  fan_out(std::move(message), [id](const SurfaceEntry& e) { return e.id == id; });
}

void SurfaceRegistry::send_to_capable(const std::function<bool(const protocol::SurfaceCapabilities&)>& pred,
                                      protocol::ConductorMessage message) {
  fan_out(std::move(message), [&](const SurfaceEntry& e) { return e.joined && pred(e.capabilities); });
}

}  // namespace yollayah::conductor
