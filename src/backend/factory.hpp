// The one place that turns the configuration into backends: one client per [[backend]] entry
// behind the router, or, with no entry, one Ollama at OLLAMA_HOST (the setup of every earlier
// version). Start-up work: it may read certificate files.
#pragma once

#include "backend/routing/router.hpp"
#include "core/config.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/result.hpp>

#include <memory>
#include <optional>
#include <string>

namespace yollayah::backend {

// The router for `config`, or one line saying which entry is wrong and how to fix it.
boost::system::result<std::shared_ptr<routing::Router>, std::string> make_router(asio::any_io_executor io,
                                                                                   const core::Config& config);

// The mistakes make_router() would find, without building anything: a bad url, an unreadable
// ca_file. For checks before a daemon detaches, so the user sees them. Blocking file checks:
// start-up only.
std::optional<std::string> check_backends(const core::Config& config);

// The routing options of `config` (mid-stream fallback, aliases, breaker).
routing::RouterOptions router_options(const core::Config& config);

}  // namespace yollayah::backend
