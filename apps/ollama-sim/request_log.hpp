// --log-requests: one line per request ("METHOD PATH auth=yes|no"), appended to a file by a
// thread of its own, so the event loop never touches the disk. Never the Authorization value.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include <fstream>
#include <memory>
#include <string>
#include <string_view>

namespace yollayah::sim {

class RequestLog {
 public:
  // Opens (appends to) `path`; throws when it cannot (start-up only).
  explicit RequestLog(const std::string& path);
  ~RequestLog();  // writes what is queued, then closes

  void append(std::string_view method, std::string_view path, bool has_authorization);

 private:
  std::unique_ptr<std::ofstream> file_;  // touched only on writer_'s thread after construction
  boost::asio::thread_pool writer_{1};
};

}  // namespace yollayah::sim
