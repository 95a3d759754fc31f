#include "backend/backend.hpp"

#include <stdexcept>

namespace yollayah::backend {

asio::awaitable<Result<ModelDetails>> Backend::show(std::string model) {
  co_return BackendError{BackendError::Kind::Http, endpoint() + " cannot describe models (" + model + ")", endpoint(),
                         501};
}

asio::awaitable<void> ChatSink::drained() { co_return; }

void throw_exception_from_error(const BackendError& e, const boost::source_location&) {
  throw std::runtime_error(e.message);
}

}  // namespace yollayah::backend
