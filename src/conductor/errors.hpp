// Turns a backend failure into one line a user can act on: what failed, where, and what to do.
#pragma once

#include "backend/backend.hpp"

#include <string>

namespace yollayah::conductor {

std::string describe_backend_error(const backend::BackendError& error, const std::string& model);

}  // namespace yollayah::conductor
