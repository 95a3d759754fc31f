#include "protocol/error.hpp"

#include <utility>

namespace yollayah::protocol {

std::string_view to_string(ProtocolError::Kind kind) {
  using K = ProtocolError::Kind;
  switch (kind) {
    case K::Truncated: return "Truncated";
    case K::CrcMismatch: return "CrcMismatch";
    case K::Oversize: return "Oversize";
    case K::InvalidUtf8: return "InvalidUtf8";
    case K::InvalidJson: return "InvalidJson";
    case K::UnknownVariant: return "UnknownVariant";
    case K::WrongType: return "WrongType";
    case K::MissingField: return "MissingField";
  }
  return "Unknown";
}

std::string describe(const ProtocolError& error) {
  std::string out(to_string(error.kind));
  out += " at byte ";
  out += std::to_string(error.offset);
  out += ": ";
  out += error.message;
  return out;
}

ProtocolException::ProtocolException(ProtocolError error)
    : std::runtime_error(describe(error)), error_(std::move(error)) {}

void throw_exception_from_error(const ProtocolError& error, const boost::source_location&) {
  throw ProtocolException(error);
}

}  // namespace yollayah::protocol
