#include "request_log.hpp"

#include <boost/asio/post.hpp>

#include <stdexcept>

namespace yollayah::sim {

RequestLog::RequestLog(const std::string& path)
    : file_(std::make_unique<std::ofstream>(path, std::ios::app | std::ios::binary)) {
  if (!*file_) throw std::runtime_error("cannot open request log " + path);
}

RequestLog::~RequestLog() { writer_.join(); }

void RequestLog::append(std::string_view method, std::string_view path, bool has_authorization) {
  std::string line;
  line.reserve(method.size() + path.size() + 12);
  line.append(method).append(" ").append(path).append(has_authorization ? " auth=yes\n" : " auth=no\n");
  boost::asio::post(writer_, [file = file_.get(), line = std::move(line)] {
    file->write(line.data(), static_cast<std::streamsize>(line.size()));
    file->flush();
  });
}

}  // namespace yollayah::sim
