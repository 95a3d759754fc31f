// Errors of the JSON and frame codecs, and the result type they return.
// Bad input is an expected failure, so it is a value; .value() on a failed result throws.
#pragma once

#include <boost/system/result.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace yollayah::protocol {

struct ProtocolError {
  enum class Kind {
    Truncated,       // the stream ended inside a frame
    CrcMismatch,     // framing can no longer be trusted: close the connection
    Oversize,        // a frame header announced more than kMaxFramePayload
    InvalidUtf8,
    InvalidJson,
    UnknownVariant,  // a well-formed payload naming a variant we do not know
    WrongType,       // a JSON type or an integer range that does not fit the field
    MissingField,
  };
  Kind kind = Kind::InvalidJson;
  std::string message;     // names the field path or the byte offset; safe to show a user
  std::size_t offset = 0;  // byte offset in the payload (JSON errors) or in the stream (frames)

  friend bool operator==(const ProtocolError&, const ProtocolError&) = default;
};

std::string_view to_string(ProtocolError::Kind kind);

// Framing errors mean the byte stream can no longer be trusted: close the connection. The others
// concern one well-framed payload: drop it, answer Notify{Warning}, keep the connection.
constexpr bool closes_connection(ProtocolError::Kind kind) {
  using K = ProtocolError::Kind;
  return kind == K::Truncated || kind == K::CrcMismatch || kind == K::Oversize;
}

// "InvalidJson at byte 17: syntax error", for logs and the yollayah-proto tool.
std::string describe(const ProtocolError& error);

template <class T>
using ProtoResult = boost::system::result<T, ProtocolError>;

// What ProtoResult::value() throws when it holds an error.
class ProtocolException : public std::runtime_error {
 public:
  explicit ProtocolException(ProtocolError error);
  const ProtocolError& error() const noexcept { return error_; }

 private:
  ProtocolError error_;
};

// boost::system::result finds this through argument-dependent lookup on ProtocolError (a
// declaration in namespace boost::system after result.hpp would not be seen by its templates).
[[noreturn]] void throw_exception_from_error(const ProtocolError& error,
                                             const boost::source_location& loc);

}  // namespace yollayah::protocol
