// A raw HTTP/1.1 client for ollama-sim's own tests, plain or TLS: it sends bytes as written and
// keeps every byte received, so tests can look at framing, half chunks and how a connection ended.
// Blocking with bounded waits: it runs its own io_context on the test's thread. Compiled once in
// sim_client.cpp (Asio's TLS stream is heavy to instantiate).
#pragma once

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace yollayah::test {

using namespace std::chrono_literals;

// ---- parsing what came back ----

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;                            // de-chunked
  bool chunked = false;
  bool complete = false;   // the whole response arrived (last chunk, or Content-Length bytes)
  bool chunk_cut = false;  // a chunk's size line promised more bytes than arrived

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
  boost::json::value json() const { return boost::json::parse(body); }
};

HttpResponse parse_response(std::string_view raw);

// One Server-Sent Event; tolerant of every variation the SSE spec allows.
struct SseEvent {
  std::string data;   // data: lines joined by "\n"
  std::string event;  // event: field
  std::string id;
  bool has_data = false;
};

struct SseStream {
  std::vector<SseEvent> events;
  std::size_t comments = 0;    // ": …" lines
  std::size_t crlf_lines = 0;  // lines that ended in "\r\n"
  std::size_t data_without_space = 0;
  std::size_t retry_fields = 0;
};

SseStream parse_sse(std::string_view body);

// ---- the connection ----

struct TlsClientConfig {
  std::string ca_file;                 // empty: the system store (which does not know a test CA)
  std::string host_name = "localhost"; // SNI and the name the certificate must carry
};

class SimConn {
 public:
  explicit SimConn(std::uint16_t port, const TlsClientConfig* tls = nullptr, std::chrono::milliseconds limit = 10s);
  ~SimConn();
  SimConn(const SimConn&) = delete;
  SimConn& operator=(const SimConn&) = delete;

  bool ok() const;
  // The first failure: connect, handshake, write, or how the connection ended (eof, reset).
  boost::system::error_code error() const;
  bool ended() const;
  const std::string& raw() const;
  HttpResponse response() const;

  bool write(std::string_view bytes, std::chrono::milliseconds limit = 10s);
  // Reads until one whole response is in; false if the connection ended first or `limit` passed.
  bool read_response(std::chrono::milliseconds limit = 10s);
  // Reads until the peer closes or resets; false if it was still open after `limit`.
  bool read_until_closed(std::chrono::milliseconds limit = 10s);
  // Reads whatever arrives within `period` (for "nothing arrives" checks).
  void read_for(std::chrono::milliseconds period);
  // Reads until `text` has arrived.
  bool read_until_contains(std::string_view text, std::chrono::milliseconds limit = 10s);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;  // one read stays outstanding across calls: a wait that times out loses nothing
};

// ---- requests ----

std::string http_request(std::string_view method, std::string_view target, std::string_view body = {},
                         std::string_view extra_headers = {});

// One request on a fresh connection; the response (complete or not) after at most `limit`.
HttpResponse fetch(std::uint16_t port, std::string_view method, std::string_view target, std::string_view body = {},
                   std::string_view extra_headers = {}, const TlsClientConfig* tls = nullptr,
                   std::chrono::milliseconds limit = 10s);
HttpResponse post_json(std::uint16_t port, std::string_view target, const boost::json::value& body,
                       std::string_view extra_headers = {});
HttpResponse get(std::uint16_t port, std::string_view target, std::string_view extra_headers = {});

}  // namespace yollayah::test
