#include "conductor/errors.hpp"

namespace yollayah::conductor {

std::string describe_backend_error(const backend::BackendError& e, const std::string& model) {
  using Kind = backend::BackendError::Kind;
  switch (e.kind) {
    case Kind::Unreachable:
      return e.message + ". Start Ollama with `ollama serve`, set OLLAMA_HOST to a running server, or try the simulated model: ./yollayah.sh demo";
    case Kind::Timeout:
      return e.message + ". The model server at " + e.url + " stopped answering; check that it is not overloaded, then try again.";
    case Kind::Http:
      if (e.http_status == 404)
        return e.message + ". Pull the model with `ollama pull " + model + "`, or choose another with /model NAME (see /models).";
      return e.message + " (HTTP " + std::to_string(e.http_status) + " from " + e.url + ")";
    case Kind::Server:
      return "the model server reported: " + e.message;
    case Kind::Protocol:
      return e.message + " (from " + e.url + "); try again.";
    case Kind::Cancelled:
      return "cancelled";
  }
  return e.message;
}

}  // namespace yollayah::conductor
