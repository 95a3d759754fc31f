// A raw HTTP/1.1 client for ollama-sim's own tests, plain or TLS: it sends bytes as written and
// keeps every byte received, so tests can look at framing, half chunks and how a connection ended.
// Blocking with bounded waits: it runs its own io_context on the test's thread.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
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

inline HttpResponse parse_response(std::string_view raw) {
  HttpResponse r;
  auto head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || head_end == std::string_view::npos) return r;
  r.status = std::atoi(std::string(raw.substr(9, 3)).c_str());
  std::string_view head = raw.substr(0, head_end);
  std::size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos < head.size()) {
    auto next = head.find("\r\n", pos + 2);
    auto line = head.substr(pos + 2, (next == std::string_view::npos ? head.size() : next) - pos - 2);
    auto colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string name(line.substr(0, colon));
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      auto value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      r.headers[name] = std::string(value);
    }
    pos = next;
  }
  std::string_view rest = raw.substr(head_end + 4);
  r.chunked = r.header("transfer-encoding") == "chunked";
  if (!r.chunked) {
    auto length = static_cast<std::size_t>(std::atoll(r.header("content-length").c_str()));
    r.body = std::string(rest.substr(0, length));
    r.complete = rest.size() >= length;
    return r;
  }
  for (;;) {
    auto eol = rest.find("\r\n");
    if (eol == std::string_view::npos) return r;
    auto size = std::stoull(std::string(rest.substr(0, eol)), nullptr, 16);
    rest.remove_prefix(eol + 2);
    if (size == 0) {
      r.complete = rest.starts_with("\r\n");
      return r;
    }
    if (rest.size() < size) {
      r.body.append(rest);
      r.chunk_cut = true;
      return r;
    }
    r.body.append(rest.substr(0, size));
    rest.remove_prefix(size);
    if (rest.starts_with("\r\n")) rest.remove_prefix(2);
  }
}

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

inline SseStream parse_sse(std::string_view body) {
  SseStream out;
  SseEvent current;
  auto dispatch = [&] {
    if (current.has_data) out.events.push_back(current);  // the spec drops events without data
    current = SseEvent{};
  };
  std::size_t pos = 0;
  while (pos < body.size()) {
    auto nl = body.find('\n', pos);
    if (nl == std::string_view::npos) break;  // an unterminated last line is not an event
    std::string_view line = body.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
      ++out.crlf_lines;
    }
    if (line.empty()) {
      dispatch();
      continue;
    }
    if (line.front() == ':') {
      ++out.comments;
      continue;
    }
    auto colon = line.find(':');
    std::string_view field = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    if (value.starts_with(' ')) {
      value.remove_prefix(1);
    } else if (field == "data") {
      ++out.data_without_space;
    }
    if (field == "data") {
      if (current.has_data) current.data += '\n';
      current.data += value;
      current.has_data = true;
    } else if (field == "event") {
      current.event = value;
    } else if (field == "id") {
      current.id = value;
    } else if (field == "retry") {
      ++out.retry_fields;
    }
  }
  return out;
}

// ---- the connection ----

struct TlsClientConfig {
  std::string ca_file;                 // empty: the system store (which does not know a test CA)
  std::string host_name = "localhost"; // SNI and the name the certificate must carry
};

class SimConn {
 public:
  SimConn(std::uint16_t port, const TlsClientConfig* tls = nullptr, std::chrono::milliseconds limit = 10s)
      : tls_ctx_(boost::asio::ssl::context::tls_client), stream_(ioc_, tls_ctx_), tls_(tls != nullptr) {
    namespace asio = boost::asio;
    auto deadline = std::chrono::steady_clock::now() + limit;
    asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
    bool connected = false;
    stream_.next_layer().async_connect(ep, [&](boost::system::error_code ec) {
      error_ = ec;
      connected = true;
    });
    run_until(deadline, [&] { return connected; });
    if (!connected || error_) {
      if (!connected) error_ = asio::error::timed_out;
      ended_ = true;
      return;
    }
    if (!tls_) return;
    if (!tls->ca_file.empty()) tls_ctx_.load_verify_file(tls->ca_file);
    stream_.set_verify_mode(asio::ssl::verify_peer);
    stream_.set_verify_callback(asio::ssl::host_name_verification(tls->host_name));
    SSL_set_tlsext_host_name(stream_.native_handle(), tls->host_name.c_str());
    bool shaken = false;
    stream_.async_handshake(asio::ssl::stream_base::client, [&](boost::system::error_code ec) {
      error_ = ec;
      shaken = true;
    });
    run_until(deadline, [&] { return shaken; });
    if (!shaken || error_) {
      if (!shaken) error_ = asio::error::timed_out;
      ended_ = true;
    }
  }

