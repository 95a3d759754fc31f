// The raw HTTP/1.1 client of sim_client.hpp: compiled once, so that the tests that use it do not
// each instantiate Asio's TLS stream.
#include "support/sim_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <functional>

namespace yollayah::test {

// ---- parsing what came back ----

HttpResponse parse_response(std::string_view raw) {
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

SseStream parse_sse(std::string_view body) {
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

struct SimConn::Impl {
  Impl() : tls_ctx_(boost::asio::ssl::context::tls_client), stream_(ioc_, tls_ctx_) {}

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
  bool tls_ = false;
  boost::system::error_code error_;
  bool ended_ = false;
  bool reading_ = false;
  std::array<char, 16384> buf_{};
  std::string raw_;
};

SimConn::SimConn(std::uint16_t port, const TlsClientConfig* tls, std::chrono::milliseconds limit)
    : impl_(std::make_unique<Impl>()) {
  auto& d = *impl_;
  d.tls_ = tls != nullptr;
  namespace asio = boost::asio;
  auto deadline = std::chrono::steady_clock::now() + limit;
  asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
  bool connected = false;
  d.stream_.next_layer().async_connect(ep, [&](boost::system::error_code ec) {
    d.error_ = ec;
    connected = true;
  });
  d.run_until(deadline, [&] { return connected; });
  if (!connected || d.error_) {
    if (!connected) d.error_ = asio::error::timed_out;
    d.ended_ = true;
    return;
  }
  if (!d.tls_) return;
  if (!tls->ca_file.empty()) d.tls_ctx_.load_verify_file(tls->ca_file);
  d.stream_.set_verify_mode(asio::ssl::verify_peer);
  d.stream_.set_verify_callback(asio::ssl::host_name_verification(tls->host_name));
  SSL_set_tlsext_host_name(d.stream_.native_handle(), tls->host_name.c_str());
  bool shaken = false;
  d.stream_.async_handshake(asio::ssl::stream_base::client, [&](boost::system::error_code ec) {
    d.error_ = ec;
    shaken = true;
  });
  d.run_until(deadline, [&] { return shaken; });
  if (!shaken || d.error_) {
    if (!shaken) d.error_ = asio::error::timed_out;
    d.ended_ = true;
  }
}

SimConn::~SimConn() {
  auto& d = *impl_;
  boost::system::error_code ignored;
  d.stream_.next_layer().close(ignored);
  d.ioc_.restart();
  d.ioc_.poll();  // lets a pending read finish (aborted) while this object is alive
}

bool SimConn::ok() const { return !impl_->ended_; }
boost::system::error_code SimConn::error() const { return impl_->error_; }
bool SimConn::ended() const { return impl_->ended_; }
const std::string& SimConn::raw() const { return impl_->raw_; }
HttpResponse SimConn::response() const { return parse_response(impl_->raw_); }

bool SimConn::write(std::string_view bytes, std::chrono::milliseconds limit) {
  auto& d = *impl_;
  if (d.ended_) return false;
  bool done = false;
  auto handler = [&](boost::system::error_code ec, std::size_t) {
    if (ec) d.error_ = ec;
    done = true;
  };
  if (d.tls_) {
    boost::asio::async_write(d.stream_, boost::asio::buffer(bytes), handler);
  } else {
    boost::asio::async_write(d.stream_.next_layer(), boost::asio::buffer(bytes), handler);
  }
  d.run_until(std::chrono::steady_clock::now() + limit, [&] { return done; });
  return done && !d.error_;
}

bool SimConn::read_response(std::chrono::milliseconds limit) {
  return impl_->pump(limit, [&] { return parse_response(impl_->raw_).complete; });
}

bool SimConn::read_until_closed(std::chrono::milliseconds limit) {
  impl_->pump(limit, [] { return false; });
  return impl_->ended_;
}

void SimConn::read_for(std::chrono::milliseconds period) { impl_->pump(period, [] { return false; }); }

bool SimConn::read_until_contains(std::string_view text, std::chrono::milliseconds limit) {
  return impl_->pump(limit, [&] { return impl_->raw_.find(text) != std::string::npos; });
}

// ---- requests ----

std::string http_request(std::string_view method, std::string_view target, std::string_view body,
                         std::string_view extra_headers) {
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
HttpResponse fetch(std::uint16_t port, std::string_view method, std::string_view target, std::string_view body,
                   std::string_view extra_headers, const TlsClientConfig* tls, std::chrono::milliseconds limit) {
  SimConn conn(port, tls);
  if (!conn.ok()) return {};
  conn.write(http_request(method, target, body, extra_headers));
  conn.read_response(limit);
  return conn.response();
}

HttpResponse post_json(std::uint16_t port, std::string_view target, const boost::json::value& body,
                       std::string_view extra_headers) {
  return fetch(port, "POST", target, boost::json::serialize(body), extra_headers);
}

HttpResponse get(std::uint16_t port, std::string_view target, std::string_view extra_headers) {
  return fetch(port, "GET", target, {}, extra_headers);
}

}  // namespace yollayah::test
