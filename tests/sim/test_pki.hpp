// A throw-away certificate authority and a server certificate for localhost / 127.0.0.1, made
// with the openssl CLI in a temporary directory at test time (never checked in, never trusted
// outside the test).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace yollayah::test {

class TestPki {
 public:
  TestPki() {
    char tmpl[] = "/tmp/yollayah-pki-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    make_ca("ca", "yollayah test CA");
    make_ca("other-ca", "some other CA");
    std::ofstream(dir_ + "/server.ext") << "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                                           "basicConstraints=CA:FALSE\n"
                                           "keyUsage=critical,digitalSignature,keyEncipherment\n"
                                           "extendedKeyUsage=serverAuth\n";
    run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key"
        " -out server.csr -subj /CN=localhost");
    run("openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2"
        " -out server.pem -extfile server.ext");
  }
  ~TestPki() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  std::string ca() const { return dir_ + "/ca.pem"; }
  std::string other_ca() const { return dir_ + "/other-ca.pem"; }
  std::string cert() const { return dir_ + "/server.pem"; }
  std::string key() const { return dir_ + "/server.key"; }

 private:
  void make_ca(const std::string& name, const std::string& cn) {
    run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + name +
        ".key -out " + name + ".pem -days 2 -subj '/CN=" + cn +
        "' -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign");
  }
  void run(const std::string& command) {
    const std::string full = "cd '" + dir_ + "' && " + command + " >openssl.log 2>&1";
    if (std::system(full.c_str()) != 0) throw std::runtime_error("openssl failed: " + command);
  }

  std::string dir_;
};

}  // namespace yollayah::test