  ~SimConn() {
    boost::system::error_code ignored;
    stream_.next_layer().close(ignored);
    ioc_.restart();
    ioc_.poll();  // lets a pending read finish (aborted) while this object is alive
  }

  SimConn(const SimConn&) = delete;
  SimConn& operator=(const SimConn&) = delete;

  bool ok() const { return !ended_; }
  // The first failure: connect, handshake, write, or how the connection ended (eof, reset).
  boost::system::error_code error() const { return error_; }
  bool ended() const { return ended_; }
  const std::string& raw() const { return raw_; }
  HttpResponse response() const { return parse_response(raw_); }

  bool write(std::string_view bytes, std::chrono::milliseconds limit = 10s) {
    if (ended_) return false;
    bool done = false;
    auto handler = [&](boost::system::error_code ec, std::size_t) {
      if (ec) error_ = ec;
      done = true;
    };
    if (tls_) {
      boost::asio::async_write(stream_, boost::asio::buffer(bytes), handler);
    } else {
      boost::asio::async_write(stream_.next_layer(), boost::asio::buffer(bytes), handler);
    }
    run_until(std::chrono::steady_clock::now() + limit, [&] { return done; });
    return done && !error_;
  }

  // Reads until one whole response is in; false if the connection ended first or `limit` passed.
  bool read_response(std::chrono::milliseconds limit = 10s) {
    return pump(limit, [&] { return parse_response(raw_).complete; });
  }
  // Reads until the peer closes or resets; false if it was still open after `limit`.
  bool read_until_closed(std::chrono::milliseconds limit = 10s) {
    pump(limit, [] { return false; });
    return ended_;
  }
  // Reads whatever arrives within `period` (for "nothing arrives" checks).
  void read_for(std::chrono::milliseconds period) { pump(period, [] { return false; }); }
  // Reads until `text` has arrived.
  bool read_until_contains(std::string_view text, std::chrono::milliseconds limit = 10s) {
    return pump(limit, [&] { return raw_.find(text) != std::string::npos; });
  }

 private:
  template <class Pred>
  void run_until(std::chrono::steady_clock::time_point deadline, Pred done) {
    while (!done()) {
      auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) return;
      ioc_.restart();
      ioc_.run_one_for(left);
    }
  }

  bool pump(std::chrono::milliseconds limit, const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      if (done()) return true;
      if (ended_) return false;
      if (!reading_) start_read();
      auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) return false;
      ioc_.restart();
      ioc_.run_one_for(left);
    }
  }

  // One read stays outstanding across calls, so a wait that times out loses nothing.
  void start_read() {
    reading_ = true;
    auto handler = [this](boost::system::error_code ec, std::size_t n) {
      reading_ = false;
      raw_.append(buf_.data(), n);
      if (ec) {
        if (!error_) error_ = ec;
        ended_ = true;
      }
    };
    if (tls_) {
      stream_.async_read_some(boost::asio::buffer(buf_), handler);
    } else {
      stream_.next_layer().async_read_some(boost::asio::buffer(buf_), handler);
    }
  }

  boost::asio::io_context ioc_;
  boost::asio::ssl::context tls_ctx_;
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
  bool tls_;
  boost::system::error_code error_;
  bool ended_ = false;
  bool reading_ = false;
  std::array<char, 16384> buf_{};
  std::string raw_;
};

// ---- requests ----

inline std::string http_request(std::string_view method, std::string_view target, std::string_view body = {},
                                std::string_view extra_headers = {}) {
  std::string r(method);
  r += ' ';
  r += target;
  r += " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!body.empty() || method == "POST") {
    r += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  r += extra_headers;
  r += "\r\n";
  r += body;
  return r;
}

// One request on a fresh connection; the response (complete or not) after at most `limit`.
inline HttpResponse fetch(std::uint16_t port, std::string_view method, std::string_view target,
                          std::string_view body = {}, std::string_view extra_headers = {},
                          const TlsClientConfig* tls = nullptr, std::chrono::milliseconds limit = 10s) {
  SimConn conn(port, tls);
  if (!conn.ok()) return {};
  conn.write(http_request(method, target, body, extra_headers));
  conn.read_response(limit);
  return conn.response();
}

inline HttpResponse post_json(std::uint16_t port, std::string_view target, const boost::json::value& body,
                              std::string_view extra_headers = {}) {
  return fetch(port, "POST", target, boost::json::serialize(body), extra_headers);
}

inline HttpResponse get(std::uint16_t port, std::string_view target, std::string_view extra_headers = {}) {
  return fetch(port, "GET", target, {}, extra_headers);
}

}  // namespace yollayah::test
