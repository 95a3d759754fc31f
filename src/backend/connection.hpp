// One keep-alive connection to a model server: a TCP stream, or TLS over one. The exchange code
// is written once for both (a template over the stream); plain HTTP pays nothing for TLS.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <string>
#include <variant>

namespace yollayah::backend {

// What certificate verification found wrong during a handshake, for a message that says which
// check failed (OpenSSL's own error only says "certificate verify failed").
struct TlsVerifyFailure {
  long x509_error = 0;       // X509_V_ERR_… of the first certificate that failed, or 0
  bool host_mismatch = false;  // the chain was trusted but the leaf is not valid for the host
};

class Connection {
 public:
  using Tcp = boost::beast::tcp_stream;
  using Tls = boost::beast::ssl_stream<Tcp>;

  explicit Connection(Tcp tcp) : stream_(std::in_place_type<Tcp>, std::move(tcp)) {}
  Connection(Tcp tcp, boost::asio::ssl::context& context)
      : stream_(std::in_place_type<Tls>, std::move(tcp), context) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The TCP layer: deadlines, socket options, is_open().
  Tcp& tcp() {
    if (auto* t = std::get_if<Tls>(&stream_)) return boost::beast::get_lowest_layer(*t);
    return std::get<Tcp>(stream_);
  }
  Tcp* plain() { return std::get_if<Tcp>(&stream_); }
  Tls* tls() { return std::get_if<Tls>(&stream_); }

  // Filled by the verify callback; lives as long as the stream that may call it.
  TlsVerifyFailure verify_failure;

 private:
  std::variant<Tcp, Tls> stream_;
};

}  // namespace yollayah::backend
