// The JSON codec of the wire protocol: the exact bytes Rust serde_json writes for the externally
// tagged SurfaceEvent and ConductorMessage enums (PROTOCOL.md, "Encoding"), and a tolerant decoder.
#pragma once

#include "protocol/error.hpp"
#include "protocol/messages.hpp"

#include <string>
#include <string_view>

namespace yollayah::protocol {

// Appends the canonical JSON of the message to `out`. Allocates nothing beyond growing `out`,
// so encoding into a reused buffer is allocation-free once it has grown.
void encode_into(std::string& out, const ConductorMessage& message);
void encode_into(std::string& out, const SurfaceEvent& event);

std::string encode(const ConductorMessage& message);
std::string encode(const SurfaceEvent& event);

// Decoding ignores unknown fields, reads a missing optional as absent, a missing content_type as
// Plain and a missing ResponseMetadata field as its default; anything else that does not fit is
// an error naming the field path. Never throws. Error offsets are byte offsets into `json`
// (0 when the error is about a value rather than a position).
ProtoResult<ConductorMessage> decode_message(std::string_view json);
ProtoResult<SurfaceEvent> decode_event(std::string_view json);

}  // namespace yollayah::protocol
