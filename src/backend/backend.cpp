#include "backend/backend.hpp"

#include <stdexcept>

namespace boost::system {
void throw_exception_from_error(const yollayah::backend::BackendError& e, const boost::source_location&) {
  throw std::runtime_error(e.message);
}
}  // namespace boost::system
