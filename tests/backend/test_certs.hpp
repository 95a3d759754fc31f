// A throw-away CA and server certificates, made with the openssl CLI in a temporary directory when
// a test suite starts and removed when it ends. Blocking is fine: tests call this on their own
// thread, never on an event loop.
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace yollayah::backend::testing {

class TestCerts {
 public:
  TestCerts() {
    char pattern[] = "/tmp/yollayah-certs-XXXXXX";
    if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    make_ca("ca", "yollayah-test-ca");
    make_ca("other-ca", "some-other-ca");
    make_server("server", "ca", "DNS:localhost,IP:127.0.0.1");
    make_server("wrong-host", "ca", "DNS:other.example");
  }
  ~TestCerts() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TestCerts(const TestCerts&) = delete;
  TestCerts& operator=(const TestCerts&) = delete;

  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  std::string ca() const { return path("ca.pem"); }              // signed server.pem and wrong-host.pem
  std::string other_ca() const { return path("other-ca.pem"); }  // signed nothing we serve

  // A server context presenting `name`.pem (server: valid for localhost and 127.0.0.1;
  // wrong-host: valid only for other.example).
  std::unique_ptr<boost::asio::ssl::context> server_context(const std::string& name) const {
    auto ctx = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
    ctx->use_certificate_chain_file(path(name + ".pem"));
    ctx->use_private_key_file(path(name + ".key"), boost::asio::ssl::context::pem);
    return ctx;
  }

 private:
  void run(const std::string& command) const {
    const std::string full = "cd '" + dir_ + "' && " + command + " >/dev/null 2>&1";
    if (std::system(full.c_str()) != 0) throw std::runtime_error("openssl failed: " + command);
  }

  void make_ca(const std::string& name, const std::string& cn) const {
    run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + name +
        ".key -out " + name + ".pem -days 2 -subj /CN=" + cn +
        " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign");
  }

  void make_server(const std::string& name, const std::string& ca, const std::string& san) const {
    {
      std::ofstream ext(path(name + ".ext"));
      ext << "subjectAltName=" << san << "\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n";
    }
    run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + name + ".key -out " +
        name + ".csr -subj /CN=" + name);
    run("openssl x509 -req -in " + name + ".csr -CA " + ca + ".pem -CAkey " + ca + ".key -CAcreateserial -out " +
        name + ".pem -days 2 -extfile " + name + ".ext");
  }

  std::string dir_;
};

}  // namespace yollayah::backend::testing
