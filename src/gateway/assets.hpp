// The web page's files, compiled into the binary from web/ at build time (nothing is fetched from
// the internet at run time).
#pragma once

#include <string_view>

namespace yollayah::gateway {

struct Asset {
  std::string_view path;  // "/", "/app.js", …
  std::string_view content_type;
  std::string_view body;
};

// The asset served at `path`, or null.
const Asset* find_asset(std::string_view path);

}  // namespace yollayah::gateway
